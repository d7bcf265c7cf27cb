import XCTest
@testable import MetaTensor

/// Max and average pooling: values against direct Double loops, gradients
/// and Hessian-vector products against finite differences (max pooling on
/// inputs without ties, so small steps never change a window's winner).
final class NNPoolingTests: XCTestCase {
  var rng = TestRNG(77)

  let geometries: [(kernel: (Int, Int), stride: (Int, Int), pad: (Int, Int))] = [
    ((2, 2), (2, 2), (0, 0)),
    ((3, 3), (2, 2), (1, 1)),
    ((3, 2), (1, 2), (1, 0)),
    ((2, 3), (3, 1), (0, 1)),
  ]

  func testMaxPoolForwardMatchesDirectLoop() throws {
    let x = try rng.tensor([2, 3, 7, 6])
    for (k, s, p) in geometries {
      let y = try maxPool2d(x, kernel: Size2D(k.0, k.1), stride: Size2D(s.0, s.1), padding: Size2D(p.0, p.1))
      let (shape, expected) = referencePool2d(x, kernel: k, stride: s, padding: p) { w, _ in w.max() ?? .nan }
      XCTAssertEqual(y.shape, shape)
      nnAssertClose(y.scalars, expected, tol: 0, "kernel \(k) stride \(s) pad \(p)")
    }
  }

  func testAvgPoolForwardMatchesDirectLoop() throws {
    let x = try rng.tensor([2, 2, 6, 7])
    for (k, s, p) in geometries {
      for countPadding in [true, false] {
        let y = try avgPool2d(x, kernel: Size2D(k.0, k.1), stride: Size2D(s.0, s.1), padding: Size2D(p.0, p.1),
                              countPadding: countPadding)
        let (shape, expected) = referencePool2d(x, kernel: k, stride: s, padding: p) { w, area in
          w.reduce(0, +) / Double(countPadding ? area : w.count)
        }
        XCTAssertEqual(y.shape, shape)
        nnAssertClose(y.scalars, expected, tol: 1e-6, "kernel \(k) stride \(s) pad \(p) countPadding \(countPadding)")
      }
    }
  }

  func testStrideDefaultsToKernel() throws {
    let x = try Tensor(shape: [1, 1, 4, 4], scalars: (0..<16).map(Float.init))
    XCTAssertEqual(try maxPool2d(x, kernel: 2).scalars, [5, 7, 13, 15])
    XCTAssertEqual(try avgPool2d(x, kernel: 2).scalars, [2.5, 4.5, 10.5, 12.5])
  }

  func testMaxPoolGradientGoesToTheWinner() throws {
    let x = try Tensor(shape: [1, 1, 2, 4], scalars: [1, 9, 3, 2, 4, 0, 8, 5]).requiringGrad()
    let g = try gradients(of: maxPool2d(x, kernel: 2).sum(), wrt: [x])[0]
    XCTAssertEqual(g.scalars, [0, 1, 0, 0, 0, 0, 1, 0])
  }

  func testMaxPoolGradients() throws {
    for (i, (k, s, p)) in geometries.enumerated() {
      let x = try nnDistinctTensor([2, 2, 6, 5], seed: UInt64(i))
      try nnCheckGradients([x], h: 1e-2) { v in
        try maxPool2d(v[0], kernel: Size2D(k.0, k.1), stride: Size2D(s.0, s.1), padding: Size2D(p.0, p.1))
      }
    }
  }

  func testAvgPoolGradients() throws {
    let x = try rng.tensor([2, 2, 5, 6])
    for (k, s, p) in geometries {
      for countPadding in [true, false] {
        try nnCheckGradients([x]) { v in
          try avgPool2d(v[0], kernel: Size2D(k.0, k.1), stride: Size2D(s.0, s.1), padding: Size2D(p.0, p.1),
                        countPadding: countPadding)
        }
      }
    }
  }

