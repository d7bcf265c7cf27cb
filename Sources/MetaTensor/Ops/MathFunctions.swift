import Foundation

/// More element-wise math: `log1p`, `expm1`, `atan2`, `erf`, rounding, the
/// NaN/inf tests, `maximum`/`minimum`, and floor division and Python's modulo. Every
/// gradient rule is built from differentiable ops, so second order works.
extension Tensor {
  /// log(1 + x), accurate for small x. Gradient 1 / (1 + x).
  public func log1p() throws -> Tensor {
    let node = GradNode.record("log1p", self, { c in [try c.grad / (c.inputs[0] + 1)] })
    return try mapKernel(node: node, .log1p)
  }

  /// e^x - 1, accurate for small x. Gradient e^x (the output plus 1).
  public func expm1() throws -> Tensor {
    let node = GradNode.record("expm1", self, { c in [try c.grad * (c.output + 1)] })
    return try mapKernel(node: node, .expm1)
  }

  /// The error function. Gradient 2/√π · e^(-x²).
  public func erf() throws -> Tensor {
    let node = GradNode.record("erf", self, { c in
      [try c.grad * (Float(2 / Double.pi.squareRoot()) * (-c.inputs[0].square()).exp())]
    })
    return try mapKernel(node: node, .erf)
  }

  /// The angle of the point (x, y) = (`other`, `self`) in radians, in [-π, π]
  /// (`atan2(y, x)`), with broadcasting. Gradients x / r² for y and -y / r² for
  /// x; at the origin they are NaN (0 / 0), as PyTorch's.
  public func atan2(_ other: Tensor) throws -> Tensor {
    let node = GradNode.record("atan2", self, other, { c in
      let (y, x) = (c.inputs[0], c.inputs[1])
      let r2 = try y.square() + x.square()
      return [try c.needsGrad[0] ? (c.grad * x / r2).sumToShape(y.shape) : nil,
              try c.needsGrad[1] ? (-(c.grad * y) / r2).sumToShape(x.shape) : nil]
    })
    return try zipKernel(other, op: "atan2", node: node, .atan2) { Foundation.atan2($0, $1) }
  }

  /// The largest whole number not above each element (a constant: zero gradient).
  public func floor() throws -> Tensor { try detached().mapElements { $0.rounded(.down) } }
  /// The smallest whole number not below each element (a constant).
  public func ceil() throws -> Tensor { try detached().mapElements { $0.rounded(.up) } }

  /// Each element rounded to `decimals` decimal places, halves to even (NumPy's
  /// `round`, PyTorch's `round`): `rint(x · 10^d) / 10^d`. A constant.
  public func round(decimals: Int = 0) throws -> Tensor {
    if decimals == 0 { return try detached().mapElements { $0.rounded(.toNearestOrEven) } }
    guard Swift.abs(decimals) <= 38 else { throw TensorError("round: decimals must be within ±38, got \(decimals)") }
    let scale = Foundation.pow(Float(10), Float(decimals))
    return try detached().mapElements { ($0 * scale).rounded(.toNearestOrEven) / scale }
  }

  /// 1 where the element is NaN, else 0 (a constant).
  public func isNaN() throws -> Tensor { try detached().mapKernel(.isNaN) }
  /// 1 where the element is +inf or -inf, else 0 (a constant).
  public func isInfinite() throws -> Tensor { try detached().mapKernel(.isInfinite) }
  /// 1 where the element is neither NaN nor infinite, else 0 (a constant).
  public func isFinite() throws -> Tensor { try detached().mapKernel(.isFinite) }

  /// The element-wise larger of `self` and `other`, with broadcasting; NaN
  /// wherever either is NaN. The gradient goes to the larger operand, split
  /// equally on ties (as the `max` reduction), and to a NaN operand.
  public func maximum(_ other: Tensor) throws -> Tensor {
    try extremum(other, op: "maximum", wantMax: true)
  }

  /// The element-wise smaller of `self` and `other` (see `maximum`).
  public func minimum(_ other: Tensor) throws -> Tensor {
    try extremum(other, op: "minimum", wantMax: false)
  }

  private func extremum(_ other: Tensor, op: String, wantMax: Bool) throws -> Tensor {
    let node = GradNode.record(op, self, other, { c in
      let (a, b) = (c.inputs[0].detached(), c.inputs[1].detached())
      // Constant weights: 1 for the winner (or a NaN), 1/2 each on a tie.
      let wa = try a.zipElements(b, op: op) { x, y in
        x.isNaN ? 1 : (y.isNaN ? 0 : (x == y ? 0.5 : ((wantMax ? x > y : x < y) ? 1 : 0)))
      }
      let wb = try b.zipElements(a, op: op) { x, y in
        x.isNaN ? 1 : (y.isNaN ? 0 : (x == y ? 0.5 : ((wantMax ? x > y : x < y) ? 1 : 0)))
      }
      return [try c.needsGrad[0] ? (c.grad * wa).sumToShape(a.shape) : nil,
              try c.needsGrad[1] ? (c.grad * wb).sumToShape(b.shape) : nil]
    })
    if wantMax {
      return try zipKernel(other, op: op, node: node, .maximum) { x, y in x.isNaN ? x : (x >= y ? x : y) }
    }
    return try zipKernel(other, op: op, node: node, .minimum) { x, y in x.isNaN ? x : (x <= y ? x : y) }
  }

  /// Floor division with broadcasting, as Python's `//` on floats and
  /// PyTorch's `floor_divide`; division by 0 gives ±inf or NaN as `/` does.
  /// Piecewise constant: no gradient (the result is a constant).
  public func floorDivide(_ other: Tensor) throws -> Tensor {
    try detached().zipElements(other.detached(), op: "floor_divide") { floorQuotient($0, $1) }
  }

  /// The remainder of floor division, with the divisor's sign (Python's `%`,
  /// PyTorch's `remainder`), with broadcasting; NaN for a zero divisor.
  /// Gradient 1 for `self` and -(self // other) for `other`.
  public func remainder(_ other: Tensor) throws -> Tensor {
    let node = GradNode.record("remainder", self, other, { c in
      [try c.needsGrad[0] ? c.grad.sumToShape(c.inputs[0].shape) : nil,
       try c.needsGrad[1]
         ? (-(c.grad * c.inputs[0].floorDivide(c.inputs[1]))).sumToShape(c.inputs[1].shape) : nil]
    })
    return try zipElements(other, op: "remainder", node: node) { a, b in
      let m = a.truncatingRemainder(dividingBy: b)
      return m != 0 && (b < 0) != (m < 0) ? m + b : m
    }
  }
}

/// `floor(a / b)` computed as PyTorch's `div_floor_floating` (and Python's
/// float `//`): from the exact remainder, not by rounding `a / b`.
@inline(__always)
func floorQuotient(_ a: Float, _ b: Float) -> Float {
  if b == 0 { return a / b }
  let m = a.truncatingRemainder(dividingBy: b)
  var q = (a - m) / b
  if m != 0 && (b < 0) != (m < 0) { q -= 1 }
  guard q != 0 else { return (a / b).sign == .minus ? -0.0 : 0.0 }
  var floored = q.rounded(.down)
  if q - floored > 0.5 { floored += 1 }
  return floored
}
