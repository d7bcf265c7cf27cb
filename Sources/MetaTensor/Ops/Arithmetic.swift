import Foundation

/// Differentiable arithmetic with NumPy broadcasting.
///
/// The operators `+ - * /` are `throws` (mismatched shapes are a runtime
/// condition in a scripting language), so one `try` covers a whole expression:
/// `try a * b + 2 * c`. Float operands become 0-d constants.
extension Tensor {
  /// Element-wise sum with broadcasting; operands of different dtypes are
  /// promoted first (`promote`). Two bool tensors give their logical or.
  public static func + (a: Tensor, b: Tensor) throws -> Tensor {
    let (a, b, dtype) = try promote(a, b)
    let node = GradNode.record("add", a, b, { c in
      [try c.needsGrad[0] ? c.grad.sumToShape(c.inputs[0].shape) : nil,
       try c.needsGrad[1] ? c.grad.sumToShape(c.inputs[1].shape) : nil]
    })
    switch dtype {
    case .float32: return try a.zipElements(b, op: "add", node: node) { $0 + $1 }
    case .float64: return try a.zipElements(b, op: "add", node: node, of: Double.self, to: Double.self) { $0 + $1 }
    case .int64: return try a.zipElements(b, op: "add", of: Int64.self, to: Int64.self) { $0 &+ $1 }
    case .bool: return try a.zipElements(b, op: "add", of: Bool.self, to: Bool.self) { $0 || $1 }
    }
  }

  /// Element-wise difference with broadcasting (not defined for two bool tensors).
  public static func - (a: Tensor, b: Tensor) throws -> Tensor {
    let (a, b, dtype) = try promote(a, b)
    let node = GradNode.record("sub", a, b, { c in
      [try c.needsGrad[0] ? c.grad.sumToShape(c.inputs[0].shape) : nil,
       try c.needsGrad[1] ? (-c.grad).sumToShape(c.inputs[1].shape) : nil]
    })
    switch dtype {
    case .float32: return try a.zipElements(b, op: "sub", node: node) { $0 - $1 }
    case .float64: return try a.zipElements(b, op: "sub", node: node, of: Double.self, to: Double.self) { $0 - $1 }
    case .int64: return try a.zipElements(b, op: "sub", of: Int64.self, to: Int64.self) { $0 &- $1 }
    case .bool:
      throw TensorError("sub: subtracting bool tensors is not defined; convert with .astype(\"int64\") first")
    }
  }

  /// Element-wise product with broadcasting. Two bool tensors give their logical and.
  public static func * (a: Tensor, b: Tensor) throws -> Tensor {
    let (a, b, dtype) = try promote(a, b)
    let node = GradNode.record("mul", a, b, { c in
      [try c.needsGrad[0] ? (c.grad * c.inputs[1]).sumToShape(c.inputs[0].shape) : nil,
       try c.needsGrad[1] ? (c.grad * c.inputs[0]).sumToShape(c.inputs[1].shape) : nil]
    })
    switch dtype {
    case .float32: return try a.zipElements(b, op: "mul", node: node) { $0 * $1 }
    case .float64: return try a.zipElements(b, op: "mul", node: node, of: Double.self, to: Double.self) { $0 * $1 }
    case .int64: return try a.zipElements(b, op: "mul", of: Int64.self, to: Int64.self) { $0 &* $1 }
    case .bool: return try a.zipElements(b, op: "mul", of: Bool.self, to: Bool.self) { $0 && $1 }
    }
  }

  /// Element-wise true quotient with broadcasting (integer and bool operands
  /// divide as float32, as PyTorch's `/`).
  public static func / (a: Tensor, b: Tensor) throws -> Tensor {
    let (a, b, dtype) = try promoteFloating(a, b)
    let node = GradNode.record("div", a, b, { c in
      // d(a/b)/db = -a/b² = -(a/b)/b, reusing the output.
      [try c.needsGrad[0] ? (c.grad / c.inputs[1]).sumToShape(c.inputs[0].shape) : nil,
       try c.needsGrad[1] ? (-(c.grad * c.output / c.inputs[1])).sumToShape(c.inputs[1].shape) : nil]
    })
    if dtype == .float64 {
      return try a.zipElements(b, op: "div", node: node, of: Double.self, to: Double.self) { $0 / $1 }
    }
    return try a.zipElements(b, op: "div", node: node) { $0 / $1 }
  }

  /// Element-wise negation (not defined for bool).
  public static prefix func - (x: Tensor) throws -> Tensor {
    let node = GradNode.record("neg", x, { c in [try -c.grad] })
    switch x.dtype {
    case .float32: return try x.mapElements(node: node) { -$0 }
    case .float64: return try x.mapElements(node: node, of: Double.self, to: Double.self) { -$0 }
    case .int64: return try x.mapElements(of: Int64.self, to: Int64.self) { 0 &- $0 }
    case .bool: throw TensorError("neg: negating a bool tensor is not defined; use `not` or .astype(\"int64\")")
    }
  }

