import XCTest
@testable import MetaTensor

/// First and second derivatives of the op-set additions (reductions,
/// cumulative ops, activations, shape ops, einsum, losses) against finite
/// differences. Second-order checks square or multiply the op's output so
/// that a linear op's backward is exercised again too.
final class OpSetGradientTests: XCTestCase {
  var rng = TestRNG(2024)

  func testProductFirstAndSecondOrder() throws {
    let x = try rng.tensor([3, 4], 0.5, 1.5)
    try checkGradients([x]) { x in try x[0].prod() }
    try checkGradients([x]) { x in try x[0].prod(axes: [1]) }
    try checkGradients([x]) { x in try x[0].prod(axes: [0], keepdims: true) }
    try checkHessianVectorProducts([x]) { x in try x[0].prod(axes: [1]) }
    try checkHessianVectorProducts([x]) { x in try x[0].prod(axes: [0, 1]) }
  }

  func testProductWithZeros() throws {
    // One zero in a row, two zeros in another, none in the third.
    let x = try Tensor(shape: [3, 4], scalars: [0.5, 0, 1.5, -0.8, 0, 1.2, 0, 0.9, 1.1, -0.7, 0.6, 1.3])
    try checkGradients([x]) { x in try x[0].prod(axes: [1]) }
    try checkHessianVectorProducts([x]) { x in try x[0].prod(axes: [1]) }
    let leaf = x.requiringGrad()
    let g = try gradients(of: leaf.prod(axes: [1]).sum(), wrt: [leaf])
    // Row 0: only the zero's position gets the product of the others.
    XCTAssertClose(Array(g[0].scalars[0..<4]), [0, 0.5 * 1.5 * -0.8, 0, 0])
    // Row 1: two zeros, all gradients 0.
    XCTAssertClose(Array(g[0].scalars[4..<8]), [0, 0, 0, 0])
  }

  func testVarianceAndStd() throws {
    let x = try rng.tensor([3, 5])
    try checkGradients([x]) { x in try x[0].variance() }
    try checkGradients([x]) { x in try x[0].variance(axes: [1], ddof: 1) }
    try checkGradients([x]) { x in try x[0].std(axes: [0], keepdims: true) }
    try checkGradients([x]) { x in try x[0].std(ddof: 1) }
    try checkHessianVectorProducts([x]) { x in try x[0].variance(axes: [1]) }
    try checkHessianVectorProducts([x]) { x in try x[0].std(axes: [0], ddof: 1) }
  }

  func testStdGradientIsZeroWhereConstant() throws {
    let x = try Tensor(shape: [2, 3], scalars: [2, 2, 2, 1, 2, 3]).requiringGrad()
    let g = try gradients(of: x.std(axes: [1]).sum(), wrt: [x], createGraph: true)[0]
    XCTAssertEqual(Array(g.scalars[0..<3]), [0, 0, 0])
    XCTAssertFalse(g.scalars.contains { $0.isNaN })
    let h = try gradients(of: g.square().sum(), wrt: [x])[0]
    XCTAssertFalse(h.scalars.contains { $0.isNaN }, "second order through std at a constant row")
  }

  func testNorms() throws {
    let x = try Tensor(shape: [2, 3], scalars: [0.3, -1.2, 0.8, -0.5, 0.9, 1.7])
    for p: Float in [1, 2, .infinity] {
      try checkGradients([x]) { x in try x[0].norm(p: p) }
      try checkGradients([x]) { x in try x[0].norm(p: p, axes: [1]) }
    }
    try checkHessianVectorProducts([x]) { x in try x[0].norm(axes: [0]) }
    try checkHessianVectorProducts([x]) { x in try x[0].norm().square() * x[0] }
    // At 0 the gradient is 0 (a subgradient), not NaN.
    let zero = try Tensor.zeros([3]).requiringGrad()
    for p: Float in [1, 2, .infinity] {
      XCTAssertEqual(try gradients(of: zero.norm(p: p), wrt: [zero])[0].scalars, [0, 0, 0], "p = \(p)")
    }
  }

