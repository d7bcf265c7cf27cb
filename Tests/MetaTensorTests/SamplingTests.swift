import Foundation
import XCTest
@testable import MetaTensor

// Statistical checks of the sampling ops, each at a fixed seed (so a pass is
// reproducible, not lucky). Moments are compared within 5 standard errors of
// the sample size used; uniformity with a chi-square statistic below its
// 1 - 1e-6 quantile (scipy.stats.chi2.ppf(1 - 1e-6, df): df 3 → 30.66,
// df 9 → 44.81, df 23 → 70.55). A correct sampler fails either about once in
// a million seeds; a biased one by a few percent fails by far.
final class SamplingTests: XCTestCase {
  /// Pearson's statistic of `counts` against equal expected counts.
  func chiSquare(_ counts: [Int], expected: [Double]) -> Double {
    zip(counts, expected).reduce(0) { $0 + (Double($1.0) - $1.1) * (Double($1.0) - $1.1) / $1.1 }
  }

  func counts(_ values: [Float], classes: Int, offset: Int = 0) -> [Int] {
    var c = [Int](repeating: 0, count: classes)
    for v in values { c[Int(v) - offset] += 1 }
    return c
  }

  func testRandintIsUniformOverTheHalfOpenRange() throws {
    var rng = RandomState(seed: 11)
    let n = 100_000
    let t = try Tensor.randint(-3, 7, shape: [n / 10, 10], using: &rng)
    XCTAssertEqual(t.shape, [n / 10, 10])
    let values = t.scalars
    XCTAssertTrue(values.allSatisfy { $0 >= -3 && $0 < 7 && $0 == $0.rounded() })
    let c = counts(values, classes: 10, offset: -3)
    XCTAssertLessThan(chiSquare(c, expected: Array(repeating: Double(n) / 10, count: 10)), 44.81)
    // One value possible: always it.
    XCTAssertEqual(Set(try Tensor.randint(5, 6, shape: [100], using: &rng).scalars), [5])
    XCTAssertEqual(try Tensor.randint(0, 3, shape: [0, 2], using: &rng).shape, [0, 2])
  }

  func testRandintErrors() throws {
    var rng = RandomState(seed: 1)
    XCTAssertThrowsTensorError(try Tensor.randint(3, 3, shape: [2], using: &rng), containing: "randint: low (3) must be less than high (3)")
    // int64 samples are exact far past float32's 2^24.
    let big = try Tensor.randint((1 << 40) + 1, (1 << 40) + 2, shape: [2], using: &rng)
    XCTAssertEqual(big.dtype, .int64)
    XCTAssertEqual(big.elements(as: Int64.self), [(1 << 40) + 1, (1 << 40) + 1])
    XCTAssertThrowsTensorError(try Tensor.randint(0, 2, shape: [-1], using: &rng), containing: "randint: negative dimension")
  }

  func testPermutationsAreUniform() throws {
    var rng = RandomState(seed: 5)
    XCTAssertEqual(try Tensor.permutation(0, using: &rng).shape, [0])
    XCTAssertEqual(try Tensor.permutation(1000, using: &rng).scalars.sorted(), (0..<1000).map(Float.init))
    // All 24 orders of 4 elements, 60000 draws.
    var seen: [[Float]: Int] = [:]
    let n = 60_000
    for _ in 0..<n { seen[try Tensor.permutation(4, using: &rng).scalars, default: 0] += 1 }
    XCTAssertEqual(seen.count, 24)
    XCTAssertLessThan(chiSquare(Array(seen.values), expected: Array(repeating: Double(n) / 24, count: 24)), 70.55)
    XCTAssertThrowsTensorError(try Tensor.permutation(-1, using: &rng), containing: "permutation: n must not be negative")
    XCTAssertEqual(try Tensor.permutation(3, using: &rng).dtype, .int64)
  }

