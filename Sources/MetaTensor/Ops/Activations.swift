import Foundation

/// Smooth activations with PyTorch's definitions and defaults: `softplus`,
/// `gelu` (exact and tanh forms), `elu`, `silu`. float32 runs the vector
/// kernels, float64 the same formulas in double, integers and bools compute
/// in float32. Backward rules are built from differentiable ops; the branch
/// masks (softplus' threshold, elu's x > 0) are constants, whose derivative
/// is zero almost everywhere.
extension Tensor {
  /// `log(1 + e^(beta·x)) / beta`, and `x` itself where `beta·x > threshold`
  /// (PyTorch's `softplus`). Gradient `sigmoid(beta·x)`, 1 past the threshold.
  public func softplus(beta: Float = 1, threshold: Float = 20) throws -> Tensor {
    guard beta != 0, beta.isFinite else { throw TensorError("softplus: beta must be a nonzero number, got \(beta)") }
    if !dtype.isFloatingPoint { return try floating().softplus(beta: beta, threshold: threshold) }
    let node = GradNode.record("softplus", self, { c in
      let x = c.inputs[0]
      let linear = try (x.detached() * beta).gt(Tensor(threshold))
      return [try c.grad * Tensor.select(linear, Tensor(1), (x * beta).sigmoid())]
    })
    if dtype == .float64 {
      let (b, t) = (Double(beta), Double(threshold))
      return try mapElements(node: node, of: Double.self, to: Double.self) { x in
        let z = x * b
        return z > t ? x : ((z > 0 ? z : 0) + Foundation.log1p(Foundation.exp(-Swift.abs(z)))) / b
      }
    }
    return try mapKernel(node: node, op: "softplus") { OpKernels.softplus($0, $1, $2, beta: beta, threshold: threshold) }
  }

  /// `x · Φ(x)` with Φ the standard normal CDF (`0.5 · (1 + erf(x / √2))`),
  /// or with `tanhApproximation` PyTorch's `approximate="tanh"` form
  /// `0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))`.
  public func gelu(tanhApproximation: Bool = false) throws -> Tensor {
    if !dtype.isFloatingPoint { return try floating().gelu(tanhApproximation: tanhApproximation) }
    if tanhApproximation { return try geluTanh() }
    let node = GradNode.record("gelu", self, { c in
      // Φ(x) + x·φ(x), with φ the standard normal density.
      let x = c.inputs[0]
      let cdf = try 0.5 * ((x * Float(0.5.squareRoot())).erf() + 1)
      let pdf = try Float(1 / (2 * Double.pi).squareRoot()) * (-0.5 * x.square()).exp()
      return [try c.grad * (cdf + x * pdf)]
    })
    return try mapKernel(node: node, .gelu)
  }

  private static let geluK = Float((2 / Double.pi).squareRoot())

  private func geluTanh() throws -> Tensor {
    let k = Tensor.geluK
    let node = GradNode.record("gelu", self, { c in
      let x = c.inputs[0]
      let t = try (k * (x + 0.044715 * x * x.square())).tanh()
      // d/dx = 0.5·(1 + t) + 0.5·x·(1 - t²)·k·(1 + 3·0.044715·x²)
      let inner = try k * (1 + 0.134145 * x.square())
      return [try c.grad * (0.5 * (1 + t) + 0.5 * x * (1 - t.square()) * inner)]
    })
    return try mapKernel(node: node, .geluTanh)
  }

  /// `x` where `x > 0`, else `alpha · (e^x - 1)` (PyTorch's `elu`). Gradient 1,
  /// or `alpha · e^x` (the output plus alpha) where `x <= 0`.
  public func elu(alpha: Float = 1) throws -> Tensor {
    if !dtype.isFloatingPoint { return try floating().elu(alpha: alpha) }
    let node = GradNode.record("elu", self, { c in
      // PyTorch's rule: alpha·e^x where x <= 0, else 1 (so 1 at NaN too).
      let negative = try c.inputs[0].detached().le(Tensor(0))
      return [try c.grad * Tensor.select(negative, c.output + alpha, Tensor(1))]
    })
    if dtype == .float64 {
      let a = Double(alpha)
      return try mapElements(node: node, of: Double.self, to: Double.self) { $0 > 0 ? $0 : a * Foundation.expm1($0) }
    }
    return try mapKernel(node: node, op: "elu") { OpKernels.elu($0, $1, $2, alpha: alpha) }
  }

  /// `x · sigmoid(x)` (SiLU, "swish"). Gradient `s · (1 + x · (1 - s))` with
  /// `s = sigmoid(x)`.
  public func silu() throws -> Tensor {
    if !dtype.isFloatingPoint { return try floating().silu() }
    let node = GradNode.record("silu", self, { c in
      let x = c.inputs[0]
      let s = try x.sigmoid()
      return [try c.grad * (s * (1 + x * (1 - s)))]
    })
    return try mapKernel(node: node, .silu)
  }
}