  func testCumulative() throws {
    let x = try rng.tensor([3, 4])
    try checkGradients([x]) { x in try x[0].cumsum(axis: 1) }
    try checkGradients([x]) { x in try x[0].cumsum(axis: 0) }
    try checkGradients([x]) { x in try x[0].cumsum() }
    try checkGradients([x]) { x in try x[0].cumprod(axis: 1) }
    try checkGradients([x]) { x in try x[0].cumprod(axis: 0) }
    try checkHessianVectorProducts([x]) { x in try x[0].cumsum(axis: 1).square() }
    try checkHessianVectorProducts([x]) { x in try x[0].cumprod(axis: 1) }
    try checkHessianVectorProducts([x]) { x in try x[0].cumprod(axis: 0).square() }
    // Zeros, including two in one run: the rule has no division.
    let z = try Tensor(shape: [2, 4], scalars: [0.5, 0, 1.5, -0.8, 0, 1.2, 0, 0.9])
    try checkGradients([z]) { x in try x[0].cumprod(axis: 1) }
    try checkHessianVectorProducts([z]) { x in try x[0].cumprod(axis: 1) }
    try checkHessianVectorProducts([z]) { x in try x[0].prod() * x[0].cumprod(axis: 0) }
  }

  func testLinearRecurrence() throws {
    let b = try rng.tensor([2, 5]), a = try rng.tensor([2, 5])
    for reverse in [false, true] {
      try checkGradients([b, a]) { x in try x[0].linearRecurrence(x[1], axis: 1, reverse: reverse) }
      try checkHessianVectorProducts([b, a]) { x in try x[0].linearRecurrence(x[1], axis: 1, reverse: reverse) }
    }
    try checkGradients([b, a]) { x in try x[0].linearRecurrence(x[1], axis: 0, reverse: false) }
  }

  func testElementwiseMath() throws {
    let x = try rng.tensor([2, 4])
    let y = try Tensor(shape: [2, 4], scalars: [0.4, -0.9, 1.3, -1.6, 0.7, 1.1, -0.3, 0.5])
    try checkGradients([x]) { x in try x[0].log1p() }
    try checkGradients([x]) { x in try x[0].expm1() }
    try checkGradients([x]) { x in try x[0].erf() }
    try checkGradients([x, y]) { x in try x[0].atan2(x[1]) }
    try checkHessianVectorProducts([x]) { x in try x[0].log1p() }
    try checkHessianVectorProducts([x]) { x in try x[0].expm1() }
    try checkHessianVectorProducts([x]) { x in try x[0].erf() }
    try checkHessianVectorProducts([x, y]) { x in try x[0].atan2(x[1]) }
  }

  func testActivations() throws {
    let x = try Tensor(shape: [2, 4], scalars: [-2.3, -0.7, 0.4, 1.9, -1.1, 0.8, 2.6, -0.2])
    let fs: [(String, (Tensor) throws -> Tensor)] = [
      ("softplus", { try $0.softplus() }), ("softplus beta", { try $0.softplus(beta: 2, threshold: 3) }),
      ("gelu", { try $0.gelu() }), ("gelu tanh", { try $0.gelu(tanhApproximation: true) }),
      ("elu", { try $0.elu(alpha: 0.7) }), ("silu", { try $0.silu() }),
    ]
    for (name, f) in fs {
      try checkGradients([x]) { x in try f(x[0]) }
      try checkHessianVectorProducts([x]) { x in try f(x[0]) * x[0] }
      _ = name
    }
  }

  func testMaximumMinimumAndRemainder() throws {
    let a = try Tensor(shape: [2, 3], scalars: [0.3, -1.2, 0.8, -0.5, 0.9, 1.7])
    let b = try Tensor(shape: [3], scalars: [0.1, -0.4, 1.2])
    try checkGradients([a, b]) { x in try x[0].maximum(x[1]) }
    try checkGradients([a, b]) { x in try x[0].minimum(x[1]) }
    try checkHessianVectorProducts([a, b]) { x in try x[0].maximum(x[1]).square() }
    // Ties split the gradient equally.
    let t = try Tensor(shape: [2], scalars: [1, 2]).requiringGrad(), u = try Tensor(shape: [2], scalars: [1, 3]).requiringGrad()
    let g = try gradients(of: t.maximum(u).sum(), wrt: [t, u])
    XCTAssertEqual(g[0].scalars, [0.5, 0])
    XCTAssertEqual(g[1].scalars, [0.5, 1])
    // remainder, away from its jumps: d/da = 1, d/db = -floor(a / b).
    let n = try Tensor(shape: [4], scalars: [2.3, -2.3, 5.1, -0.4]), d = try Tensor(shape: [4], scalars: [0.7, 0.7, -1.5, 1.1])
    try checkGradients([n, d], h: 1e-3) { x in try x[0].remainder(x[1]) }
    try checkHessianVectorProducts([n, d], h: 1e-3) { x in try x[0].remainder(x[1]).square() }
  }

