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
  /// asked for.
  public func pow(_ exponent: Tensor) throws -> Tensor {
    let node = GradNode.record("pow", self, exponent, { c in
      let (x, p) = (c.inputs[0], c.inputs[1])
      return [try c.needsGrad[0] ? (c.grad * p * x.pow(p - 1)).sumToShape(x.shape) : nil,
              try c.needsGrad[1] ? (c.grad * c.output * x.log()).sumToShape(p.shape) : nil]
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
