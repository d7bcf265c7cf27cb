import Foundation

/// `maximum`/`minimum`, floor division and Python's modulo, with NumPy
/// broadcasting and PyTorch's type promotion (integers stay integers).
extension Tensor {
  /// The element-wise larger of `self` and `other`, with broadcasting; NaN
  /// wherever either is NaN (bool tensors: or). The gradient goes to the
  /// larger operand, split equally on ties, and to both where either is NaN
  /// (PyTorch's rule).
  public func maximum(_ other: Tensor) throws -> Tensor {
    try extremum(other, op: "maximum", wantMax: true)
  }

  /// The element-wise smaller of `self` and `other` (see `maximum`; bool: and).
  public func minimum(_ other: Tensor) throws -> Tensor {
    try extremum(other, op: "minimum", wantMax: false)
  }

  private func extremum(_ other: Tensor, op: String, wantMax: Bool) throws -> Tensor {
    let (a, b, type) = try Tensor.promote(self, other)
    let node = GradNode.record(op, a, b, { c in
      let (x, y) = (c.inputs[0].detached(), c.inputs[1].detached())
      return [try c.needsGrad[0] ? (c.grad * x.winnerWeights(y, op: op, wantMax: wantMax)).sumToShape(x.shape) : nil,
              try c.needsGrad[1] ? (c.grad * y.winnerWeights(x, op: op, wantMax: wantMax)).sumToShape(y.shape) : nil]
    })
    switch (type, wantMax) {
    case (.float32, true): return try a.zipKernel(b, op: op, node: node, .maximum) { $0.isNaN ? $0 : ($0 >= $1 ? $0 : $1) }
    case (.float32, false): return try a.zipKernel(b, op: op, node: node, .minimum) { $0.isNaN ? $0 : ($0 <= $1 ? $0 : $1) }
    case (.float64, true):
      return try a.zipElements(b, op: op, node: node, of: Double.self, to: Double.self) { $0.isNaN ? $0 : ($0 >= $1 ? $0 : $1) }
    case (.float64, false):
      return try a.zipElements(b, op: op, node: node, of: Double.self, to: Double.self) { $0.isNaN ? $0 : ($0 <= $1 ? $0 : $1) }
    case (.int64, true): return try a.zipElements(b, op: op, of: Int64.self, to: Int64.self) { Swift.max($0, $1) }
    case (.int64, false): return try a.zipElements(b, op: op, of: Int64.self, to: Int64.self) { Swift.min($0, $1) }
    case (.bool, true): return try a.zipElements(b, op: op, of: Bool.self, to: Bool.self) { $0 || $1 }
    case (.bool, false): return try a.zipElements(b, op: op, of: Bool.self, to: Bool.self) { $0 && $1 }
    }
  }

  /// The share of the gradient this (floating) operand of `maximum` or
  /// `minimum` gets, as PyTorch's rule: 1/2 on a tie, 0 where it loses, else 1
  /// (so where either side is NaN both get the whole gradient).
  private func winnerWeights(_ other: Tensor, op: String, wantMax: Bool) throws -> Tensor {
    @inline(__always) func weights<T: TensorElement & BinaryFloatingPoint>(_: T.Type) throws -> Tensor {
      try zipElements(other, op: op, of: T.self, to: T.self) { x, y in
        x == y ? 0.5 : ((wantMax ? x < y : x > y) ? 0 : 1)
      }
    }
    return dtype == .float64 ? try weights(Double.self) : try weights(Float.self)
  }

  /// Floor division with broadcasting, as Python's `//` and PyTorch's
  /// `floor_divide`: floats from the exact remainder (division by 0 gives
  /// ±inf or NaN as `/` does), integers exactly (division by 0 is an error).
  /// Piecewise constant: no gradient (the result is a constant).
  public func floorDivide(_ other: Tensor) throws -> Tensor {
    let op = "floor_divide"
    let (a, b, type) = try Tensor.promote(detached(), other.detached())
    switch type {
    case .float32: return try a.zipElements(b, op: op) { floorQuotient($0, $1) }
    case .float64: return try a.zipElements(b, op: op, of: Double.self, to: Double.self) { floorQuotient($0, $1) }
    case .int64, .bool:
      let (x, y) = try Tensor.integerOperands(a, b, op: op)
      return try x.zipElements(y, op: op, of: Int64.self, to: Int64.self) { p, q in
        // q == -1 negates (Int64.min wraps, as PyTorch's); otherwise truncate, then floor.
        if q == -1 { return 0 &- p }
        let t = p / q
        return (p % q != 0 && (p < 0) != (q < 0)) ? t - 1 : t
      }
    }
  }

  /// The remainder of floor division, with the divisor's sign (Python's `%`,
  /// PyTorch's `remainder`), with broadcasting; NaN for a zero float divisor,
  /// an error for a zero integer one. Gradient 1 for `self` and
  /// -(self // other) for `other`.
  public func remainder(_ other: Tensor) throws -> Tensor {
    let op = "remainder"
    let (a, b, type) = try Tensor.promote(self, other)
    let node = GradNode.record(op, a, b, { c in
      [try c.needsGrad[0] ? c.grad.sumToShape(c.inputs[0].shape) : nil,
       try c.needsGrad[1]
         ? (-(c.grad * c.inputs[0].floorDivide(c.inputs[1]))).sumToShape(c.inputs[1].shape) : nil]
    })
    switch type {
    case .float32: return try a.zipElements(b, op: op, node: node) { floorRemainder($0, $1) }
    case .float64: return try a.zipElements(b, op: op, node: node, of: Double.self, to: Double.self) { floorRemainder($0, $1) }
    case .int64, .bool:
      let (x, y) = try Tensor.integerOperands(a, b, op: op)
      return try x.zipElements(y, op: op, of: Int64.self, to: Int64.self) { p, q in
        if q == -1 { return 0 }
        let r = p % q
        return r != 0 && (r < 0) != (q < 0) ? r + q : r
      }
    }
  }

  /// Both operands as int64 (bools count as 0 and 1), refusing a zero divisor.
  private static func integerOperands(_ a: Tensor, _ b: Tensor, op: String) throws -> (Tensor, Tensor) {
    let y = try b.astype(.int64)
    if y.elements(as: Int64.self).contains(0) {
      throw TensorError("\(op): integer division by zero (convert to float for inf/nan results)")
    }
    return (try a.astype(.int64), y)
  }
}

/// `floor(a / b)` computed as PyTorch's `div_floor_floating` (and Python's
/// float `//`): from the exact remainder, not by rounding `a / b`.
@inline(__always)
func floorQuotient<T: BinaryFloatingPoint>(_ a: T, _ b: T) -> T {
  if b == 0 { return a / b }
  let m = a.truncatingRemainder(dividingBy: b)
  var q = (a - m) / b
  if m != 0 && (b < 0) != (m < 0) { q -= 1 }
  guard q != 0 else { return (a / b).sign == .minus ? -0.0 : 0.0 }
  var floored = q.rounded(.down)
  if q - floored > 0.5 { floored += 1 }
  return floored
}

/// The remainder with the divisor's sign (Python's float `%`).
@inline(__always)
func floorRemainder<T: BinaryFloatingPoint>(_ a: T, _ b: T) -> T {
  let m = a.truncatingRemainder(dividingBy: b)
  return m != 0 && (b < 0) != (m < 0) ? m + b : m
}