  func testShapeOps() throws {
    let x = try rng.tensor([2, 3, 4])
    try checkGradients([x]) { x in try x[0].flip(axes: [0, 2]) }
    try checkGradients([x]) { x in try x[0].pad([(1, 0), (0, 2), (1, 1)], value: 3) }
    try checkGradients([x]) { x in try x[0].shifted(by: -2, axis: 2, fill: 1) }
    try checkGradients([x]) { x in
      let parts = try x[0].split(size: 2, axis: 1)
      return try parts[0] * parts[1].sum(axes: [1], keepdims: true)
    }
    try checkGradients([x]) { x in try x[0].chunk(2, axis: 2)[1] }
    try checkGradients([x]) { x in try x[0].expand(keeping: [2, 2, 3, -1]) }
    let index = try Tensor(shape: [2, 2, 1], scalars: [2, 0, 1, 1])
    try checkGradients([x]) { x in try x[0].gather(narrowingTo: index, axis: 1) }
    try checkHessianVectorProducts([x]) { x in try x[0].flip(axes: [1]).pad([(0, 1), (1, 0), (0, 0)]).square() }
    try checkHessianVectorProducts([x]) { x in try x[0].gather(narrowingTo: index, axis: 1).square() }
  }

  func testSortingValues() throws {
    let x = try Tensor(shape: [2, 4], scalars: [0.3, -1.2, 0.8, -0.5, 0.9, 1.7, -0.1, 0.2])
    try checkGradients([x]) { x in try x[0].sort(axis: 1).values }
    try checkGradients([x]) { x in try x[0].sort(axis: 0, descending: true).values }
    try checkGradients([x]) { x in try x[0].topk(2).values }
    try checkHessianVectorProducts([x]) { x in try x[0].topk(3, axis: 1, largest: false).values.square() }
  }

  func testEinsum() throws {
    let a = try rng.tensor([2, 3]), b = try rng.tensor([3, 4]), c = try rng.tensor([4])
    let square = try rng.tensor([3, 3]), batch = try rng.tensor([2, 2, 3])
    try checkGradients([a, b]) { x in try einsum("ij,jk->ik", [x[0], x[1]]) }
    try checkGradients([a, b, c]) { x in try einsum("ij,jk,k->i", [x[0], x[1], x[2]]) }
    try checkGradients([a]) { x in try einsum("ij->ji", [x[0]]) }
    try checkGradients([square]) { x in try einsum("ii->i", [x[0]]) }
    try checkGradients([square]) { x in try einsum("ii", [x[0]]) }
    try checkGradients([batch, a]) { x in try einsum("bij,bj->bi", [x[0], x[1]]) }
    try checkGradients([a, a]) { x in try einsum("ij,ij->ij", [x[0], x[1]]) }
    try checkHessianVectorProducts([a, b]) { x in try einsum("ij,jk", [x[0], x[1]]).square() }
    try checkHessianVectorProducts([square]) { x in try einsum("ii,ij->j", [x[0], x[0]]) }
  }

