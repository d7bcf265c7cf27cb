import XCTest
@testable import MetaTensor

/// Second and higher derivatives: Hessian-vector products against finite
/// differences of the gradient, nested `grad`, and level separation.
final class HigherOrderTests: XCTestCase {
  var rng = TestRNG(99)

  func testHessianVectorProductsOfElementwiseOps() throws {
    let a = try rng.tensor([2, 3]), b = try rng.tensor([3])
    let positive = try rng.tensor([2, 3], 0.5, 2)
    try checkHessianVectorProducts([a, b]) { x in try x[0] * x[1] + x[0] }
    try checkHessianVectorProducts([a, b]) { x in try x[0] * x[0] * x[1] }
    try checkHessianVectorProducts([positive, b]) { x in try x[1] / x[0] }
    try checkHessianVectorProducts([a]) { x in try x[0].tanh() }
    try checkHessianVectorProducts([a]) { x in try x[0].sigmoid() }
    try checkHessianVectorProducts([a]) { x in try x[0].exp() }
    try checkHessianVectorProducts([positive]) { x in try x[0].log() }
    try checkHessianVectorProducts([positive]) { x in try x[0].sqrt() }
    try checkHessianVectorProducts([positive, b]) { x in try x[0].pow(x[1]) }
    // relu's second derivative is zero away from 0, but the mixed term with a product is not.
    let awayFromZero = try Tensor(shape: [2, 3], scalars: [-1.2, 0.7, 1.5, -0.4, 0.3, -2])
    try checkHessianVectorProducts([awayFromZero, b]) { x in try x[0].relu() * x[0] * x[1] }
  }

  func testHessianVectorProductsOfReductionsAndMatmul() throws {
    let a = try rng.tensor([3, 4]), b = try rng.tensor([4, 2])
    try checkHessianVectorProducts([a, b]) { x in try x[0].matmul(x[1]).square() }
    try checkHessianVectorProducts([a]) { x in try x[0].sum(axes: [1]).square() }
    try checkHessianVectorProducts([a]) { x in try x[0].mean(axes: [0], keepdims: true).exp() }
    try checkHessianVectorProducts([a]) { x in try x[0].logsumexp(axes: [1]) }
    let batch = try rng.tensor([2, 3, 4])
    try checkHessianVectorProducts([batch, b]) { x in try x[0].matmul(x[1]).tanh() }
  }

  func testHessianVectorProductsOfIndexingAndBroadcasting() throws {
    let x = try rng.tensor([4, 3]), row = try rng.tensor([1, 3])
    try checkHessianVectorProducts([x, row]) { p in try (p[0] * p[1].expand([4, 3])).square() }
    try checkHessianVectorProducts([x]) { p in try p[0][.slice(start: 1, stop: nil, step: 2)].square() }
    let idx = try Tensor(shape: [3], scalars: [3, 0, 3])
    try checkHessianVectorProducts([x]) { p in try p[0].indexSelect(idx, axis: 0).exp() }
    let pick = try Tensor(shape: [4, 1], scalars: [2, 0, 1, 1])
    try checkHessianVectorProducts([x]) { p in try p[0].gather(pick, axis: 1).square() }
    try checkHessianVectorProducts([x, row]) { p in try Tensor.concat([p[0], p[1]]).tanh() }
  }

  func testHessianVectorProductOfMLPWithMSE() throws {
    let input = try rng.tensor([5, 2]), target = try rng.tensor([5, 1])
    let w1 = try rng.tensor([2, 6]), b1 = try rng.tensor([6]), w2 = try rng.tensor([6, 1]), b2 = try rng.tensor([1])
    try checkHessianVectorProducts([w1, b1, w2, b2]) { p in
      let hidden = try (input.matmul(p[0]) + p[1]).tanh()
      return try (hidden.matmul(p[2]) + p[3] - target).square().mean()
    }
  }

