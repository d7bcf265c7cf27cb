import XCTest
@testable import MetaTensor

/// batchNorm: values and running statistics against a Double reference,
/// derivatives through the batch statistics, evaluation mode, errors.
final class NNBatchNormTests: XCTestCase {
  var rng = TestRNG(31)

  /// Per-channel statistics over every axis but 1, in Double: (mean, biased var, count).
  func channelStats(_ x: Tensor) -> [(mean: Double, variance: Double, count: Int)] {
    let c = x.shape[1], inner = x.shape.dropFirst(2).reduce(1, *), xs = x.scalars
    return (0..<c).map { ch in
      var values: [Double] = []
      for n in 0..<x.shape[0] { for i in 0..<inner { values.append(Double(xs[(n * c + ch) * inner + i])) } }
      let mean = values.reduce(0, +) / Double(values.count)
      let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)
      return (mean, variance, values.count)
    }
  }

  func reference(_ x: Tensor, stats: [(mean: Double, variance: Double)], gamma: Tensor, beta: Tensor, eps: Double) -> [Double] {
    let c = x.shape[1], inner = x.shape.dropFirst(2).reduce(1, *)
    let g = gamma.scalars, b = beta.scalars
    return x.scalars.enumerated().map { i, v in
      let ch = (i / inner) % c
      return (Double(v) - stats[ch].mean) / (stats[ch].variance + eps).squareRoot() * Double(g[ch]) + Double(b[ch])
    }
  }

  func testTrainingModeMatchesReferenceAndUpdatesRunningStats() throws {
    for shape in [[4, 3, 5, 2], [6, 4]] {
      let x = try rng.tensor(shape, -2, 3)
      let c = shape[1]
      let gamma = try rng.tensor([c], 0.5, 2), beta = try rng.tensor([c])
      let rm = try rng.tensor([c]), rv = try rng.tensor([c], 0.5, 1.5)
      let r = try batchNorm(x, gamma: gamma, beta: beta, runningMean: rm, runningVar: rv,
                            training: true, momentum: 0.2, eps: 1e-3)
      let stats = channelStats(x)
      nnAssertClose(r.output.scalars, reference(x, stats: stats.map { ($0.mean, $0.variance) }, gamma: gamma, beta: beta, eps: 1e-3),
                    tol: 1e-5, "shape \(shape)")
      // PyTorch's update: the unbiased batch variance goes into the running variance.
      let expectedMean = (0..<c).map { 0.8 * Double(rm.scalars[$0]) + 0.2 * stats[$0].mean }
      let expectedVar = (0..<c).map { ch -> Double in
        let s = stats[ch]
        return 0.8 * Double(rv.scalars[ch]) + 0.2 * s.variance * Double(s.count) / Double(s.count - 1)
      }
      nnAssertClose(try XCTUnwrap(r.runningMean).scalars, expectedMean, tol: 1e-6)
      nnAssertClose(try XCTUnwrap(r.runningVar).scalars, expectedVar, tol: 1e-6)
    }
  }

  func testRunningStatisticsAreConstants() throws {
    let x = try rng.tensor([3, 2, 2, 2]).requiringGrad()
    let r = try batchNorm(x, runningMean: Tensor.zeros([2]), runningVar: Tensor.ones([2]), training: true)
    XCTAssertFalse(try XCTUnwrap(r.runningMean).requiresGrad)
    XCTAssertFalse(try XCTUnwrap(r.runningVar).requiresGrad)
    XCTAssertTrue(r.output.requiresGrad)
    let bare = try batchNorm(x, training: true)
    XCTAssertNil(bare.runningMean)
    XCTAssertNil(bare.runningVar)
  }

  func testOutputIsStandardizedAndSumHasZeroGradient() throws {
    // Without gamma/beta each channel of the output has mean 0 and variance
    // var / (var + eps); sum(y) is constant (0) in x, so its gradient vanishes.
    let x = try rng.tensor([5, 2, 3, 3], -1, 4).requiringGrad()
    let y = try batchNorm(x, training: true, eps: 1e-5).output
    for s in channelStats(y) {
      XCTAssertEqual(s.mean, 0, accuracy: 1e-6)
      XCTAssertEqual(s.variance, 1, accuracy: 1e-3)
    }
    let g = try gradients(of: y.sum(), wrt: [x])[0]
    XCTAssertLessThan(g.scalars.map { Swift.abs($0) }.max() ?? 1, 1e-4)
  }

  func testEvaluationModeUsesRunningStatistics() throws {
    let x = try rng.tensor([3, 2, 2, 2])
    let gamma = try rng.tensor([2]), beta = try rng.tensor([2])
    let rm = try rng.tensor([2]), rv = try rng.tensor([2], 0.5, 2)
    let r = try batchNorm(x, gamma: gamma, beta: beta, runningMean: rm, runningVar: rv, training: false)
    let stats = zip(rm.scalars, rv.scalars).map { (Double($0), Double($1)) }
    nnAssertClose(r.output.scalars, reference(x, stats: stats, gamma: gamma, beta: beta, eps: 1e-5), tol: 1e-5)
    XCTAssertEqual(try XCTUnwrap(r.runningMean).scalars, rm.scalars)
    XCTAssertEqual(try XCTUnwrap(r.runningVar).scalars, rv.scalars)
    try nnCheckGradients([x, gamma, beta]) { p in
      try batchNorm(p[0], gamma: p[1], beta: p[2], runningMean: rm, runningVar: rv, training: false).output
    }
  }

  func testTrainingGradientsIncludeTheStatistics() throws {
    let x4 = try rng.tensor([3, 2, 3, 2], -1, 2), x2 = try rng.tensor([5, 3])
    let g2 = try rng.tensor([2], 0.5, 1.5), b2 = try rng.tensor([2])
    let g3 = try rng.tensor([3], 0.5, 1.5), b3 = try rng.tensor([3])
    try nnCheckGradients([x4, g2, b2]) { p in try batchNorm(p[0], gamma: p[1], beta: p[2], training: true).output }
    try nnCheckGradients([x2, g3, b3]) { p in try batchNorm(p[0], gamma: p[1], beta: p[2], training: true).output }
  }

  func testTrainingHessianVectorProducts() throws {
    let x = try rng.tensor([3, 2, 2, 2], -1, 2), gamma = try rng.tensor([2], 0.5, 1.5), beta = try rng.tensor([2])
    try nnCheckHessianVectorProducts([x, gamma, beta]) { p in
      try batchNorm(p[0], gamma: p[1], beta: p[2], training: true).output.tanh()
    }
    let x2 = try rng.tensor([4, 3])
    try nnCheckHessianVectorProducts([x2]) { p in try batchNorm(p[0], training: true).output.square() }
  }

  func testErrors() throws {
    let x = try rng.tensor([2, 3, 4, 4])
    XCTAssertThrowsTensorError(try batchNorm(rng.tensor([2, 3, 4]), training: true),
                               containing: "batch_norm: input must be 2-D [N, C] or 4-D [N, C, H, W], got [2, 3, 4]")
    XCTAssertThrowsTensorError(try batchNorm(x, gamma: rng.tensor([4]), training: true),
                               containing: "batch_norm: gamma [4] does not match the 3 channels of input [2, 3, 4, 4]")
    XCTAssertThrowsTensorError(try batchNorm(x, runningMean: Tensor.zeros([3]), training: true),
                               containing: "running_mean and running_var must be given together")
    XCTAssertThrowsTensorError(try batchNorm(x, training: false), containing: "evaluation mode")
    XCTAssertThrowsTensorError(try batchNorm(rng.tensor([1, 3]), training: true),
                               containing: "more than 1 value per channel")
    XCTAssertThrowsTensorError(try batchNorm(x, training: true, momentum: 1.5), containing: "momentum 1.5")
    XCTAssertThrowsTensorError(try batchNorm(x, training: true, eps: -1), containing: "eps -1.0")
  }
}
