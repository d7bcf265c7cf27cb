import XCTest
@testable import MetaTensor

/// Batch norm's recorded backward ops (batch_norm_dx, batch_norm_dgamma):
/// their fused and generic backward rules against the double backward of
/// batch norm written in generic ops, and against finite differences.
final class BatchNormSecondOrderTests: XCTestCase {
  var rng = TestRNG(91)

  /// Batch norm in generic differentiable ops (no fused op anywhere).
  func composite(_ x: Tensor, gamma: Tensor?, beta: Tensor?) throws -> Tensor {
    let c = x.shape[1]
    let axes = x.rank == 4 ? [0, 2, 3] : [0], paramShape = x.rank == 4 ? [1, c, 1, 1] : [1, c]
    let centered = try x - x.mean(axes: axes, keepdims: true)
    let std = try (centered.square().mean(axes: axes, keepdims: true) + 1e-5).sqrt()
    var y = try centered * (gamma.map { try $0.reshape(paramShape) / std } ?? (1 / std))
    if let beta { y = try y + beta.reshape(paramShape) }
    return y
  }

  /// Σ u·∂L/∂x + a·∂L/∂γ + b·∂L/∂β for L = Σ w · bn(x), as a graph over
  /// x, γ, w (w is the output gradient g of the batch norm).
  func firstOrderProbe(_ leaves: [Tensor], u: Tensor, a: Tensor, b: Tensor, hasGamma: Bool,
                       bn: ([Tensor]) throws -> Tensor) throws -> (Tensor, [Tensor]) {
    let loss = try (bn(leaves) * leaves[1]).sum()
    let params = hasGamma ? [leaves[0], leaves[2], leaves[3]] : [leaves[0], leaves[2]]
    let g = try gradients(of: loss, wrt: params, createGraph: true)
    var z = try (g[0] * u).sum() + (g[g.count - 1] * b).sum()
    if hasGamma { z = try z + (g[1] * a).sum() }
    return (z, g)
  }

  func testDoubleBackwardMatchesGenericOps() throws {
    for shape in [[6, 5, 9, 7], [33, 8], [2, 3, 1, 1]] {
      for hasGamma in [true, false] {
        let c = shape[1]
        let x = try rng.tensor(shape, -3, 4), w = try rng.tensor(shape)
        let gamma = try rng.tensor([c], 0.5, 2), beta = try rng.tensor([c])
        let u = try rng.tensor(shape), a = try rng.tensor([c]), b = try rng.tensor([c])
        // Leaves: x, w (= g), then gamma (when used) and beta.
        let leaves = (hasGamma ? [x, w, gamma, beta] : [x, w, beta]).map { $0.requiringGrad() }
        let fused: ([Tensor]) throws -> Tensor = { p in
          try batchNorm(p[0], gamma: hasGamma ? p[2] : nil, beta: p[p.count - 1], training: true).output
        }
        let generic: ([Tensor]) throws -> Tensor = { p in
          try self.composite(p[0], gamma: hasGamma ? p[2] : nil, beta: p[p.count - 1])
        }
        let (z, g) = try firstOrderProbe(leaves, u: u, a: a, b: b, hasGamma: hasGamma, bn: fused)
        XCTAssertEqual(g[0].gradOp, "batch_norm_dx")
        if hasGamma { XCTAssertEqual(g[1].gradOp, "batch_norm_dgamma") }
        let wrt = Array(leaves.dropLast())  // β enters the gradient of nothing
        let viaFusedRules = try gradients(of: z, wrt: wrt)
        let viaGenericRules = try gradients(of: z, wrt: wrt, createGraph: true)
        let reference = try gradients(
          of: firstOrderProbe(leaves, u: u, a: a, b: b, hasGamma: hasGamma, bn: generic).0, wrt: wrt)
        XCTAssertTrue(viaGenericRules[0].requiresGrad)
        for k in wrt.indices {
          let expected = reference[k].scalars.map(Double.init)
          let what = "input \(k), shape \(shape), gamma \(hasGamma)"
          nnAssertClose(viaFusedRules[k].scalars, expected, tol: 2e-4, floor: 1e-2, "fused rules, \(what)")
          nnAssertClose(viaGenericRules[k].scalars, expected, tol: 2e-4, floor: 1e-2, "generic rules, \(what)")
        }
      }
    }
  }

  func testDoubleBackwardMatchesFiniteDifferences() throws {
    // Hessian-vector products of a loss through batch norm, with the output
    // gradient depending on the inputs (tanh), for x, γ and β together.
    let x = try rng.tensor([4, 3, 2, 2], -1, 2), gamma = try rng.tensor([3], 0.5, 1.5), beta = try rng.tensor([3])
    try nnCheckHessianVectorProducts([x, gamma, beta]) { p in
      try batchNorm(p[0], gamma: p[1], beta: p[2], training: true).output.tanh()
    }
    let x2 = try rng.tensor([6, 4], -2, 2)
    try nnCheckHessianVectorProducts([x2]) { p in try batchNorm(p[0], training: true).output.sin() }
  }

  func testThirdOrderThroughTheRecordedOps() throws {
    // d³/dt³ of Σ w · bn(x + t v, γ + t e)³: the recorded ops' generic rules
    // are differentiated once more.
    let x = try rng.tensor([3, 2, 2, 2]), v = try rng.tensor(x.shape), w = try rng.tensor(x.shape)
    let gamma = try rng.tensor([2], 0.5, 1.5), e = try rng.tensor([2])
    func third(_ bn: @escaping (Tensor, Tensor) throws -> Tensor) throws -> Float {
      let f: (Tensor) throws -> Tensor = { t in try (bn(x + t * v, gamma + t * e).pow(3) * w).sum() }
      return try grad(grad(grad(f)))(Tensor(0)).item()
    }
    let fused = try third { try batchNorm($0, gamma: $1, training: true).output }
    let expected = try third { try self.composite($0, gamma: $1, beta: nil) }
    XCTAssertGreaterThan(Swift.abs(expected), 1e-2)
    XCTAssertEqual(fused, expected, accuracy: 1e-3 * Swift.abs(expected))
  }
}
