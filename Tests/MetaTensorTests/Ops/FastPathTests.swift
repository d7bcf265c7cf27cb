import XCTest
@testable import MetaTensor

/// The small-op fast paths (dense same-shape, bias row, 0-d scalar, Float
/// operands, 2-D matmul, whole sum) against plain loops, including the shapes
/// right at their edges.
final class FastPathTests: XCTestCase {
  func testBroadcastEdgesKeepNumPyShapes() throws {
    var rng = TestRNG(3)
    let x = try rng.tensor([10, 40]), row = try rng.tensor([1, 1, 40])
    // A higher-rank row broadcasts the result up to rank 3.
    let y = try x + row
    XCTAssertEqual(y.shape, [1, 10, 40])
    let xs = x.scalars, rs = row.scalars
    XCTAssertEqual(y.scalars, (0..<400).map { xs[$0] + rs[$0 % 40] })
    let bias = try rng.tensor([40])
    let b = bias.scalars
    XCTAssertEqual(try (x - bias).scalars, (0..<400).map { xs[$0] - b[$0 % 40] })
    XCTAssertEqual(try (bias - x).scalars, (0..<400).map { b[$0 % 40] - xs[$0] })
    XCTAssertEqual(try (x * Tensor(3)).shape, [10, 40])
    XCTAssertEqual(try (Tensor(3) / x).scalars, xs.map { 3 / $0 })
  }

  func testFloatOperandsMatchTrackedPathExactly() throws {
    var rng = TestRNG(4)
    let x = try rng.tensor([7, 5], -3, 3)
    let tracked = x.requiringGrad()
    let untracked: [Tensor] = [try x + 1.5, try 1.5 - x, try x * 0.3, try 2 / x]
    let viaGraph: [Tensor] = [try tracked + 1.5, try 1.5 - tracked, try tracked * 0.3, try 2 / tracked]
    for (u, g) in zip(untracked, viaGraph) {
      XCTAssertEqual(u.scalars, g.scalars)
      XCTAssertFalse(u.requiresGrad)
      XCTAssertTrue(g.requiresGrad)
    }
    // A strided operand still works through the Float path.
    let t = try x.transpose(0, 1)
    XCTAssertEqual(try (t * 2).scalars, t.scalars.map { $0 * 2 })
  }

  func testMatrixProductAgainstLoopsIncludingTransposedOperands() throws {
    var rng = TestRNG(5)
    for (m, k, n) in [(10, 40, 40), (25, 1, 40), (10, 1, 40), (3, 0, 2), (0, 4, 5)] {
      let a = try rng.tensor([m, k]), b = try rng.tensor([n, k]).transpose(0, 1)
      let av = a.scalars, bv = b.scalars
      let c = try a.matmul(b)
      XCTAssertEqual(c.shape, [m, n])
      var expected = [Float](repeating: 0, count: m * n)
      for i in 0..<m {
        for j in 0..<n {
          var s = 0.0
          for p in 0..<k { s += Double(av[i * k + p]) * Double(bv[p * n + j]) }
          expected[i * n + j] = Float(s)
        }
      }
      XCTAssertClose(c.scalars, expected, tol: 1e-5)
    }
  }

  func testWholeSumMatchesDoubleLoopAndKeepsGradient() throws {
    var rng = TestRNG(6)
    let x = try rng.tensor([13, 11]).requiringGrad()
    let s = try x.sum()
    XCTAssertEqual(s.shape, [])
    XCTAssertEqual(try s.item(), Float(x.scalars.reduce(0.0) { $0 + Double($1) }), accuracy: 1e-5)
    XCTAssertEqual(s.gradOp, "sum")
    let g = try gradients(of: s, wrt: [x])[0]
    XCTAssertEqual(g.shape, [13, 11])
    XCTAssertEqual(g.scalars, [Float](repeating: 1, count: 143))
    XCTAssertEqual(try Tensor(shape: [0, 3], scalars: []).sum().item(), 0)
  }

  /// tanh's and square's one-pass backward (nothing to record) give the same
  /// bits as their composed form (taken when the sweep builds a graph),
  /// NaN and infinities included.
  func testFusedBackwardMatchesComposedRuleExactly() throws {
    var rng = TestRNG(5)
    var values = try rng.tensor([7, 13], -3, 3).scalars
    values[3] = .nan
    values[8] = .infinity
    values[20] = -.infinity
    let x = try Tensor(shape: [7, 13], scalars: values).requiringGrad()
    let seed = try rng.tensor([7, 13])
    for f in [{ (t: Tensor) in try t.tanh() }, { (t: Tensor) in try t.square() }] {
      let y = try f(x)
      let fused = try gradients(of: y, wrt: [x], seed: seed)[0]
      let composed = try gradients(of: y, wrt: [x], seed: seed, createGraph: true)[0]
      XCTAssertFalse(fused.requiresGrad)
      XCTAssertEqual(fused.scalars.map(\.bitPattern), composed.scalars.map(\.bitPattern))
      XCTAssertTrue(fused.scalars[3].isNaN)
    }
  }
}
