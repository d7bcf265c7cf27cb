import Foundation

/// Differentiable element-wise functions. Each backward rule is itself built
/// from differentiable ops (reusing the output where that is cheaper), so
/// higher derivatives come for free. Masks (relu, abs, clamp) are constants:
/// their derivative is zero almost everywhere.
extension Tensor {
  /// e^x.
  public func exp() throws -> Tensor {
    let node = GradNode.record("exp", self, { c in [try c.grad * c.output] })
    return try mapVector(node: node, .exp)
  }

  /// Natural logarithm.
  public func log() throws -> Tensor {
    let node = GradNode.record("log", self, { c in [try c.grad / c.inputs[0]] })
    return try mapVector(node: node, .log)
  }

  /// Square root.
  public func sqrt() throws -> Tensor {
    let node = GradNode.record("sqrt", self, { c in [try c.grad / (2 * c.output)] })
    return try mapElements(node: node) { $0.squareRoot() }
  }

  /// Hyperbolic tangent.
  public func tanh() throws -> Tensor {
    let node = GradNode.record("tanh", self, { c in [try c.grad * (1 - c.output.square())] })
    return try mapVector(node: node, .tanh)
  }

  /// 1 / (1 + e^-x), computed without overflow.
  public func sigmoid() throws -> Tensor {
    let node = GradNode.record("sigmoid", self, { c in [try c.grad * c.output * (1 - c.output)] })
    return try mapVector(node: node, .sigmoid)
  }

  /// max(x, 0).
  public func relu() throws -> Tensor {
    let node = GradNode.record("relu", self, { c in [try c.grad.keepingWhere(positive: c.inputs[0])] })
    return try mapElements(node: node) { $0 > 0 ? $0 : 0 }
  }

  /// `self` where `x > 0`, else 0 (`x` broadcast to this shape): relu's
  /// backward in one op, with no mask tensor. Differentiable in `self` (to
  /// any order: its own backward is the same op); the mask is a constant.
  func keepingWhere(positive x: Tensor) throws -> Tensor {
    let mask = x.detached()
    let node = GradNode.record("relu_backward", self, { c in [try c.grad.keepingWhere(positive: mask)] })
    let result = try zipElements(mask, op: "relu", node: node) { $1 > 0 ? $0 : 0 }
    guard result.shape == shape else {
      throw TensorError("relu: mask of shape \(shapeText(x.shape)) does not match \(shapeText(shape))")
    }
    return result
  }

  /// `x` for positive `x`, else `slope * x`.
  public func leakyRelu(slope: Float = 0.01) throws -> Tensor {
    let node = GradNode.record("leaky_relu", self, { c in
      [try c.grad * c.inputs[0].mapElements { $0 > 0 ? 1 : slope }]
    })
    return try mapElements(node: node) { $0 > 0 ? $0 : slope * $0 }
  }

  /// |x| (gradient sign(x), 0 at 0).
  public func abs() throws -> Tensor {
    let node = GradNode.record("abs", self, { c in [try c.grad * c.inputs[0].sign()] })
    return try mapElements(node: node) { Swift.abs($0) }
  }

  /// Sine (radians).
  public func sin() throws -> Tensor {
    let node = GradNode.record("sin", self, { c in [try c.grad * c.inputs[0].cos()] })
    return try mapElements(node: node) { Foundation.sin($0) }
  }

  /// Cosine (radians).
  public func cos() throws -> Tensor {
    let node = GradNode.record("cos", self, { c in [try c.grad * -c.inputs[0].sin()] })
    return try mapElements(node: node) { Foundation.cos($0) }
  }

  /// -1, 0 or 1, NaN for NaN as NumPy's and PyTorch's (not differentiable: a constant).
  public func sign() throws -> Tensor {
    try mapElements { $0 > 0 ? 1 : ($0 < 0 ? -1 : ($0 == 0 ? 0 : $0)) }
  }

  /// Limits every element to `[min, max]` (either bound optional). The
  /// gradient passes where the input lies inside the bounds.
  public func clamp(min low: Float? = nil, max high: Float? = nil) throws -> Tensor {
    if let low, let high, low > high {
      throw TensorError("clamp: min \(low) is greater than max \(high)")
    }
    let lo = low ?? -.infinity, hi = high ?? .infinity
    let node = GradNode.record("clamp", self, { c in
      [try c.grad * c.inputs[0].mapElements { $0 >= lo && $0 <= hi ? 1 : 0 }]
    })
    return try mapElements(node: node) { Swift.min(Swift.max($0, lo), hi) }
  }
}