  func testLinearAndLosses() throws {
    let x = try rng.tensor([4, 3]), w = try rng.tensor([2, 3]), bias = try rng.tensor([2])
    try checkGradients([x, w, bias]) { p in try linear(p[0], p[1], bias: p[2]) }
    try checkGradients([x, w]) { p in try linear(p[0].reshape([2, 2, 3]), p[1]) }
    try checkHessianVectorProducts([x, w, bias]) { p in try linear(p[0], p[1], bias: p[2]).tanh() }
    let logits = try rng.tensor([4, 3]), labels = try Tensor(shape: [4], scalars: [2, 0, 1, 2])
    try checkGradients([logits]) { p in try nllLoss(logSoftmax(p[0], axis: 1), labels) }
    try checkHessianVectorProducts([logits]) { p in try nllLoss(logSoftmax(p[0], axis: 1), labels) }
    let targets = try rng.tensor([4, 3], 0, 1)
    try checkGradients([logits, targets]) { p in try binaryCrossEntropyWithLogits(p[0], p[1]) }
    try checkHessianVectorProducts([logits, targets]) { p in try binaryCrossEntropyWithLogits(p[0], p[1]) }
    // At logit 0 exactly the gradient is sigmoid(0) - t (the kinks of the
    // stable formula cancel).
    let zero = try Tensor.zeros([2]).requiringGrad(), t = try Tensor(shape: [2], scalars: [1, 0])
    let g = try gradients(of: binaryCrossEntropyWithLogits(zero, t), wrt: [zero])[0]
    XCTAssertClose(g.scalars, [-0.25, 0.25])
  }
}

/// The op set in float64: values computed in double and gradients (first and
/// second order) that match double-precision central differences to 1e-6.
final class OpSetFloat64GradientTests: XCTestCase {
  func double(_ xs: [Double]) throws -> Tensor { try Tensor(shape: [xs.count], elements: xs) }

  /// d/dx of sum(f(x) * w) analytically (and, with `second`, of the gradient's
  /// inner product with v) against central differences in double.
  func check(_ x: [Double], second: Bool = true, file: StaticString = #filePath, line: UInt = #line,
             _ f: @escaping (Tensor) throws -> Tensor) throws {
    let v = try double(x.indices.map { Double($0 % 3) - 1 })
    func scalarLoss(_ t: Tensor) throws -> Tensor {
      let y = try f(t)
      return try (y * Tensor(shape: y.shape, elements: (0..<y.count).map { 0.5 + Double($0) * 0.25 })).sum()
    }
    let leaf = try double(x).requiringGrad()
    let g = try gradients(of: scalarLoss(leaf), wrt: [leaf], createGraph: true)[0]
    XCTAssertEqual(g.dtype, .float64, file: file, line: line)
    let h = 1e-6
    for i in x.indices {
      var plus = x, minus = x
      plus[i] += h; minus[i] -= h
      let numeric = (try scalarLoss(double(plus)).elements(as: Double.self)[0]
                     - scalarLoss(double(minus)).elements(as: Double.self)[0]) / (2 * h)
      XCTAssertEqual(g.elements(as: Double.self)[i], numeric, accuracy: 1e-6 * Swift.max(1, Swift.abs(numeric)),
                     "d/dx[\(i)]", file: file, line: line)
    }
    guard second else { return }
    let hv = try gradients(of: (g * v).sum(), wrt: [leaf])[0].elements(as: Double.self)
    func gradientAt(_ xs: [Double]) throws -> [Double] {
      let l = try double(xs).requiringGrad()
      return try gradients(of: scalarLoss(l), wrt: [l])[0].elements(as: Double.self)
    }
    let vs = v.elements(as: Double.self)
    let gp = try gradientAt(zip(x, vs).map { $0 + h * $1 }), gm = try gradientAt(zip(x, vs).map { $0 - h * $1 })
    for i in x.indices {
      XCTAssertEqual(hv[i], (gp[i] - gm[i]) / (2 * h), accuracy: 1e-5 * Swift.max(1, Swift.abs(hv[i])),
                     "Hessian-vector [\(i)]", file: file, line: line)
    }
  }

