import Foundation

/// More element-wise math: `log1p`, `expm1`, `erf`, `atan2`, rounding and the
/// NaN/inf tests. Integer and bool inputs compute in float32 (as PyTorch's
/// `exp` of an integer tensor), float64 in double; every gradient rule is
/// built from differentiable ops, so second order works.
extension Tensor {
  /// log(1 + x), accurate for small x. Gradient 1 / (1 + x).
  public func log1p() throws -> Tensor {
    if !dtype.isFloatingPoint { return try floating().log1p() }
    let node = GradNode.record("log1p", self, { c in [try c.grad / (c.inputs[0] + 1)] })
    return try mapKernel(node: node, .log1p)
  }

  /// e^x - 1, accurate for small x. Gradient e^x (the output plus 1).
  public func expm1() throws -> Tensor {
    if !dtype.isFloatingPoint { return try floating().expm1() }
    let node = GradNode.record("expm1", self, { c in [try c.grad * (c.output + 1)] })
    return try mapKernel(node: node, .expm1)
  }

  /// The error function. Gradient 2/√π · e^(-x²).
  public func erf() throws -> Tensor {
    if !dtype.isFloatingPoint { return try floating().erf() }
    let node = GradNode.record("erf", self, { c in
      [try c.grad * (Float(2 / Double.pi.squareRoot()) * (-c.inputs[0].square()).exp())]
    })
    return try mapKernel(node: node, .erf)
  }

  /// The angle of the point (x, y) = (`other`, `self`) in radians, in [-π, π]
  /// (`atan2(y, x)`), with broadcasting (integers compute in float32).
  /// Gradients x / r² for y and -y / r² for x; 0 at the origin, as PyTorch's
  /// (the divisor there is 1: the numerators are 0).
  public func atan2(_ other: Tensor) throws -> Tensor {
    let (y, x, type) = try Tensor.promoteFloating(self, other)
    let node = GradNode.record("atan2", y, x, { c in
      let (y, x) = (c.inputs[0], c.inputs[1])
      let squares = try y.square() + x.square()
      let r2 = try Tensor.select(squares.detached().eq(Tensor(0)), Tensor(1), squares)
      return [try c.needsGrad[0] ? (c.grad * x / r2).sumToShape(y.shape) : nil,
              try c.needsGrad[1] ? (-(c.grad * y) / r2).sumToShape(x.shape) : nil]
    })
    if type == .float64 {
      return try y.zipElements(x, op: "atan2", node: node, of: Double.self, to: Double.self) { Foundation.atan2($0, $1) }
    }
    return try y.zipKernel(x, op: "atan2", node: node, .atan2) { Foundation.atan2($0, $1) }
  }

  /// The largest whole number not above each element (a constant: zero
  /// gradient); integer and bool tensors are returned as they are.
  public func floor() throws -> Tensor {
    guard dtype.isFloatingPoint else { return detached() }
    return try detached().mapFloating({ $0.rounded(.down) }, { $0.rounded(.down) })
  }

  /// The smallest whole number not below each element (see `floor`).
  public func ceil() throws -> Tensor {
    guard dtype.isFloatingPoint else { return detached() }
    return try detached().mapFloating({ $0.rounded(.up) }, { $0.rounded(.up) })
  }

  /// Each element rounded to `decimals` decimal places, halves to even (NumPy's
  /// `round`, PyTorch's `round`): `rint(x · 10^d) / 10^d`. A constant; integer
  /// and bool tensors are returned as they are for `decimals >= 0`.
  public func round(decimals: Int = 0) throws -> Tensor {
    guard Swift.abs(decimals) <= 38 else { throw TensorError("round: decimals must be within ±38, got \(decimals)") }
    if !dtype.isFloatingPoint && decimals >= 0 { return detached() }
    let x = try detached().floating()
    if decimals == 0 { return try x.mapFloating({ $0.rounded(.toNearestOrEven) }, { $0.rounded(.toNearestOrEven) }) }
    let scale = Foundation.pow(10.0, Double(decimals)), scale32 = Float(scale)
    return try x.mapFloating({ ($0 * scale32).rounded(.toNearestOrEven) / scale32 },
                             { ($0 * scale).rounded(.toNearestOrEven) / scale })
  }

  /// Where the element is NaN, as a bool tensor (never, for integers and bools).
  public func isNaN() throws -> Tensor { try test(.nan, { $0.isNaN }) }
  /// Where the element is +inf or -inf, as a bool tensor.
  public func isInfinite() throws -> Tensor { try test(.infinite, { $0.isInfinite }) }
  /// Where the element is neither NaN nor infinite, as a bool tensor (always,
  /// for integers and bools).
  public func isFinite() throws -> Tensor { try test(.finite, { $0.isFinite }) }

  /// A bool tensor of `test` on each element: the vectorised kernel for
  /// float32 (a contiguous copy first when strided), `f64` for float64, and
  /// the same answer everywhere for the integer and bool dtypes (which hold
  /// no NaN or inf).
  private func test(_ test: OpKernels.Classification, _ f64: (Double) -> Bool) throws -> Tensor {
    switch dtype {
    case .float32:
      let source = isContiguous ? self : try contiguousCopy()
      return try Tensor.make(shape, of: Bool.self) { out in
        guard let y = out.baseAddress else { return }
        OpKernels.classify(UnsafePointer(source.pointer(Float.self)), y, out.count, test)
      }
    case .float64: return try detached().mapElements(of: Double.self, to: Bool.self, f64)
    default:
      _ = try checkedCount(shape, op: "isnan")
      return try Tensor.make(shape, of: Bool.self) { $0.initialize(repeating: test == .finite) }
    }
  }
}