  func testGradOfGradOfCube() throws {
    // d/dx x³ = 3x², d²/dx² = 6x, d³/dx³ = 6.
    let cube: (Tensor) throws -> Tensor = { x in try x * x * x }
    let x = try Tensor(shape: [], scalars: [1.5])
    XCTAssertEqual(try grad(cube)(x).item(), 3 * 1.5 * 1.5, accuracy: 1e-5)
    XCTAssertEqual(try grad(grad(cube))(x).item(), 6 * 1.5, accuracy: 1e-5)
    XCTAssertEqual(try grad(grad(grad(cube)))(x).item(), 6, accuracy: 1e-5)
    XCTAssertEqual(try grad(grad(grad(grad(cube))))(x).item(), 0, accuracy: 1e-6)
    // sin is not an op; exp(2x) has n-th derivative 2ⁿ exp(2x).
    let e2: (Tensor) throws -> Tensor = { x in try (2 * x).exp() }
    XCTAssertEqual(try grad(grad(grad(e2)))(x).item(), 8 * expf(3), accuracy: 1e-2)
  }

  func testPerturbationConfusion() throws {
    // d/dx [x * (d/dy (x + y))|_{y=1}] at x = 2 is 1 (the inner derivative is 1).
    let outer: (Tensor) throws -> Tensor = { x in
      let inner = try grad({ y in try x + y })(Tensor(1))
      return try x * inner
    }
    XCTAssertEqual(try grad(outer)(Tensor(2)).item(), 1, accuracy: 1e-6)
    // d/dx [d/dy (x * y)]|_{y=x} = d/dx x = 1; confusing the levels gives 2.
    let nested: (Tensor) throws -> Tensor = { x in try grad({ y in try x * y })(x) }
    XCTAssertEqual(try grad(nested)(Tensor(3)).item(), 1, accuracy: 1e-6)
    // d/dx [x * d/dy (x * y)] = d/dx x² = 2x.
    let mixed: (Tensor) throws -> Tensor = { x in try x * grad({ y in try x * y })(Tensor(5)) }
    XCTAssertEqual(try grad(mixed)(Tensor(3)).item(), 6, accuracy: 1e-5)
  }

  func testInnerGradientIsConstantWithoutOuterDifferentiation() throws {
    let g = try grad({ x in try (x * x).sum() })(try rng.tensor([3]))
    XCTAssertFalse(g.requiresGrad, "first-order gradients should not build a graph")
    let v = try valueAndGrad({ x in try (x * x).sum() })(try rng.tensor([3]))
    XCTAssertFalse(v.value.requiresGrad)
  }

  func testMAMLStyleSecondOrderMatchesFiniteDifferences() throws {
    // Meta-loss L(w) = loss(w - lr * ∇loss(w)) for a linear model; its gradient
    // needs the Hessian of the inner loss.
    let x1 = try rng.tensor([6, 2]), y1 = try rng.tensor([6, 1])
    let x2 = try rng.tensor([6, 2]), y2 = try rng.tensor([6, 1])
    func loss(_ w: Tensor, _ x: Tensor, _ y: Tensor) throws -> Tensor { try (x.matmul(w) - y).square().mean() }
    let metaLoss: (Tensor) throws -> Tensor = { w in
      let adapted = try w - 0.5 * grad({ v in try loss(v, x1, y1) })(w)
      return try loss(adapted, x2, y2)
    }
    let w = try rng.tensor([2, 1])
    let analytic = try grad(metaLoss)(w).scalars
    var numeric: [Float] = []
    let h: Float = 1e-2
    for i in 0..<2 {
      var plus = w.scalars, minus = w.scalars
      plus[i] += h
      minus[i] -= h
      let fp = try metaLoss(Tensor(shape: [2, 1], scalars: plus)).item()
      let fm = try metaLoss(Tensor(shape: [2, 1], scalars: minus)).item()
      numeric.append((fp - fm) / (2 * h))
    }
    XCTAssertClose(analytic, numeric, tol: 1e-2)
    // The first-order approximation (stop_gradient on the inner gradient) differs.
    let firstOrder: (Tensor) throws -> Tensor = { w in
      let adapted = try w - 0.5 * stopGradient(grad({ v in try loss(v, x1, y1) })(w))
      return try loss(adapted, x2, y2)
    }
    let approx = try grad(firstOrder)(w).scalars
    XCTAssertGreaterThan(zip(approx, analytic).map { Swift.abs($0 - $1) }.max() ?? 0, 1e-4)
  }
}
