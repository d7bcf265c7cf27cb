/// Boolean-mask selection and assignment, as NumPy's `x[mask]` and
/// `x[mask] = v`: `mask` is a bool tensor whose shape matches the leading axes
/// of `x`; the selection is a 1-D run of the chosen positions (in row-major
/// order) followed by `x`'s remaining axes.
extension Tensor {
  /// The row-major positions where `mask` is true, as int64.
  public func nonzeroPositions() throws -> Tensor {
    let flags = try (dtype == .bool ? self : astype(.bool)).elements(as: Bool.self)
    var picks: [Int64] = []
    for (i, on) in flags.enumerated() where on { picks.append(Int64(i)) }
    return try Tensor(shape: [picks.count], elements: picks)
  }

  /// Checks `mask` against this tensor's leading axes and returns the tensor
  /// viewed as [positions, rest...] with the chosen positions.
  private func maskLayout(_ mask: Tensor, op: String) throws -> (flat: Tensor, picks: Tensor, rest: [Int]) {
    guard mask.dtype == .bool else {
      throw TensorError("\(op): a mask must be a bool tensor, got \(mask.dtype)")
    }
    guard mask.rank <= rank, Array(shape.prefix(mask.rank)) == mask.shape else {
      throw TensorError("\(op): mask of shape \(shapeText(mask.shape)) does not match the leading axes of \(shapeText(shape))")
    }
    let rest = Array(shape.dropFirst(mask.rank))
    return (try reshape([mask.count] + rest), try mask.nonzeroPositions(), rest)
  }

  /// The elements where `mask` is true (differentiable in `self`).
  public func masked(_ mask: Tensor) throws -> Tensor {
    let (flat, picks, _) = try maskLayout(mask, op: "index")
    return try flat.indexSelect(picks, axis: 0)
  }

  /// A copy with the elements where `mask` is true replaced by `value`
  /// (broadcast to the selection's shape; converted to this dtype).
  /// Differentiable in both for floating dtypes.
  public func replacingMasked(_ mask: Tensor, with value: Tensor) throws -> Tensor {
    let (flat, picks, rest) = try maskLayout(mask, op: "index assignment")
    return try flat.replacingRows(picks, with: value, rest: rest).reshape(shape)
  }

  /// A copy with the rows `index` names along axis 0 (a 1-D int64 tensor;
  /// negative positions count from the end; no position twice, since which
  /// write would win is undefined) replaced by `value`, broadcast to
  /// [index.count] + the remaining axes. Differentiable for floating dtypes.
  public func replacingRows(at index: Tensor, with value: Tensor) throws -> Tensor {
    guard rank > 0, index.rank == 1 else {
      throw TensorError("index assignment: rows are named by a 1-D index, got shape \(shapeText(index.shape)) for a \(rank)-d tensor")
    }
    let positions = try index.indexValues(size: shape[0], op: "index assignment")
    guard Set(positions).count == positions.count else {
      throw TensorError("index assignment: an index is repeated (which write would win is undefined)")
    }
    let rows = try Tensor(shape: [positions.count], elements: positions.map(Int64.init))
    return try replacingRows(rows, with: value, rest: Array(shape.dropFirst()))
  }

  /// A copy with rows `picks` (in-range int64 positions along axis 0, each at
  /// most once) replaced by `value` broadcast to [picks.count] + rest.
  func replacingRows(_ picks: Tensor, with value: Tensor, rest: [Int]) throws -> Tensor {
    let fitted = try value.astype(dtype).expand([picks.count] + rest)
    if dtype.isFloatingPoint {
      // x + scatter(v - x[picks]): the gradient reaches x outside the picks
      // and v at them, to any order.
      let delta = try fitted - indexSelect(picks, axis: 0)
      return try self + delta.indexAdd(picks, axis: 0, size: shape[0], shape: shape)
    }
    let positions = try picks.indexValues(size: shape[0], op: "index assignment")
    let inner = rest.reduce(1, *), size = dtype.size
    let source = try fitted.contiguousCopy(), base = try contiguousCopy()
    return try Tensor.make(shape, dtype: dtype) { dst in
      dst.copyMemory(from: base.elementAddress, byteCount: count * size)
      for (j, p) in positions.enumerated() {
        (dst + p * inner * size).copyMemory(from: source.elementAddress + j * inner * size, byteCount: inner * size)
      }
    }
  }
}