  func testBernoulliFrequenciesAndBounds() throws {
    var rng = RandomState(seed: 8)
    let n = 100_000
    let draws = try Tensor.bernoulli(try Tensor.full([n], 0.3), using: &rng).scalars
    XCTAssertTrue(draws.allSatisfy { $0 == 0 || $0 == 1 })
    let mean = draws.reduce(0.0) { $0 + Double($1) } / Double(n)
    XCTAssertEqual(mean, 0.3, accuracy: 5 * (0.3 * 0.7 / Double(n)).squareRoot())
    let edges = try Tensor.bernoulli(try Tensor(shape: [4], scalars: [0, 1, 0, 1]), using: &rng)
    XCTAssertEqual(edges.scalars, [0, 1, 0, 1])
    // A constant: no gradient reaches p.
    XCTAssertFalse(try Tensor.bernoulli(try Tensor.full([3], 0.5).requiringGrad(), using: &rng).requiresGrad)
    for bad: Float in [-0.1, 1.5, .nan] {
      XCTAssertThrowsTensorError(try Tensor.bernoulli(try Tensor(shape: [2], scalars: [0.5, bad]), using: &rng),
                                 containing: "bernoulli: probability \(bad) at position 1 is not in [0, 1]")
    }
  }

  func testNormalMomentsShapesAndGradient() throws {
    var rng = RandomState(seed: 3)
    let n = 100_000
    let x = try Tensor.normal(mean: Tensor(2), std: Tensor(3), shape: [n], using: &rng).scalars.map(Double.init)
    let mean = x.reduce(0, +) / Double(n)
    let variance = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
    XCTAssertEqual(mean, 2, accuracy: 5 * 3 / Double(n).squareRoot())
    // The sample variance's standard error is σ² sqrt(2 / (n - 1)).
    XCTAssertEqual(variance, 9, accuracy: 5 * 9 * (2 / Double(n - 1)).squareRoot())

    // Parameters broadcast; a shape must be what they broadcast to.
    let mu = try Tensor(shape: [2, 1], scalars: [0, 100]), sigma = try Tensor(shape: [3], scalars: [1, 2, 3])
    XCTAssertEqual(try Tensor.normal(mean: mu, std: sigma, using: &rng).shape, [2, 3])
    XCTAssertEqual(try Tensor.normal(mean: mu, std: sigma, shape: [4, 2, 3], using: &rng).shape, [4, 2, 3])
    XCTAssertThrowsTensorError(try Tensor.normal(mean: mu, std: sigma, shape: [2, 1], using: &rng),
                               containing: "normal: mean [2, 1] and std [3] do not broadcast to shape [2, 1]")
    XCTAssertThrowsTensorError(try Tensor.normal(mean: Tensor(0), std: Tensor(-1), using: &rng),
                               containing: "normal: std must not be negative")
    XCTAssertTrue(try Tensor.normal(mean: Tensor(.nan), std: Tensor(1), shape: [2], using: &rng).scalars.allSatisfy(\.isNaN))

    // Drawn in chunks, the noise is still the stream of one `normal(count:)` call (odd sizes too).
    var chunked = RandomState(seed: 30), whole = RandomState(seed: 30)
    XCTAssertEqual(try Tensor.normal(mean: Tensor(0), std: Tensor(1), shape: [10_001], using: &chunked).scalars,
                   whole.normal(count: 10_001, mean: 0, std: 1))
    XCTAssertEqual(chunked, whole)

    // Reparameterized: d/dmean = 1 per sample, d/dstd = eps = (x - mean) / std.
    let m = try Tensor(shape: [2], scalars: [0.5, -1]).requiringGrad()
    let s = try Tensor(shape: [2], scalars: [2, 0.25]).requiringGrad()
    let sample = try Tensor.normal(mean: m, std: s, shape: [3, 2], using: &rng)
    let g = try gradients(of: sample.sum(), wrt: [m, s])
    XCTAssertEqual(g[0].scalars, [3, 3])
    let eps = try ((sample.detached() - m.detached()) / s.detached()).sum(axes: [0])
    XCTAssertClose(g[1].scalars, eps.scalars, tol: 1e-5)
  }

