import XCTest
@testable import MetaTensor

/// Second-order MAML on a small ReLU MLP in the two shapes the stdlib runs:
/// a loop over tasks, and "vmap by hand" (θ expanded over a task axis,
/// batched matmuls). Both must give the same meta-gradient, and the batched
/// one must match central differences of the meta-loss.
final class MAMLBatchedTests: XCTestCase {
  let tasks = 3, shots = 4, hidden = 5
  let alpha: Float = 0.1

  func mlp(_ p: [Tensor], _ x: Tensor) throws -> Tensor {
    let h1 = try (x.matmul(p[0]) + p[1]).relu()
    let h2 = try (h1.matmul(p[2]) + p[3]).relu()
    return try h2.matmul(p[4]) + p[5]
  }

  func parameters(_ rng: inout TestRNG) throws -> [Tensor] {
    try [[1, hidden], [hidden], [hidden, hidden], [hidden], [hidden, 1], [1]].map { try rng.tensor($0, -0.9, 0.9) }
  }

  /// Support and query data as `[tasks, shots, 1]` tensors.
  func data(_ rng: inout TestRNG) throws -> [Tensor] {
    try (0..<4).map { _ in try rng.tensor([tasks, shots, 1], -2, 2) }
  }

  /// Mean over tasks of the query mse after one inner step, task by task.
  func loopMetaLoss(_ theta: [Tensor], _ d: [Tensor]) throws -> Tensor {
    var total = Tensor(0)
    for t in 0..<tasks {
      let (xs, ys, xq, yq) = try (d[0][.index(t)], d[1][.index(t)], d[2][.index(t)], d[3][.index(t)])
      let g = try gradients(of: mse(mlp(theta, xs), ys), wrt: theta, createGraph: true)
      let fast = try zip(theta, g).map { try $0 - alpha * $1 }
      total = try total + mse(mlp(fast, xq), yq)
    }
    return try total / Float(tasks)
  }

  /// The same meta-loss with θ expanded to `[tasks, ...]`.
  func batchedMetaLoss(_ theta: [Tensor], _ d: [Tensor]) throws -> Tensor {
    let expanded = try theta.map { try $0.unsqueeze(0).expand([tasks] + $0.shape) }
    func forward(_ p: [Tensor], _ x: Tensor) throws -> Tensor {
      try mlp([p[0], p[1].unsqueeze(-2), p[2], p[3].unsqueeze(-2), p[4], p[5].unsqueeze(-2)], x)
    }
    let inner = try mse(forward(expanded, d[0]), d[1]) * Float(tasks)
    let g = try gradients(of: inner, wrt: expanded, createGraph: true)
    XCTAssertEqual(g[2].shape, [tasks, hidden, hidden])
    let fast = try zip(expanded, g).map { try $0 - alpha * $1 }
    return try (forward(fast, d[2]) - d[3]).square().mean()
  }

  func testLoopAndBatchedMetaGradientsAgree() throws {
    var rng = TestRNG(21)
    let theta = try parameters(&rng).map { $0.requiringGrad() }
    let d = try data(&rng)
    let loop = try gradients(of: loopMetaLoss(theta, d), wrt: theta)
    let batched = try gradients(of: batchedMetaLoss(theta, d), wrt: theta)
    XCTAssertEqual(try loopMetaLoss(theta, d).item(), try batchedMetaLoss(theta, d).item(), accuracy: 1e-5)
    var largest: Float = 0
    for (a, b) in zip(loop, batched) {
      XCTAssertEqual(a.shape, b.shape)
      XCTAssertClose(a.scalars, b.scalars, tol: 1e-5)
      largest = Swift.max(largest, a.scalars.map(Swift.abs).max() ?? 0)
    }
    XCTAssertGreaterThan(largest, 1e-2, "a vanishing meta-gradient would make the comparison vacuous")
  }

  func testBatchedMetaGradientMatchesFiniteDifferences() throws {
    var rng = TestRNG(5)
    let theta = try parameters(&rng)
    let d = try data(&rng)
    let leaves = theta.map { $0.requiringGrad() }
    let exact = try gradients(of: batchedMetaLoss(leaves, d), wrt: leaves)
    // Central differences in Float32 with h = 1e-3 (loss ~1, rounding ~1e-7 ·
    // a few hundred ops ⇒ error ~1e-4 / 2e-3 ≈ 5e-2 at worst, typically far
    // less); the inputs are continuous random values, so so small a step
    // crosses no relu kink. Tolerance 2e-2 of the largest entry.
    let h: Float = 1e-3
    var worst: Float = 0, largest: Float = 0
    for (k, t) in theta.enumerated() {
      var values = t.scalars
      for i in values.indices {
        let saved = values[i]
        func loss(_ v: Float) throws -> Float {
          values[i] = v
          var perturbed = theta
          perturbed[k] = try Tensor(shape: t.shape, scalars: values)
          return try batchedMetaLoss(perturbed.map { $0.requiringGrad() }, d).item()
        }
        let numeric = (try loss(saved + h) - loss(saved - h)) / (2 * h)
        values[i] = saved
        let a = exact[k].scalars[i]
        worst = Swift.max(worst, Swift.abs(a - numeric))
        largest = Swift.max(largest, Swift.abs(a))
      }
    }
    XCTAssertGreaterThan(largest, 1e-2)
    XCTAssertLessThan(worst, 2e-2 * largest)
  }

