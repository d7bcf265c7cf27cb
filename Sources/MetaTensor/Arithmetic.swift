import Foundation

/// Differentiable arithmetic with NumPy broadcasting.
///
/// The operators `+ - * /` are `throws` (mismatched shapes are a runtime
/// condition in a scripting language), so one `try` covers a whole expression:
/// `try a * b + 2 * c`. Float operands become 0-d constants.
extension Tensor {
  /// Element-wise sum with broadcasting.
  public static func + (a: Tensor, b: Tensor) throws -> Tensor {
    let node = GradNode.record("add", a, b, { c in
      [try c.needsGrad[0] ? c.grad.sumToShape(c.inputs[0].shape) : nil,
       try c.needsGrad[1] ? c.grad.sumToShape(c.inputs[1].shape) : nil]
    })
    return try a.zipElements(b, op: "add", node: node) { $0 + $1 }
  }

  /// Element-wise difference with broadcasting.
  public static func - (a: Tensor, b: Tensor) throws -> Tensor {
    let node = GradNode.record("sub", a, b, { c in
      [try c.needsGrad[0] ? c.grad.sumToShape(c.inputs[0].shape) : nil,
       try c.needsGrad[1] ? (-c.grad).sumToShape(c.inputs[1].shape) : nil]
    })
    return try a.zipElements(b, op: "sub", node: node) { $0 - $1 }
  }

  /// Element-wise product with broadcasting.
  public static func * (a: Tensor, b: Tensor) throws -> Tensor {
    let node = GradNode.record("mul", a, b, { c in
      [try c.needsGrad[0] ? (c.grad * c.inputs[1]).sumToShape(c.inputs[0].shape) : nil,
       try c.needsGrad[1] ? (c.grad * c.inputs[0]).sumToShape(c.inputs[1].shape) : nil]
    })
    return try a.zipElements(b, op: "mul", node: node) { $0 * $1 }
  }

  /// Element-wise quotient with broadcasting.
  public static func / (a: Tensor, b: Tensor) throws -> Tensor {
    let node = GradNode.record("div", a, b, { c in
      // d(a/b)/db = -a/b² = -(a/b)/b, reusing the output.
      [try c.needsGrad[0] ? (c.grad / c.inputs[1]).sumToShape(c.inputs[0].shape) : nil,
       try c.needsGrad[1] ? (-(c.grad * c.output / c.inputs[1])).sumToShape(c.inputs[1].shape) : nil]
    })
    return try a.zipElements(b, op: "div", node: node) { $0 / $1 }
  }

  /// Element-wise negation.
  public static prefix func - (x: Tensor) throws -> Tensor {
    let node = GradNode.record("neg", x, { c in [try -c.grad] })
    return try x.mapElements(node: node) { -$0 }
  }

  // Tensor-Float mixes: the number is a 0-d constant. Untracked operands skip
  // building that constant (same arithmetic, one allocation less per op).
  public static func + (a: Tensor, b: Float) throws -> Tensor {
    a.requiresGrad ? try a + Tensor(b) : try a.mapElements { $0 + b }
  }
  public static func + (a: Float, b: Tensor) throws -> Tensor {
    b.requiresGrad ? try Tensor(a) + b : try b.mapElements { a + $0 }
  }
  public static func - (a: Tensor, b: Float) throws -> Tensor {
    a.requiresGrad ? try a - Tensor(b) : try a.mapElements { $0 - b }
  }
  public static func - (a: Float, b: Tensor) throws -> Tensor {
    b.requiresGrad ? try Tensor(a) - b : try b.mapElements { a - $0 }
  }
  public static func * (a: Tensor, b: Float) throws -> Tensor {
    a.requiresGrad ? try a * Tensor(b) : try a.mapElements { $0 * b }
  }
  public static func * (a: Float, b: Tensor) throws -> Tensor {
    b.requiresGrad ? try Tensor(a) * b : try b.mapElements { a * $0 }
  }
  public static func / (a: Tensor, b: Float) throws -> Tensor {
    a.requiresGrad ? try a / Tensor(b) : try a.mapElements { $0 / b }
  }
  public static func / (a: Float, b: Tensor) throws -> Tensor {
    b.requiresGrad ? try Tensor(a) / b : try b.mapElements { a / $0 }
  }

  /// `self ** exponent` element-wise with broadcasting. The gradient with
  /// respect to the exponent involves `log(self)`, so it is only computed when
  /// asked for. Edge cases follow PyTorch: where the base is 0 and the
  /// exponent >= 0 the exponent's gradient term is 0 (0 · log 0 counts as 0),
  /// and where the exponent is 0 the base's is 0.
  public func pow(_ exponent: Tensor) throws -> Tensor {
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
    return try zipElements(exponent, op: "pow", node: node) { powf($0, $1) }
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
    return try mapElements(node: node) { powf($0, p) }
  }

  /// `self * self`.
  public func square() throws -> Tensor {
    let node = GradNode.record("square", self, { c in [try c.grad * (2 * c.inputs[0])] })
    return try mapElements(node: node) { $0 * $0 }
  }
}