  func testFloat64Gradients() throws {
    let x: [Double] = [0.3, -1.2, 0.8, -0.5, 1.7]
    try check(x) { try ($0 + 2).log1p().square() + $0 }
    try check(x) { try $0.expm1() * $0 }
    try check(x) { try $0.softplus(beta: 2, threshold: 3) * $0 }
    try check(x) { try $0.gelu() * $0 }
    try check(x) { try $0.gelu(tanhApproximation: true) * $0 }
    try check(x) { try $0.elu(alpha: 0.7) * $0 }
    try check(x) { try $0.silu() * $0 }
    try check(x) { try $0.atan2(Tensor(shape: [5], elements: [0.4, 0.9, -1.3, 1.6, -0.7])) }
    try check(x) { try $0.prod().reshape([1]) }
    try check([0.3, 0, 0.8, -0.5, 1.7]) { try $0.prod().reshape([1]) }
    try check(x) { try $0.variance(ddof: 1).reshape([1]) }
    try check(x) { try $0.std().reshape([1]) }
    try check(x) { try $0.norm().reshape([1]) }
    try check(x) { try $0.cumsum().square() }
    try check([0.3, -1.2, 0, -0.5, 1.7]) { try $0.cumprod() }
    try check(x) { try $0.maximum(Tensor(shape: [5], elements: [0.0, 0.0, 1.0, 1.0, 1.0])) * $0 }
    try check(x) { try $0.sort().values * $0 }
    try check(x) { try $0.pad([(1, 2)], value: 5).square() }
    try check(x) { try einsum("i,i->i", [$0, $0]) }
    try check(x) { try binaryCrossEntropyWithLogits($0, Tensor(shape: [5], elements: [1.0, 0, 1, 0, 0.5])).reshape([1]) }
    XCTAssertEqual(try double(x).log1p().dtype, .float64)
    XCTAssertEqual(try double([1e-300]).log1p().elements(as: Double.self), [1e-300], "double, not float32")
  }

  /// conv2d, the poolings and batch_norm on float64 (composed of gathers and
  /// matmul rather than the float32 kernels): values agree with the float32
  /// kernels, and gradients of first and second order with double finite
  /// differences (max pooling: first order; it is piecewise linear).
  func testFloat64WindowOps() throws {
    let x = (0..<32).map { Foundation.sin(Double($0) * 1.7) + 0.1 * Double($0 % 5) }
    let w = try Tensor(shape: [3, 2, 3, 3], elements: (0..<54).map { Foundation.cos(Double($0)) * 0.5 })
    let b = try Tensor(shape: [3], elements: [0.1, -0.2, 0.3]), gamma = try Tensor(shape: [2], elements: [1.5, -0.5])
    let ops: [(String, (Tensor) throws -> Tensor)] = [
      ("conv2d", { t in
        let image = try t.reshape([1, 2, 4, 4])
        return try conv2d(image, w.astype(t.dtype), bias: b.astype(t.dtype), padding: 1) * image.sum()
      }),
      ("conv2d stride 2", { t in try conv2d(t.reshape([1, 2, 4, 4]).square(), w.astype(t.dtype), stride: 2, padding: 1) }),
      ("max_pool2d", { t in try maxPool2d(t.reshape([1, 2, 4, 4]), kernel: 2, padding: 1) * t.mean() }),
      ("avg_pool2d", { t in
        try avgPool2d(t.reshape([1, 2, 4, 4]).square(), kernel: 3, stride: 1, padding: 1, countPadding: false)
      }),
      ("batch_norm", { t in
        try batchNorm(t.reshape([2, 2, 2, 4]), gamma: gamma.astype(t.dtype), training: true).output.square()
      }),
    ]
    for (name, f) in ops {
      let y64 = try f(Tensor(shape: [32], elements: x))
      XCTAssertEqual(y64.dtype, .float64, name)
      let y32 = try f(Tensor(shape: [32], elements: x).astype(.float32))
      XCTAssertEqual(y32.dtype, .float32, name)
      for (a, k) in zip(y64.elements(as: Double.self), try y32.astype(.float64).elements(as: Double.self)) {
        XCTAssertEqual(a, k, accuracy: 1e-4 * Swift.max(1, Swift.abs(a)), "\(name): float64 against the float32 kernel")
      }
      try check(x, second: name != "max_pool2d", f)
    }
    XCTAssertThrowsError(try conv2d(Tensor.zeros([1, 1, 2, 2], dtype: .int64), Tensor.zeros([1, 1, 1, 1]))) {
      XCTAssertTrue("\($0)".contains("conv2d: int64 tensors are not supported"), "\($0)")
    }
  }
}