  func testTransposedProductsHaveCorrectFirstAndSecondDerivatives() throws {
    var rng = TestRNG(3)
    // op(A) is 3 x 4, op(B) is 4 x 2, with a broadcast batch axis on A.
    for (transA, transB) in [(false, false), (false, true), (true, false), (true, true)] {
      let a = try rng.tensor(transA ? [2, 4, 3] : [2, 3, 4]), b = try rng.tensor(transB ? [2, 4] : [4, 2])
      let f: ([Tensor]) throws -> Tensor = { x in
        try Tensor.product(x[0], x[1], transA, transB).square()
      }
      try checkGradients([a, b], f)
      try checkHessianVectorProducts([a, b], f)
      // Against the plain product of explicitly transposed copies.
      let expected = try (transA ? a.transpose(-1, -2) : a).matmul(transB ? b.T : b)
      XCTAssertClose(try Tensor.product(a, b, transA, transB).scalars, expected.scalars)
    }
  }

  func testSumToShapeOverLeadingRows() throws {
    let x = try Tensor(shape: [2, 3, 2], scalars: (0..<12).map(Float.init)).requiringGrad()
    let rows = try x.sumToShape([3, 2])
    XCTAssertEqual(rows.shape, [3, 2])
    XCTAssertEqual(rows.scalars, [6, 8, 10, 12, 14, 16])
    XCTAssertEqual(try x.sumToShape([1, 1, 2]).scalars, [30, 36])
    XCTAssertEqual(try x.sumToShape([2, 1, 2]).scalars, [6, 9, 24, 27])
    let w = try Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6])
    let g = try gradients(of: (rows * w).sum(), wrt: [x])[0]
    XCTAssertEqual(g.scalars, [1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6])
    try checkHessianVectorProducts([try Tensor(shape: [2, 3], scalars: [1, -2, 3, 0.5, 2, -1])]) { v in
      try v[0].square().sumToShape([3]).square()
    }
  }

  func testScalarOperandsOfEveryRankBroadcast() throws {
    let x = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
    XCTAssertEqual(try (x * Tensor(shape: [1, 1], scalars: [2])).scalars, [2, 4, 6, 8, 10, 12])
    XCTAssertEqual(try (Tensor(shape: [1], scalars: [10]) - x).scalars, [9, 8, 7, 6, 5, 4])
    let wider = try x * Tensor(shape: [1, 1, 1], scalars: [3])
    XCTAssertEqual(wider.shape, [1, 2, 3])
    XCTAssertEqual(wider.scalars, [3, 6, 9, 12, 15, 18])
    let empty = try Tensor(shape: [0, 3], scalars: [])
    XCTAssertEqual(try (empty + Tensor(1)).shape, [0, 3])
  }

  func testGradientsWithRespectToViewsAndRepeatedInputs() throws {
    let theta = try Tensor(shape: [2], scalars: [1, 2]).requiringGrad()
    let expanded = try theta.expand([3, 2])
    let loss = try (expanded * expanded).sum()
    let g = try gradients(of: loss, wrt: [expanded, expanded, theta])
    XCTAssertEqual(g[0].scalars, [2, 4, 2, 4, 2, 4])
    XCTAssertEqual(g[1].scalars, g[0].scalars)
    XCTAssertEqual(g[2].scalars, [6, 12])
    // An untracked output: only an input that is the output itself gets the seed.
    let c = Tensor(3)
    let h = try gradients(of: c, wrt: [c, Tensor(1)])
    XCTAssertEqual(try h[0].item(), 1)
    XCTAssertEqual(try h[1].item(), 0)
  }

  func testIdentityTableKeepsEveryObjectApart() {
    var table = IdentityTable(minimumCapacity: 1)
    let objects = (0..<1000).map { Tensor(Float($0)) }
    for (i, o) in objects.enumerated() {
      XCTAssertEqual(table.insert(o, value: i).inserted, true)
    }
    XCTAssertEqual(table.insert(objects[17], value: -1).value, 17)
    XCTAssertEqual(table.count, 1000)
    for (i, o) in objects.enumerated() where table.value(for: o) != i {
      XCTFail("object \(i) maps to \(String(describing: table.value(for: o)))")
      return
    }
    XCTAssertNil(table.value(for: Tensor(0)))
  }
}