  func testCategoricalFrequencies() throws {
    var rng = RandomState(seed: 21)
    let p: [Float] = [0.1, 0.2, 0.3, 0.4, 0]
    let n = 100_000
    // Unnormalized weights are fine (they are normalized per row).
    let probs = try Tensor(shape: [5], scalars: p.map { $0 * 7 })
    let draws = try Tensor.categorical(probs: probs, samples: n, using: &rng)
    XCTAssertEqual(draws.shape, [n])
    let c = counts(draws.scalars, classes: 5)
    XCTAssertEqual(c[4], 0, "a zero-probability class is never drawn")
    XCTAssertLessThan(chiSquare(Array(c[0..<4]), expected: p[0..<4].map { Double($0) * Double(n) }), 30.66)

    // Logits, per row of a batch: row 0 uniform over 3, row 1 rules out class 0.
    let logits = try Tensor(shape: [2, 3], scalars: [5, 5, 5, -.infinity, 0, Float(Foundation.log(3.0))])
    let rows = try Tensor.categorical(logits: logits, samples: 60_000, using: &rng)
    XCTAssertEqual(rows.shape, [2, 60_000])
    let r0 = counts(Array(rows.scalars[0..<60_000]), classes: 3)
    let r1 = counts(Array(rows.scalars[60_000...]), classes: 3)
    XCTAssertLessThan(chiSquare(r0, expected: [20_000, 20_000, 20_000]), 27.63)  // df 2
    XCTAssertEqual(r1[0], 0)
    XCTAssertLessThan(chiSquare(Array(r1[1...]), expected: [15_000, 45_000]), 23.93)  // df 1

    // Without a sample count: one draw per row, the batch shape.
    XCTAssertEqual(try Tensor.categorical(logits: logits, using: &rng).shape, [2])
    XCTAssertEqual(try Tensor.categorical(probs: try Tensor.ones([4, 0, 3]), samples: 2, using: &rng).shape, [4, 0, 2])
  }

  func testCategoricalErrors() throws {
    var rng = RandomState(seed: 2)
    func probs(_ v: [Float]) throws -> Tensor { try Tensor(shape: [v.count], scalars: v) }
    XCTAssertThrowsTensorError(try Tensor.categorical(probs: Tensor(1), using: &rng), containing: "need a class axis")
    XCTAssertThrowsTensorError(try Tensor.categorical(probs: Tensor.ones([2, 0]), using: &rng), containing: "there are no classes")
    XCTAssertThrowsTensorError(try Tensor.categorical(probs: probs([0.5, -0.1]), using: &rng),
                               containing: "probability -0.1 in row 0, class 1 is not a finite non-negative number")
    XCTAssertThrowsTensorError(try Tensor.categorical(probs: probs([.nan, 1]), using: &rng), containing: "probability nan")
    XCTAssertThrowsTensorError(try Tensor.categorical(probs: probs([.infinity, 1]), using: &rng), containing: "probability inf")
    XCTAssertThrowsTensorError(try Tensor.categorical(probs: probs([0, 0]), using: &rng),
                               containing: "row 0 has no class with positive probability")
    XCTAssertThrowsTensorError(try Tensor.categorical(logits: probs([-.infinity, -.infinity]), using: &rng),
                               containing: "every logit of row 0 is -inf")
    XCTAssertThrowsTensorError(try Tensor.categorical(logits: probs([0, .infinity]), using: &rng), containing: "logit inf")
    XCTAssertThrowsTensorError(try Tensor.categorical(logits: probs([0, .nan]), using: &rng), containing: "logit nan")
    XCTAssertThrowsTensorError(try Tensor.categorical(probs: probs([1, 1]), samples: -1, using: &rng),
                               containing: "must not be negative")
  }

  func testSameSeedSameDraws() throws {
    func draws(_ seed: UInt64) throws -> [Float] {
      var rng = RandomState(seed: seed)
      let p = try Tensor(shape: [3], scalars: [0.2, 0.3, 0.5])
      return try Tensor.randint(0, 100, shape: [5], using: &rng).scalars + Tensor.permutation(5, using: &rng).scalars
        + Tensor.bernoulli(Tensor.full([5], 0.5), using: &rng).scalars
        + Tensor.normal(mean: Tensor(0), std: Tensor(1), shape: [5], using: &rng).scalars
        + Tensor.categorical(probs: p, samples: 5, using: &rng).scalars
    }
    XCTAssertEqual(try draws(4), try draws(4))
    XCTAssertNotEqual(try draws(4), try draws(5))
  }
}
