import XCTest
@testable import MetaTensor

/// A tiny conv net (conv2d → batchNorm → relu → maxPool → linear →
/// crossEntropy) adapted by one MAML inner step: the second-order
/// meta-gradient d/dθ L_query(θ - α ∇L_support(θ)) against central
/// differences of the meta-loss.
final class NNMetaGradientTests: XCTestCase {
  /// θ = [conv weight, conv bias, gamma, beta, linear weight, linear bias].
  func forward(_ p: [Tensor], _ x: Tensor) throws -> Tensor {
    let conv = try conv2d(x, p[0], bias: p[1], padding: 1)
    let normalized = try batchNorm(conv, gamma: p[2], beta: p[3], training: true).output
    let pooled = try maxPool2d(normalized.relu(), kernel: 2)
    return try pooled.reshape([x.shape[0], -1]).matmul(p[4]) + p[5]
  }

  /// L_query(θ - α ∇L_support(θ)); the inner gradient is part of the graph
  /// (second order) unless `firstOrder`.
  func metaLoss(_ theta: [Tensor], task: (Tensor, Tensor, Tensor, Tensor), alpha: Float,
                firstOrder: Bool = false) throws -> Tensor {
    let (xs, ys, xq, yq) = task
    let support = try crossEntropy(forward(theta, xs), ys)
    let g = try gradients(of: support, wrt: theta, createGraph: !firstOrder)
    let adapted = try zip(theta, g).map { try $0 - alpha * (firstOrder ? $1.detached() : $1) }
    return try crossEntropy(forward(adapted, xq), yq)
  }

  func testSecondOrderMetaGradientMatchesFiniteDifferences() throws {
    var rng = TestRNG(13)
    let theta = [
      try rng.tensor([2, 1, 3, 3], -0.8, 0.8), try rng.tensor([2], -0.2, 0.2),
      try rng.tensor([2], 0.8, 1.2), try rng.tensor([2], -0.2, 0.2),
      try rng.tensor([18, 3], -0.6, 0.6), try rng.tensor([3], -0.1, 0.1),
    ]
    let task = (try rng.tensor([4, 1, 6, 6]), try Tensor(shape: [4], scalars: [0, 1, 2, 1]),
                try rng.tensor([5, 1, 6, 6]), try Tensor(shape: [5], scalars: [2, 0, 1, 0, 2]))
    let alpha: Float = 0.5
    let leaves = theta.map { $0.requiringGrad() }
    let analytic = try gradients(of: metaLoss(leaves, task: task, alpha: alpha), wrt: leaves)
    let firstOrder = try gradients(of: metaLoss(leaves, task: task, alpha: alpha, firstOrder: true), wrt: leaves)

    // Central differences of the Float32 meta-loss (~1, rounding ~1e-6) with
    // h = 1e-3: rounding contributes ~1e-6 / 2e-3 = 5e-4, truncation h² ≈ 1e-6.
    // The inputs are continuous random values, so a step of 1e-3 (moving
    // pre-activations by ~1e-3) crosses no relu kink and no pooling tie here.
    // Tolerance: 1e-2 of the largest gradient entry, which is ~0.3.
    let h: Float = 1e-3
    var numeric: [[Double]] = []
    var worstSecondOrderGap = 0.0
    for (k, t) in theta.enumerated() {
      var values = t.scalars
      var column: [Double] = []
      for i in values.indices {
        let saved = values[i]
        func loss(_ v: Float) throws -> Double {
          values[i] = v
          var perturbed = theta
          perturbed[k] = try Tensor(shape: t.shape, scalars: values)
          // Leaves, so that the inner gradient is taken (constants would get zeros).
          return Double(try metaLoss(perturbed.map { $0.requiringGrad() }, task: task, alpha: alpha).item())
        }
        let (up, down) = (saved + h, saved - h)
        column.append((try loss(up) - loss(down)) / (Double(up) - Double(down)))
        values[i] = saved
      }
      numeric.append(column)
      XCTAssertEqual(analytic[k].shape, t.shape)
      for (a, b) in zip(firstOrder[k].scalars, column) { worstSecondOrderGap = max(worstSecondOrderGap, Swift.abs(Double(a) - b)) }
    }
    let scale = numeric.flatMap { $0 }.map { Swift.abs($0) }.max() ?? 0
    XCTAssertGreaterThan(scale, 1e-2, "meta-gradient should not vanish")
    for k in theta.indices {
      nnAssertClose(analytic[k].scalars, numeric[k], tol: 1e-2, scale: scale, "parameter \(k)")
    }
    // The check has teeth: the first-order approximation differs by far more than the tolerance.
    XCTAssertGreaterThan(worstSecondOrderGap, 10 * 1e-2 * scale)
  }
}