  func testHessianVectorProducts() throws {
    // Pooling is piecewise linear; composing with a square and a product with a
    // second input gives nonzero second derivatives through the pooling's
    // backward (the scatter) and that backward's backward (the gather).
    let x = try nnDistinctTensor([2, 2, 6, 6], gap: 0.1, seed: 3)
    let scale = try rng.tensor([2, 2, 3, 3])
    // Direction entries up to 1 with h = 1e-2 move inputs by < gap / 2: no winner changes.
    try nnCheckHessianVectorProducts([x, scale]) { v in try (maxPool2d(v[0], kernel: 2) * v[1]).square() }
    try nnCheckHessianVectorProducts([x]) { v in try maxPool2d(v[0], kernel: 3, stride: 2, padding: 1).tanh() }
    try nnCheckHessianVectorProducts([x, scale]) { v in try (avgPool2d(v[0], kernel: 2) * v[1]).square() }
    try nnCheckHessianVectorProducts([x]) { v in
      try avgPool2d(v[0], kernel: 3, stride: 2, padding: 1, countPadding: false).tanh()
    }
  }

  func testThirdOrderThroughMaxPool() throws {
    // f(x) = Σ m³ over the window maxima m: summing each gradient and
    // differentiating again gives 3m², then 6m, then 6 at every winner, 0 elsewhere.
    let x = try nnDistinctTensor([1, 1, 4, 4], seed: 8)
    let f: (Tensor) throws -> Tensor = { v in try maxPool2d(v, kernel: 2).pow(3).sum() }
    let first: (Tensor) throws -> Tensor = { v in try grad(f)(v).sum() }
    let second: (Tensor) throws -> Tensor = { v in try grad(first)(v).sum() }
    let third = try grad(second)(x)
    let leaf = x.requiringGrad()
    let mask = try gradients(of: maxPool2d(leaf, kernel: 2).sum(), wrt: [leaf])[0]
    XCTAssertEqual(mask.scalars.reduce(0, +), 4)
    XCTAssertEqual(third.scalars, mask.scalars.map { 6 * $0 })
  }

  func testErrors() throws {
    let x = try rng.tensor([1, 2, 4, 4])
    XCTAssertThrowsTensorError(try maxPool2d(rng.tensor([2, 4, 4]), kernel: 2),
                               containing: "max_pool2d: input must be 4-D [N, C, H, W], got [2, 4, 4]")
    XCTAssertThrowsTensorError(try maxPool2d(x, kernel: 2, padding: 2), containing: "max_pool2d: padding 2 exceeds half the kernel 2")
    XCTAssertThrowsTensorError(try avgPool2d(x, kernel: 5), containing: "avg_pool2d: input [1, 2, 4, 4], kernel 5")
    XCTAssertThrowsTensorError(try maxPool2d(x, kernel: 0), containing: "kernel size 0 must be positive")
    XCTAssertThrowsTensorError(try avgPool2d(x, kernel: 2, stride: Size2D(1, 0)), containing: "stride (1, 0) must be positive")
  }
}

extension NNPoolingTests {
  func testHugeArgumentsAreErrorsNotCrashes() throws {
    let x = try rng.tensor([1, 1, 4, 4])
    XCTAssertThrowsTensorError(try maxPool2d(x, kernel: 2, padding: Size2D(Int.max, 0)), containing: "max_pool2d")
    XCTAssertThrowsTensorError(try avgPool2d(x, kernel: Size2D(Int.max, 2)), containing: "avg_pool2d")
    XCTAssertThrowsTensorError(try maxPool2d(x, kernel: 2, stride: Size2D(Int.max)), containing: "max_pool2d")
    XCTAssertThrowsTensorError(try conv2d(x, rng.tensor([1, 1, 2, 2]), padding: Size2D(Int.max)), containing: "conv2d")
    XCTAssertThrowsTensorError(try im2col(x, kernel: 2, stride: Size2D(1, Int.min)), containing: "im2col: stride")
  }
}