  // Tensor-Float mixes: the number is a 0-d float32 constant (which promotes
  // an integer tensor to float32 and leaves a float64 one float64). Untracked
  // float32 operands skip building that constant (one allocation less per op).
  public static func + (a: Tensor, b: Float) throws -> Tensor {
    a.requiresGrad || a.dtype != .float32 ? try a + Tensor(b) : try a.mapElements { $0 + b }
  }
  public static func + (a: Float, b: Tensor) throws -> Tensor {
    b.requiresGrad || b.dtype != .float32 ? try Tensor(a) + b : try b.mapElements { a + $0 }
  }
  public static func - (a: Tensor, b: Float) throws -> Tensor {
    a.requiresGrad || a.dtype != .float32 ? try a - Tensor(b) : try a.mapElements { $0 - b }
  }
  public static func - (a: Float, b: Tensor) throws -> Tensor {
    b.requiresGrad || b.dtype != .float32 ? try Tensor(a) - b : try b.mapElements { a - $0 }
  }
  public static func * (a: Tensor, b: Float) throws -> Tensor {
    a.requiresGrad || a.dtype != .float32 ? try a * Tensor(b) : try a.mapElements { $0 * b }
  }
  public static func * (a: Float, b: Tensor) throws -> Tensor {
    b.requiresGrad || b.dtype != .float32 ? try Tensor(a) * b : try b.mapElements { a * $0 }
  }
  public static func / (a: Tensor, b: Float) throws -> Tensor {
    a.requiresGrad || a.dtype != .float32 ? try a / Tensor(b) : try a.mapElements { $0 / b }
  }
  public static func / (a: Float, b: Tensor) throws -> Tensor {
    b.requiresGrad || b.dtype != .float32 ? try Tensor(a) / b : try b.mapElements { a / $0 }
  }

  /// `self ** exponent` element-wise with broadcasting. The gradient with
  /// respect to the exponent involves `log(self)`, so it is only computed when
  /// asked for. Edge cases follow PyTorch: where the base is 0 and the
  /// exponent >= 0 the exponent's gradient term is 0 (0 · log 0 counts as 0),
  /// and where the exponent is 0 the base's is 0.
  public func pow(_ exponent: Tensor) throws -> Tensor {
    if dtype != exponent.dtype || !dtype.isFloatingPoint { return try powPromoted(exponent) }
    let node = GradNode.record("pow", self, exponent, { c in
      let (x, p) = (c.inputs[0], c.inputs[1])
      let one = Tensor(1)
      // The masked positions take a harmless stand-in (log 1 = 0, x^0 = 1)
      // instead of a select after the fact: a NaN or inf in the discarded
      // branch would come back as 0 · inf = NaN at second order.
      var dx: Tensor? = nil, dp: Tensor? = nil
      if c.needsGrad[0] {
        let zeroExponent = try p.eq(0)
        let safeP = try Tensor.select(zeroExponent, one, p)
        let slope = try Tensor.select(zeroExponent, Tensor(0), safeP * x.pow(safeP - 1))
        dx = try (c.grad * slope).sumToShape(x.shape)
      }
      if c.needsGrad[1] {
        let zeroBase = try x.eq(0) * p.ge(0)
        dp = try (c.grad * c.output * Tensor.select(zeroBase, one, x).log()).sumToShape(p.shape)
      }
      return [dx, dp]
    })
    if dtype == .float64 {
      return try zipElements(exponent, op: "pow", node: node, of: Double.self, to: Double.self) { Foundation.pow($0, $1) }
    }
    return try zipElements(exponent, op: "pow", node: node) { powf($0, $1) }
  }

  /// `pow` on promoted operands: integer powers of integers stay int64 (a
  /// negative exponent is an error, as PyTorch); anything else is floating.
  private func powPromoted(_ exponent: Tensor) throws -> Tensor {
    let (x, e, dtype) = try Tensor.promote(self, exponent)
    guard dtype == .int64 || dtype == .bool else { return try x.pow(e) }
    let (xi, ei) = (try x.astype(.int64), try e.astype(.int64))
    if ei.elements(as: Int64.self).contains(where: { $0 < 0 }) {
      throw TensorError("pow: integers to negative integer powers are not allowed; convert with .astype(\"float32\")")
    }
    return try xi.zipElements(ei, op: "pow", of: Int64.self, to: Int64.self) { base, power in
      var result: Int64 = 1, b = base, p = power
      while p > 0 {  // square-and-multiply, wrapping on overflow as int64 arithmetic does
        if p & 1 == 1 { result = result &* b }
        b = b &* b
        p >>= 1
      }
      return result
    }
  }

  /// `self ** p` for a constant exponent.
  public func pow(_ p: Float) throws -> Tensor {
    if p == 2 { return try square() }
    let node = GradNode.record("pow", self, { c in
      // p == 0 has zero gradient; p * x^(p-1) would give nan at x == 0.
      if p == 0 { return [try Tensor.zerosLike(c.grad)] }
      if p == 1 { return [c.grad] }
      return [try c.grad * (p * c.inputs[0].pow(p - 1))]
    })
    switch dtype {
    case .float32: return try mapElements(node: node) { powf($0, p) }
    case .float64: return try mapElements(node: node, of: Double.self, to: Double.self) { Foundation.pow($0, Double(p)) }
    case .int64, .bool: return try pow(Tensor(p))  // promotes as the tensor form does
    }
  }

  /// `self * self`.
  public func square() throws -> Tensor {
    let node = GradNode.record("square", self, { c in
      if let fused = try fusedBackward(c.grad, c.inputs[0], { g, x in g * (2 * x) }) { return [fused] }
      return [try c.grad * (2 * c.inputs[0])]
    })
    switch dtype {
    case .float32: return try mapElements(node: node) { $0 * $0 }
    case .float64: return try mapElements(node: node, of: Double.self, to: Double.self) { $0 * $0 }
    case .int64: return try mapElements(of: Int64.self, to: Int64.self) { $0 &* $0 }
    case .bool: return try astype(.int64).square()
    }
  }
}
