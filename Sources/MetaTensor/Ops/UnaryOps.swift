import Foundation

/// Differentiable element-wise functions. Each backward rule is itself built
/// from differentiable ops (reusing the output where that is cheaper), so
/// higher derivatives come for free. Masks (relu, abs, clamp) are constants:
/// their derivative is zero almost everywhere.
extension Tensor {
  /// e^x.
  public func exp() throws -> Tensor {
    if !dtype.isFloatingPoint { return try floating().exp() }
    let node = GradNode.record("exp", self, { c in [try c.grad * c.output] })
    return try mapVector(node: node, .exp)
  }

  /// Natural logarithm.
  public func log() throws -> Tensor {
    if !dtype.isFloatingPoint { return try floating().log() }
    let node = GradNode.record("log", self, { c in [try c.grad / c.inputs[0]] })
    return try mapVector(node: node, .log)
  }

  /// Square root.
  public func sqrt() throws -> Tensor {
    if !dtype.isFloatingPoint { return try floating().sqrt() }
    let node = GradNode.record("sqrt", self, { c in [try c.grad / (2 * c.output)] })
    return try mapFloating(node: node, { $0.squareRoot() }, { $0.squareRoot() })
  }

  /// Square root whose derivative at 0 is 0 instead of +inf (0 is the right
  /// limit where it divides a numerator that is 0 there, as Adam's update
  /// m / sqrt(v) of a gradient element that is exactly 0; differentiating
  /// through plain `sqrt` gives inf · 0 = NaN: TorchOpt's issue #26). Values
  /// are exactly `sqrt`'s; the backward rule substitutes 1 for the root at
  /// the zeros before dividing, so every order of derivative stays finite.
  public func safeSqrt() throws -> Tensor {
    if !dtype.isFloatingPoint { return try floating().safeSqrt() }
    let node = GradNode.record("safe_sqrt", self, { c in
      let zero = try c.inputs[0].detached().eq(Tensor(0))
      let root = try Tensor.select(zero, Tensor(1), c.output)
      return [try Tensor.select(zero, Tensor(0), c.grad / (2 * root))]
    })
    return try mapFloating(node: node, { $0.squareRoot() }, { $0.squareRoot() })
  }

  /// Hyperbolic tangent.
  public func tanh() throws -> Tensor {
    if !dtype.isFloatingPoint { return try floating().tanh() }
    let node = GradNode.record("tanh", self, { c in
      if let fused = try fusedBackward(c.grad, c.output, { g, y in g * (1 - y * y) }) { return [fused] }
      return [try c.grad * (1 - c.output.square())]
    })
    return try mapVector(node: node, .tanh)
  }

  /// 1 / (1 + e^-x), computed without overflow.
  public func sigmoid() throws -> Tensor {
    if !dtype.isFloatingPoint { return try floating().sigmoid() }
    let node = GradNode.record("sigmoid", self, { c in [try c.grad * c.output * (1 - c.output)] })
    return try mapVector(node: node, .sigmoid)
  }

  /// max(x, 0); NaN stays NaN and passes the gradient (as PyTorch).
  public func relu() throws -> Tensor {
    if dtype == .int64 { return try mapElements(of: Int64.self, to: Int64.self) { Swift.max($0, 0) } }
    if dtype == .bool { return self }
    let node = GradNode.record("relu", self, { c in [try c.grad.keepingWhere(positive: c.inputs[0])] })
    return try mapFloating(node: node, { $0 <= 0 ? 0 : $0 }, { $0 <= 0 ? 0 : $0 })
  }

  /// `self` where `x > 0` or `x` is NaN, else 0 (`x` broadcast to this
  /// shape): relu's backward in one op, with no mask tensor (PyTorch's
  /// `threshold_backward`: only `x <= 0` blocks). Differentiable in `self`
  /// (to any order: its own backward is the same op); the mask is a constant.
  func keepingWhere(positive x: Tensor) throws -> Tensor {
    let mask = x.detached()
    let node = GradNode.record("relu_backward", self, { c in [try c.grad.keepingWhere(positive: mask)] })
    let result = dtype == .float64
      ? try zipElements(mask.astype(.float64), op: "relu", node: node, of: Double.self, to: Double.self) { $1 <= 0 ? 0 : $0 }
      : try zipElements(mask.astype(.float32), op: "relu", node: node) { $1 <= 0 ? 0 : $0 }
    guard result.shape == shape else {
      throw TensorError("relu: mask of shape \(shapeText(x.shape)) does not match \(shapeText(shape))")
    }
    return result
  }

