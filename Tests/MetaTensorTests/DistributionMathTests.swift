import Foundation
import XCTest
@testable import MetaTensor

/// Normal and Categorical log-probabilities, entropies and KL divergences:
/// values against independent references, gradients against finite
/// differences (first and second order) and against PyTorch's closed forms.
final class DistributionMathTests: XCTestCase {
  func t(_ v: [Float]) throws -> Tensor { try Tensor(shape: [v.count], scalars: v) }

  func testNormalValues() throws {
    // scipy.stats (1.17): norm.logpdf(0.7, loc=-0.3, scale=1.6), norm.logpdf(-2.0, loc=0.5, scale=0.4),
    // norm.entropy(scale=1.6), norm.entropy(scale=0.4), and KL by numerical integration
    // (scipy.integrate.quad of p log(p/q) over [-50, 50]).
    let mean = try t([-0.3, 0.5]), std = try t([1.6, 0.4])
    XCTAssertClose(try normalLogProb(t([0.7, -2.0]), mean: mean, std: std).scalars, [-1.5842546624504084, -19.533897801330518])
    XCTAssertClose(try normalEntropy(std: std).scalars, [1.8889421624504084, 0.5026478013305177])
    let swapped = try normalKL(mean1: mean, std1: std, mean2: t([0.5, -0.3]), std2: t([0.4, 1.6]))
    XCTAssertClose(swapped.scalars, [8.113705638880111, 1.0425443611198908], tol: 1e-5)
    // KL of a distribution with itself is 0; broadcasting gives the batch shape.
    XCTAssertEqual(try normalKL(mean1: mean, std1: std, mean2: mean, std2: std).scalars, [0, 0])
    XCTAssertEqual(try normalLogProb(Tensor.zeros([3, 2]), mean: mean, std: std).shape, [3, 2])
  }

  func testNormalGradientsMatchClosedForms() throws {
    // PyTorch's Normal.log_prob differentiated by hand:
    // d/dmean = (x - mean) / std², d/dstd = ((x - mean)² - std²) / std³, d/dx = -(x - mean) / std².
    let x = try t([0.7, -2.0, 1.1]), mean = try t([-0.3, 0.5, 1.0]), std = try t([1.6, 0.4, 2.5])
    let leaves = [x, mean, std].map { $0.requiringGrad() }
    let g = try gradients(of: normalLogProb(leaves[0], mean: leaves[1], std: leaves[2]).sum(), wrt: leaves)
    let (xs, ms, ss) = (x.scalars, mean.scalars, std.scalars)
    let d = xs.indices.map { xs[$0] - ms[$0] }
    XCTAssertClose(g[0].scalars, d.indices.map { -d[$0] / (ss[$0] * ss[$0]) })
    XCTAssertClose(g[1].scalars, d.indices.map { d[$0] / (ss[$0] * ss[$0]) })
    XCTAssertClose(g[2].scalars, d.indices.map { (d[$0] * d[$0] - ss[$0] * ss[$0]) / (ss[$0] * ss[$0] * ss[$0]) })
  }

  func testNormalFiniteDifferences() throws {
    var rng = TestRNG(5)
    let x = try rng.tensor([3, 2]), mean = try rng.tensor([2]), std = try rng.tensor([3, 2], 0.5, 2)
    try nnCheckGradients([x, mean, std]) { p in try normalLogProb(p[0], mean: p[1], std: p[2]) }
    try nnCheckHessianVectorProducts([x, mean, std]) { p in try normalLogProb(p[0], mean: p[1], std: p[2]) }
    try nnCheckGradients([std]) { p in try normalEntropy(std: p[0]) }
    let m2 = try rng.tensor([2]), s2 = try rng.tensor([2], 0.5, 2)
    try nnCheckGradients([mean, std, m2, s2]) { p in try normalKL(mean1: p[0], std1: p[1], mean2: p[2], std2: p[3]) }
    try nnCheckHessianVectorProducts([mean, std, m2, s2], directionScale: 0.2) { p in
      try normalKL(mean1: p[0], std1: p[1], mean2: p[2], std2: p[3])
    }
  }

