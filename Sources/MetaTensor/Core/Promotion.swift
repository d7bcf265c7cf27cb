/// Type promotion for operations on two tensors, as PyTorch promotes
/// (https://pytorch.org/docs/stable/tensor_attributes.html#type-promotion-doc):
/// the higher of the two dtypes (bool < int64 < float32 < float64), except that
/// a 0-d operand does not raise the dtype of a dimensioned one of the same
/// category (a float32 vector plus a float64 scalar stays float32), so numbers
/// mixed into an expression never change its precision.
extension DType {
  /// bool 0, integer 1, floating 2.
  var category: Int {
    switch self {
    case .bool: return 0
    case .int64: return 1
    case .float32, .float64: return 2
    }
  }

  /// The dtype of an operation on tensors of `a` (0-d when `aScalar`) and `b`.
  public static func promoted(_ a: DType, scalar aScalar: Bool, _ b: DType, scalar bScalar: Bool) -> DType {
    if a == b { return a }
    if aScalar != bScalar && a.category == b.category { return aScalar ? b : a }
    return promoted(a, b)
  }
}

extension Tensor {
  /// The dtype `self op other` computes in.
  @inline(__always)
  func promotedDType(with other: Tensor) -> DType {
    if dtype == other.dtype { return dtype }
    return DType.promoted(dtype, scalar: rank == 0, other.dtype, scalar: other.rank == 0)
  }

  /// Both operands converted to the dtype of `a op b` (the same tensors when
  /// they already have it, as in every float32 expression). The conversions
  /// of floating operands are differentiable.
  @inline(__always)
  static func promote(_ a: Tensor, _ b: Tensor) throws -> (Tensor, Tensor, DType) {
    if a.dtype == b.dtype { return (a, b, a.dtype) }
    let t = a.promotedDType(with: b)
    return (try a.astype(t), try b.astype(t), t)
  }

  /// Both operands in a floating dtype: the promoted one, or float32 when
  /// that is an integer or bool dtype (true division, `pow`, `atan2`, ...).
  @inline(__always)
  static func promoteFloating(_ a: Tensor, _ b: Tensor) throws -> (Tensor, Tensor, DType) {
    if a.dtype == .float32 && b.dtype == .float32 { return (a, b, .float32) }
    let t = a.promotedDType(with: b).floating
    return (try a.astype(t), try b.astype(t), t)
  }

  /// This tensor in a floating dtype: itself when floating, else float32
  /// (`exp`, `sqrt`, `mean`, ... of an integer tensor, as PyTorch).
  @inline(__always)
  public func floating() throws -> Tensor {
    dtype.isFloatingPoint ? self : try astype(.float32)
  }
}