  /// `x` for positive `x`, else `slope * x`.
  public func leakyRelu(slope: Float = 0.01) throws -> Tensor {
    if !dtype.isFloatingPoint { return try floating().leakyRelu(slope: slope) }
    let node = GradNode.record("leaky_relu", self, { c in
      [try c.grad * c.inputs[0].mapFloating({ $0 > 0 ? 1 : slope }, { $0 > 0 ? 1 : Double(slope) })]
    })
    return try mapFloating(node: node, { $0 > 0 ? $0 : slope * $0 }, { $0 > 0 ? $0 : Double(slope) * $0 })
  }

  /// |x| (gradient sign(x), 0 at 0).
  public func abs() throws -> Tensor {
    if dtype == .int64 { return try mapElements(of: Int64.self, to: Int64.self) { $0 == .min ? $0 : Swift.abs($0) } }
    if dtype == .bool { return self }
    let node = GradNode.record("abs", self, { c in [try c.grad * c.inputs[0].sign()] })
    return try mapFloating(node: node, { Swift.abs($0) }, { Swift.abs($0) })
  }

  /// Sine (radians).
  public func sin() throws -> Tensor {
    if !dtype.isFloatingPoint { return try floating().sin() }
    let node = GradNode.record("sin", self, { c in [try c.grad * c.inputs[0].cos()] })
    return try mapFloating(node: node, { Foundation.sin($0) }, { Foundation.sin($0) })
  }

  /// Cosine (radians).
  public func cos() throws -> Tensor {
    if !dtype.isFloatingPoint { return try floating().cos() }
    let node = GradNode.record("cos", self, { c in [try c.grad * -c.inputs[0].sin()] })
    return try mapFloating(node: node, { Foundation.cos($0) }, { Foundation.cos($0) })
  }

  /// -1, 0 or 1, NaN for NaN as NumPy's and PyTorch's (not differentiable: a constant).
  public func sign() throws -> Tensor {
    switch dtype {
    case .int64: return try mapElements(of: Int64.self, to: Int64.self) { $0.signum() }
    case .bool: return self
    default:
      return try detached().mapFloating({ $0 > 0 ? 1 : ($0 < 0 ? -1 : ($0 == 0 ? 0 : $0)) },
                                        { $0 > 0 ? 1 : ($0 < 0 ? -1 : ($0 == 0 ? 0 : $0)) })
    }
  }

  /// `f32` or `f64` on every element of a float32 or float64 tensor.
  @inline(__always)
  func mapFloating(node: GradNode? = nil, _ f32: (Float) -> Float, _ f64: (Double) -> Double) throws -> Tensor {
    dtype == .float64
      ? try mapElements(node: node, of: Double.self, to: Double.self, f64)
      : try mapElements(node: node, f32)
  }

  /// Limits every element to `[min, max]` (either bound optional). The
  /// gradient passes where the input lies inside the bounds.
  public func clamp(min low: Float? = nil, max high: Float? = nil) throws -> Tensor {
    if let low, let high, low > high {
      throw TensorError("clamp: min \(low) is greater than max \(high)")
    }
    if !dtype.isFloatingPoint { return try floating().clamp(min: low, max: high) }
    let lo = low ?? -.infinity, hi = high ?? .infinity
    let (lo64, hi64) = (Double(lo), Double(hi))
    let node = GradNode.record("clamp", self, { c in
      [try c.grad * c.inputs[0].mapFloating({ $0 >= lo && $0 <= hi ? 1 : 0 }, { $0 >= lo64 && $0 <= hi64 ? 1 : 0 })]
    })
    // NaN stays NaN (as PyTorch); its gradient is 0, as PyTorch's mask gives.
    return try mapFloating(node: node, { $0 < lo ? lo : ($0 > hi ? hi : $0) }, { $0 < lo64 ? lo64 : ($0 > hi64 ? hi64 : $0) })
  }
}