  func testCategoricalValues() throws {
    // scipy.stats.entropy (1.17): entropy(p), entropy(p, q), entropy(q, p) for
    // p = [0.1, 0.2, 0.3, 0.4], q = [0.25, 0.25, 0.4, 0.1]; and numpy's log-softmax
    // of [1, -0.5, 2] with its entropy.
    let p = try categoricalProbs(fromProbs: t([1, 2, 3, 4])), q = try categoricalProbs(fromProbs: t([0.25, 0.25, 0.4, 0.1]))
    let lp = try categoricalLogits(fromProbs: p), lq = try categoricalLogits(fromProbs: q)
    XCTAssertClose(try categoricalEntropy(logits: lp, probs: p).scalars, [1.2798542258336676])
    XCTAssertClose(try categoricalKL(logits1: lp, probs1: p, logits2: lq, probs2: q).scalars, [0.3319553392621645])
    XCTAssertClose(try categoricalKL(logits1: lq, probs1: q, logits2: lp, probs2: p).scalars, [0.2613019636658146])
    let l = try categoricalLogits(fromLogits: t([1, -0.5, 2]))
    XCTAssertClose(l.scalars, [-1.37153903, -2.87153903, -0.37153903])
    XCTAssertClose(try categoricalEntropy(logits: l, probs: softmax(l)).scalars, [0.7667845440888863])
    // log_prob picks the class's log-probability, broadcasting values against the batch.
    let batch = try categoricalLogits(fromLogits: Tensor(shape: [2, 3], scalars: [1, -0.5, 2, 0, 0, 0]))
    let picked = try categoricalLogProb(Tensor(shape: [4, 1], scalars: [0, 1, 2, 2]), logits: batch)
    XCTAssertEqual(picked.shape, [4, 2])
    let third = Float(-Foundation.log(3.0))
    XCTAssertClose(picked.scalars, [-1.37153903, third, -2.87153903, third, -0.37153903, third, -0.37153903, third])
    XCTAssertThrowsTensorError(try categoricalLogProb(t([3]), logits: batch),
                               containing: "Categorical.log_prob: value 3 at position 0 is not a class index in 0..<3")
    XCTAssertThrowsTensorError(try categoricalLogProb(t([0.5]), logits: batch), containing: "not a class index")
  }

  func testZeroProbabilitiesStayFinite() throws {
    // p = [0, 1/2, 1/2] from logits with -inf: entropy log 2; KL(p || q) for q
    // uniform is log(2/3)... exactly sum 1/2 log((1/2)/(1/3)) = log 1.5.
    let raw = try t([-.infinity, 0, 0])
    let leaf = raw.requiringGrad()
    let l = try categoricalLogits(fromLogits: leaf), p = try softmax(leaf, axis: -1)
    let q = try t([0, 0, 0])
    let lq = try categoricalLogits(fromLogits: q), pq = try softmax(q, axis: -1)
    let h = try categoricalEntropy(logits: l, probs: p)
    XCTAssertEqual(try h.item(), Float(Foundation.log(2.0)), accuracy: 1e-6)
    let kl = try categoricalKL(logits1: l, probs1: p, logits2: lq, probs2: pq)
    XCTAssertEqual(try kl.item(), Float(Foundation.log(1.5)), accuracy: 1e-6)
    for value in [h, kl] {
      let g = try gradients(of: value, wrt: [leaf])[0].scalars
      XCTAssertFalse(g.contains { $0.isNaN }, "gradient \(g) has NaN")
    }
    // q = 0 where p > 0: +inf, as PyTorch.
    XCTAssertEqual(try categoricalKL(logits1: lq, probs1: pq, logits2: l, probs2: p).item(), .infinity)
    XCTAssertThrowsTensorError(try categoricalKL(logits1: l, probs1: p, logits2: t([0, 0]), probs2: t([0.5, 0.5])),
                               containing: "kl: the distributions have different numbers of classes (3 and 2)")
  }

  func testCategoricalFiniteDifferences() throws {
    var rng = TestRNG(13)
    let a = try rng.tensor([2, 4], -1, 1), b = try rng.tensor([2, 4], -1, 1)
    let x = try Tensor(shape: [3, 2], scalars: [0, 3, 1, 1, 2, 0])
    func logits(_ t: Tensor) throws -> Tensor { try categoricalLogits(fromLogits: t) }
    try nnCheckGradients([a]) { p in try categoricalLogProb(x, logits: logits(p[0])) }
    try nnCheckGradients([a]) { p in try categoricalEntropy(logits: logits(p[0]), probs: softmax(p[0])) }
    try nnCheckHessianVectorProducts([a]) { p in try categoricalEntropy(logits: logits(p[0]), probs: softmax(p[0])) }
    try nnCheckGradients([a, b]) { p in
      try categoricalKL(logits1: logits(p[0]), probs1: softmax(p[0]), logits2: logits(p[1]), probs2: softmax(p[1]))
    }
    try nnCheckHessianVectorProducts([a, b]) { p in
      try categoricalKL(logits1: logits(p[0]), probs1: softmax(p[0]), logits2: logits(p[1]), probs2: softmax(p[1]))
    }
    // Through probabilities (positive, away from the clamp at eps).
    let w = try rng.tensor([2, 4], 0.5, 2)
    try nnCheckGradients([w]) { p in
      let probs = try categoricalProbs(fromProbs: p[0])
      return try categoricalLogProb(x, logits: categoricalLogits(fromProbs: probs))
    }
  }

  func testBroadcastAll() throws {
    let r = try broadcastAll([Tensor(1), Tensor.ones([2, 1]), Tensor.ones([3])], op: "test")
    XCTAssertEqual(r.map(\.shape), [[2, 3], [2, 3], [2, 3]])
    XCTAssertThrowsTensorError(try broadcastAll([Tensor.ones([2]), Tensor.ones([3])], op: "Normal"), containing: "Normal: shapes [2] and [3] cannot broadcast")
  }
}
