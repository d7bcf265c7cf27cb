import MetaKernels
import XCTest
@testable import MetaTensor

/// The fused batch norm against a Double reference and against the composite
/// formulation it replaced (generic differentiable ops), to every order.
final class BatchNormFusedTests: XCTestCase {
  var rng = TestRNG(77)

  /// Per-channel (mean, biased variance, count) in Double.
  func stats(_ x: Tensor) -> [(mean: Double, variance: Double, count: Int)] {
    let c = x.shape[1], inner = x.shape.dropFirst(2).reduce(1, *), xs = x.scalars
    return (0..<c).map { ch in
      var values: [Double] = []
      for n in 0..<x.shape[0] { for i in 0..<inner { values.append(Double(xs[(n * c + ch) * inner + i])) } }
      let mean = values.reduce(0, +) / Double(values.count)
      return (mean, values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count), values.count)
    }
  }

  /// The training-mode output in Double.
  func reference(_ x: Tensor, gamma: Tensor?, beta: Tensor?, eps: Double) -> [Double] {
    let c = x.shape[1], inner = x.shape.dropFirst(2).reduce(1, *), s = stats(x)
    let g = gamma?.scalars, b = beta?.scalars
    return x.scalars.enumerated().map { i, v in
      let ch = (i / inner) % c
      let xhat = (Double(v) - s[ch].mean) / (s[ch].variance + eps).squareRoot()
      return xhat * Double(g?[ch] ?? 1) + Double(b?[ch] ?? 0)
    }
  }

  /// Batch norm as it was built before fusion: generic differentiable ops.
  func composite(_ x: Tensor, gamma: Tensor?, beta: Tensor?, eps: Float = 1e-5) throws -> Tensor {
    let c = x.shape[1]
    let axes = x.rank == 4 ? [0, 2, 3] : [0], paramShape = x.rank == 4 ? [1, c, 1, 1] : [1, c]
    let centered = try x - x.mean(axes: axes, keepdims: true)
    let std = try (centered.square().mean(axes: axes, keepdims: true) + eps).sqrt()
    var y = try centered * (gamma.map { try $0.reshape(paramShape) / std } ?? (1 / std))
    if let beta { y = try y + beta.reshape(paramShape) }
    return y
  }

  func testForwardMatchesDoubleReference() throws {
    for shape in [[3, 5, 7, 3], [7, 4], [2, 3, 1, 1], [5, 2, 17, 19]] {
      let c = shape[1]
      var values = try rng.tensor(shape, -2, 3).scalars
      // Channel 1 constant: its output is beta exactly (0 times a finite scale).
      let inner = shape.dropFirst(2).reduce(1, *)
      for n in 0..<shape[0] { for i in 0..<inner { values[(n * c + 1) * inner + i] = 2.5 } }
      let x = try Tensor(shape: shape, scalars: values)
      let gamma = try rng.tensor([c], 0.5, 2), beta = try rng.tensor([c])
      for (g, b) in [(gamma, beta), (nil, nil), (gamma, nil), (nil, beta)] as [(Tensor?, Tensor?)] {
        let y = try batchNorm(x, gamma: g, beta: b, training: true).output
        XCTAssertEqual(y.shape, shape)
        let expected = reference(x, gamma: g, beta: b, eps: 1e-5)
        nnAssertClose(y.scalars, expected, tol: 1e-5, "shape \(shape) gamma \(g != nil) beta \(b != nil)")
        let constant = (0..<shape[0]).flatMap { n in (0..<inner).map { y.scalars[(n * c + 1) * inner + $0] } }
        XCTAssertEqual(Set(constant), [b?.scalars[1] ?? 0], "constant channel, shape \(shape)")
      }
    }
  }

  func testLargeOffsetKeepsVarianceAccurate() throws {
    // x = 1000 + U(-1, 1): the variance (1/3) is 3e-7 of x², so summing x²
    // in Float would lose it; 2^18 values also split the work over threads.
    let shape = [16, 4, 64, 64]
    let x = try rng.tensor(shape, -1, 1) + 1000
    let r = try batchNorm(x, runningMean: Tensor.zeros([4]), runningVar: Tensor.zeros([4]),
                          training: true, momentum: 1)
    let s = stats(x)
    let unbiased = s.map { $0.variance * Double($0.count) / Double($0.count - 1) }
    nnAssertClose(try XCTUnwrap(r.runningVar).scalars, unbiased, tol: 1e-5)
    nnAssertClose(try XCTUnwrap(r.runningMean).scalars, s.map(\.mean), tol: 1e-7)
    // The output can be no closer than the Float rounding of the mean
    // (3e-5 at 1000) over the standard deviation (0.58): 1e-4 of ~1.7.
    nnAssertClose(r.output.scalars, reference(x, gamma: nil, beta: nil, eps: 1e-5), tol: 1e-4)
  }

  func testResultsDoNotDependOnThreadCount() throws {
    let x = try rng.tensor([8, 6, 80, 70]), gamma = try rng.tensor([6]), beta = try rng.tensor([6])
    let w = try rng.tensor(x.shape)
    func run(threads: Int) throws -> [[Float]] {
      let saved = ThreadPool.maxThreads
      defer { ThreadPool.maxThreads = saved }
      ThreadPool.maxThreads = threads
      let leaves = [x, gamma, beta].map { $0.requiringGrad() }
      let y = try batchNorm(leaves[0], gamma: leaves[1], beta: leaves[2], training: true).output
      return try [y.scalars] + gradients(of: (y * w).sum(), wrt: leaves).map(\.scalars)
    }
    XCTAssertEqual(try run(threads: 1), try run(threads: 2))
    XCTAssertEqual(try run(threads: 1), try run(threads: 3))
  }

  func testFirstOrderGradientsMatchFiniteDifferences() throws {
    let x4 = try rng.tensor([3, 3, 3, 5], -1, 2), x2 = try rng.tensor([7, 3])
    let gamma = try rng.tensor([3], 0.5, 1.5), beta = try rng.tensor([3])
    for x in [x4, x2] {
      try nnCheckGradients([x, gamma, beta]) { p in try batchNorm(p[0], gamma: p[1], beta: p[2], training: true).output }
      try nnCheckGradients([x]) { p in try batchNorm(p[0], training: true).output }
      try nnCheckGradients([x, beta]) { p in try batchNorm(p[0], beta: p[1], training: true).output }
    }
  }

  /// Gradients of Σ w·bn(x) from the fused op with and without a graph
  /// (fused loops vs generic ops) and from the composite formulation.
  func testFusedBackwardEqualsCompositeBackward() throws {
    for shape in [[6, 5, 9, 7], [33, 8]] {
      let c = shape[1]
      let x = try rng.tensor(shape, -3, 4), w = try rng.tensor(shape)
      let gamma = try rng.tensor([c], 0.5, 2), beta = try rng.tensor([c])
      let leaves = [x, gamma, beta].map { $0.requiringGrad() }
      let loss = try (batchNorm(leaves[0], gamma: leaves[1], beta: leaves[2], training: true).output * w).sum()
      let fast = try gradients(of: loss, wrt: leaves)
      let viaGraph = try gradients(of: loss, wrt: leaves, createGraph: true)
      let reference = try gradients(
        of: (composite(leaves[0], gamma: leaves[1], beta: leaves[2]) * w).sum(), wrt: leaves)
      XCTAssertNil(fast[0].gradOp, "the first-order gradient builds no graph")
      XCTAssertTrue(viaGraph[0].requiresGrad, "createGraph gives a differentiable gradient")
      for k in 0..<3 {
        let expected = reference[k].scalars.map(Double.init)
        nnAssertClose(fast[k].scalars, expected, tol: 1e-5, "fused, input \(k), shape \(shape)")
        nnAssertClose(viaGraph[k].scalars, expected, tol: 1e-5, "generic ops, input \(k), shape \(shape)")
      }
    }
  }

  func testHessianVectorProductsMatchFiniteDifferences() throws {
    let x = try rng.tensor([3, 2, 3, 3], -1, 2), gamma = try rng.tensor([2], 0.5, 1.5), beta = try rng.tensor([2])
    try nnCheckHessianVectorProducts([x, gamma, beta]) { p in
      try batchNorm(p[0], gamma: p[1], beta: p[2], training: true).output.tanh()
    }
    let x2 = try rng.tensor([5, 3]), beta3 = try rng.tensor([3])
    try nnCheckHessianVectorProducts([x2, beta3]) { p in
      try batchNorm(p[0], beta: p[1], training: true).output.sigmoid()
    }
  }

  func testThirdOrderEqualsComposite() throws {
    // d³/dt³ of Σ w·bn(x + t v)³ at t = 0, through three nested gradients.
    let x = try rng.tensor([4, 2, 2, 3]), v = try rng.tensor(x.shape), w = try rng.tensor(x.shape)
    let gamma = try rng.tensor([2], 0.5, 1.5)
    func third(_ bn: @escaping (Tensor) throws -> Tensor) throws -> Float {
      let f: (Tensor) throws -> Tensor = { t in try (bn(x + t * v).pow(3) * w).sum() }
      return try grad(grad(grad(f)))(Tensor(0)).item()
    }
    let fused = try third { try batchNorm($0, gamma: gamma, training: true).output }
    let expected = try third { try self.composite($0, gamma: gamma, beta: nil) }
    XCTAssertGreaterThan(Swift.abs(expected), 1e-2)
    XCTAssertEqual(fused, expected, accuracy: 1e-4 * Swift.abs(expected))
  }

  /// One MAML step on a linear layer followed by batch norm and tanh:
  /// L_q(θ - α ∇L_s(θ)) with θ = (weight, gamma, beta).
  func metaLoss(_ theta: [Tensor], _ xs: Tensor, _ xq: Tensor, _ target: Tensor,
                _ bn: (Tensor, Tensor, Tensor) throws -> Tensor) throws -> Tensor {
    func loss(_ p: [Tensor], _ x: Tensor) throws -> Tensor {
      try mse(bn(x.matmul(p[0]), p[1], p[2]).tanh(), target)
    }
    let g = try gradients(of: loss(theta, xs), wrt: theta, createGraph: true)
    return try loss(zip(theta, g).map { try $0 - 0.5 * $1 }, xq)
  }

  func testMAMLGradientOfGradientThroughBatchNorm() throws {
    let theta = [try rng.tensor([4, 3], -0.8, 0.8), try rng.tensor([3], 0.8, 1.2), try rng.tensor([3], -0.2, 0.2)]
    let xs = try rng.tensor([6, 4]), xq = try rng.tensor([6, 4]), target = try rng.tensor([6, 3], -0.5, 0.5)
    let fusedBN: (Tensor, Tensor, Tensor) throws -> Tensor = { try batchNorm($0, gamma: $1, beta: $2, training: true).output }
    let compositeBN: (Tensor, Tensor, Tensor) throws -> Tensor = { try self.composite($0, gamma: $1, beta: $2) }
    let leaves = theta.map { $0.requiringGrad() }
    let fused = try gradients(of: metaLoss(leaves, xs, xq, target, fusedBN), wrt: leaves)
    let viaComposite = try gradients(of: metaLoss(leaves, xs, xq, target, compositeBN), wrt: leaves)
    // Central differences of the Float meta-loss (~0.3): h = 1e-3 gives
    // ~1e-6 / 2e-3 = 5e-4 of rounding; tolerance 1e-2 of the largest entry.
    let h: Float = 1e-3
    for k in theta.indices {
      var values = theta[k].scalars
      var numeric: [Double] = []
      for i in values.indices {
        let saved = values[i]
        func at(_ v: Float) throws -> Double {
          values[i] = v
          var p = theta
          p[k] = try Tensor(shape: theta[k].shape, scalars: values)
          return Double(try metaLoss(p.map { $0.requiringGrad() }, xs, xq, target, fusedBN).item())
        }
        let (up, down) = (saved + h, saved - h)
        numeric.append((try at(up) - at(down)) / (Double(up) - Double(down)))
        values[i] = saved
      }
      nnAssertClose(fused[k].scalars, numeric, tol: 1e-2, floor: 1e-2, "parameter \(k) vs finite differences")
      nnAssertClose(fused[k].scalars, viaComposite[k].scalars.map(Double.init), tol: 1e-4, "parameter \(k) vs composite")
    }
  }

  func testRunningStatisticsMatchTheFormerUpdate() throws {
    for shape in [[5, 3, 4, 6], [9, 3]] {
      let x = try rng.tensor(shape, -2, 5)
      let rm = try rng.tensor([3]), rv = try rng.tensor([3], 0.5, 1.5)
      let r = try batchNorm(x, runningMean: rm, runningVar: rv, training: true, momentum: 0.3)
      // The former code: the statistics of generic ops, then the same blend.
      let axes = shape.count == 4 ? [0, 2, 3] : [0]
      let mean = try x.mean(axes: axes, keepdims: true)
      let variance = try (x - mean).square().mean(axes: axes)
      let m = Float(x.count / 3)
      let expectedMean = try 0.7 * rm + 0.3 * mean.reshape([3])
      let expectedVar = try 0.7 * rv + (0.3 * m / (m - 1)) * variance
      XCTAssertClose(try XCTUnwrap(r.runningMean).scalars, expectedMean.scalars, tol: 1e-6)
      XCTAssertClose(try XCTUnwrap(r.runningVar).scalars, expectedVar.scalars, tol: 1e-6)
    }
  }

  func testEvaluationModeIsDifferentiableInEveryInput() throws {
    let x = try rng.tensor([3, 2, 2, 3]), gamma = try rng.tensor([2], 0.5, 1.5), beta = try rng.tensor([2])
    let rm = try rng.tensor([2]), rv = try rng.tensor([2], 0.5, 1.5)
    try nnCheckGradients([x, gamma, beta, rm, rv]) { p in
      try batchNorm(p[0], gamma: p[1], beta: p[2], runningMean: p[3], runningVar: p[4], training: false).output
    }
    try nnCheckHessianVectorProducts([x, gamma, beta, rm, rv]) { p in
      try batchNorm(p[0], gamma: p[1], beta: p[2], runningMean: p[3], runningVar: p[4], training: false).output.tanh()
    }
    let x2 = try rng.tensor([4, 3]), rm3 = try rng.tensor([3]), rv3 = try rng.tensor([3], 0.5, 1.5)
    try nnCheckHessianVectorProducts([x2, rv3]) { p in
      try batchNorm(p[0], runningMean: rm3, runningVar: p[1], training: false).output.square()
    }
  }

  func testNonContiguousAndEmptyInputs() throws {
    let base = try rng.tensor([3, 4, 5, 2])
    let x = try base.permute([0, 3, 1, 2])  // [3, 2, 4, 5], strided
    XCTAssertFalse(x.isContiguous)
    let y = try batchNorm(x, training: true).output
    nnAssertClose(y.scalars, reference(try x.contiguous(), gamma: nil, beta: nil, eps: 1e-5), tol: 1e-5)
    let none = try batchNorm(Tensor.zeros([2, 0, 3, 3]), training: true)
    XCTAssertEqual(none.output.shape, [2, 0, 3, 3])
    let eval = try batchNorm(Tensor.zeros([0, 2]), runningMean: Tensor.zeros([2]), runningVar: Tensor.ones([2]),
                             training: false)
    XCTAssertEqual(eval.output.shape, [0, 2])
  }
}
