import XCTest
@testable import MetaTensor

/// conv2d and its im2col/col2im primitives: values against a direct Double
/// loop, first and second derivatives against finite differences, adjointness,
/// and the errors for bad shapes.
final class NNConvTests: XCTestCase {
  var rng = TestRNG(2024)

  func testForwardMatchesDirectLoopForStridesAndPadding() throws {
    let cases: [(x: [Int], w: [Int], stride: (Int, Int), pad: (Int, Int))] = [
      ([2, 3, 7, 6], [4, 3, 3, 3], (1, 1), (1, 1)),
      ([1, 2, 8, 9], [3, 2, 3, 2], (2, 3), (0, 1)),
      ([3, 1, 5, 5], [2, 1, 5, 5], (1, 1), (0, 0)),
      ([2, 2, 6, 7], [5, 2, 1, 3], (3, 2), (2, 0)),
    ]
    for (xs, wsh, s, p) in cases {
      let x = try rng.tensor(xs), w = try rng.tensor(wsh), b = try rng.tensor([wsh[0]])
      for bias in [nil, b] {
        let y = try conv2d(x, w, bias: bias, stride: Size2D(s.0, s.1), padding: Size2D(p.0, p.1))
        let (shape, expected) = referenceConv2d(x, w, bias: bias, stride: s, padding: p)
        XCTAssertEqual(y.shape, shape)
        nnAssertClose(y.scalars, expected, tol: 1e-5, "x \(xs) w \(wsh) stride \(s) pad \(p)")
      }
    }
  }

  func testKnownSmallConvolution() throws {
    // A 2x2 box filter over 1..9 with no padding: each output is the sum of a 2x2 block.
    let x = try Tensor(shape: [1, 1, 3, 3], scalars: (1...9).map(Float.init))
    let w = try Tensor.ones([1, 1, 2, 2])
    XCTAssertEqual(try conv2d(x, w).scalars, [12, 16, 24, 28])
    XCTAssertEqual(try conv2d(x, w, bias: Tensor(shape: [1], scalars: [-10])).scalars, [2, 6, 14, 18])
  }

  func testGradientsWithRespectToInputWeightAndBias() throws {
    let x = try rng.tensor([2, 2, 5, 4]), w = try rng.tensor([3, 2, 3, 2]), b = try rng.tensor([3])
    try nnCheckGradients([x, w, b]) { p in try conv2d(p[0], p[1], bias: p[2], stride: 1, padding: Size2D(1, 0)) }
    try nnCheckGradients([x, w]) { p in try conv2d(p[0], p[1], stride: Size2D(2, 1), padding: 1) }
  }

  func testHessianVectorProducts() throws {
    let x = try rng.tensor([2, 2, 4, 4]), w = try rng.tensor([2, 2, 3, 3]), b = try rng.tensor([2])
    // Bilinear in (x, w): the square makes every second derivative nonzero.
    try nnCheckHessianVectorProducts([x, w, b]) { p in
      try conv2d(p[0], p[1], bias: p[2], padding: 1).square()
    }
    try nnCheckHessianVectorProducts([x, w]) { p in try conv2d(p[0], p[1], stride: 2, padding: 1).tanh() }
  }

  func testThirdOrderDerivativeOfCubedConvolution() throws {
    // y = conv(x, w) for a 1x1 image and 1x1 filter is x*w; d³/dx³ (x w)³ = 6 w³.
    let w = try Tensor(shape: [1, 1, 1, 1], scalars: [0.7])
    let f: (Tensor) throws -> Tensor = { x in try conv2d(x, w).pow(3).sum() }
    let x = try Tensor(shape: [1, 1, 1, 1], scalars: [1.3])
    let third = try grad(grad(grad(f)))(x)
    XCTAssertEqual(try third.item(), 6 * 0.7 * 0.7 * 0.7, accuracy: 1e-5)
  }

  /// conv2d written as the composition the fused op must equal: one matrix
  /// product with the unfolded batch, laid back out as NCHW.
  func composedConv(_ x: Tensor, _ w: Tensor, stride: Size2D, padding: Size2D) throws -> Tensor {
    let cols = try im2col(x, kernel: Size2D(w.shape[2], w.shape[3]), stride: stride, padding: padding)
    let y = try w.reshape([w.shape[0], -1]).matmul(cols)
    let (n, o) = (x.shape[0], w.shape[0])
    let l = cols.shape[1] / n
    let oh = (x.shape[2] + 2 * padding.height - w.shape[2]) / stride.height + 1
    return try y.reshape([o, n, oh, l / oh]).permute([1, 0, 2, 3])
  }

  func testFusedConvolutionEqualsComposedPrimitivesToSecondOrder() throws {
    // Enough work that the fused op splits the batch (of odd size) over threads.
    let x = try rng.tensor([9, 4, 16, 16]), w = try rng.tensor([5, 4, 3, 3])
    let (s, p) = (Size2D(2, 1), Size2D(1, 0))
    let fused = try conv2d(x, w, stride: s, padding: p), composed = try composedConv(x, w, stride: s, padding: p)
    XCTAssertEqual(fused.shape, composed.shape)
    XCTAssertClose(fused.scalars, try composed.contiguous().scalars, tol: 1e-5)
    // Gradients and Hessian-vector products of the same objective through both graphs.
    let weights = try rng.tensor(fused.shape), (vx, vw) = (try rng.tensor(x.shape), try rng.tensor(w.shape))
    func derivatives(_ conv: (Tensor, Tensor) throws -> Tensor) throws -> [Tensor] {
      let (xl, wl) = (x.requiringGrad(), w.requiringGrad())
      let g = try gradients(of: (conv(xl, wl).tanh() * weights).sum(), wrt: [xl, wl], createGraph: true)
      let hvp = try gradients(of: (g[0] * vx).sum() + (g[1] * vw).sum(), wrt: [xl, wl])
      return g + hvp
    }
    let a = try derivatives { try conv2d($0, $1, stride: s, padding: p) }
    let b = try derivatives { try self.composedConv($0, $1, stride: s, padding: p) }
    for (da, db) in zip(a, b) { XCTAssertClose(da.scalars, db.scalars, tol: 1e-4) }
  }

  func testIm2colLayoutMatchesDefinition() throws {
    let x = try rng.tensor([2, 2, 4, 5])
    let (kh, kw, sh, sw, ph, pw) = (2, 3, 2, 1, 1, 1)
    let cols = try im2col(x, kernel: Size2D(kh, kw), stride: Size2D(sh, sw), padding: Size2D(ph, pw))
    let oh = (4 + 2 * ph - kh) / sh + 1, ow = (5 + 2 * pw - kw) / sw + 1
    XCTAssertEqual(cols.shape, [2 * kh * kw, 2 * oh * ow])
    let xs = x.scalars, cs = cols.scalars
    for n in 0..<2 { for c in 0..<2 { for i in 0..<kh { for j in 0..<kw { for r in 0..<oh { for s in 0..<ow {
      let (h, v) = (r * sh - ph + i, s * sw - pw + j)
      let expected: Float = h >= 0 && h < 4 && v >= 0 && v < 5 ? xs[((n * 2 + c) * 4 + h) * 5 + v] : 0
      let row = (c * kh + i) * kw + j, col = n * oh * ow + r * ow + s
      XCTAssertEqual(cs[row * cols.shape[1] + col], expected)
    } } } } } }
  }

  func testCol2imIsTheAdjointOfIm2col() throws {
    // <im2col(x), y> == <x, col2im(y)> for random x, y, summed in Double.
    let shape = [3, 2, 6, 5]
    for (k, s, p) in [(Size2D(3, 3), Size2D(1), Size2D(1)), (Size2D(2, 3), Size2D(2, 1), Size2D(0, 1))] {
      let x = try rng.tensor(shape)
      let cols = try im2col(x, kernel: k, stride: s, padding: p)
      let y = try rng.tensor(cols.shape)
      let back = try col2im(y, imageShape: shape, kernel: k, stride: s, padding: p)
      XCTAssertEqual(back.shape, shape)
      let lhs = zip(cols.scalars, y.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
      let rhs = zip(x.scalars, back.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
      XCTAssertEqual(lhs, rhs, accuracy: 1e-4 * Swift.max(1, Swift.abs(lhs)))
    }
  }

  func testIm2colAndCol2imAreDifferentiableToSecondOrder() throws {
    let x = try rng.tensor([2, 1, 4, 4])
    let k = Size2D(3, 2), s = Size2D(1, 2), p = Size2D(1)
    let colsShape = try im2col(x, kernel: k, stride: s, padding: p).shape
    let y = try rng.tensor(colsShape)
    try nnCheckGradients([x]) { v in try im2col(v[0], kernel: k, stride: s, padding: p) }
    try nnCheckGradients([y]) { v in try col2im(v[0], imageShape: x.shape, kernel: k, stride: s, padding: p) }
    try nnCheckHessianVectorProducts([x]) { v in try im2col(v[0], kernel: k, stride: s, padding: p).square() }
    try nnCheckHessianVectorProducts([y]) { v in
      try col2im(v[0], imageShape: x.shape, kernel: k, stride: s, padding: p).square()
    }
  }

  func testGradientShapesEqualInputShapes() throws {
    let x = try rng.tensor([2, 3, 5, 5]).requiringGrad(), w = try rng.tensor([4, 3, 2, 2]).requiringGrad()
    let b = try rng.tensor([4]).requiringGrad()
    let g = try gradients(of: conv2d(x, w, bias: b, stride: 2, padding: 1).sum(), wrt: [x, w, b])
    XCTAssertEqual(g.map(\.shape), [x.shape, w.shape, b.shape])
  }

  func testBatchOfOneAndNonContiguousInput() throws {
    // A permuted (non-contiguous) input must give the same result as its contiguous copy.
    let base = try rng.tensor([1, 5, 6, 2])
    let x = try base.permute([0, 3, 1, 2])  // [1, 2, 5, 6]
    XCTAssertFalse(x.isContiguous)
    let w = try rng.tensor([3, 2, 3, 3])
    let y = try conv2d(x, w, padding: 1)
    let (shape, expected) = referenceConv2d(try x.contiguous(), w, bias: nil, stride: (1, 1), padding: (1, 1))
    XCTAssertEqual(y.shape, shape)
    nnAssertClose(y.scalars, expected, tol: 1e-5)
  }

  func testEmptyBatchGivesEmptyOutput() throws {
    let y = try conv2d(Tensor.zeros([0, 2, 5, 5]), rng.tensor([3, 2, 3, 3]), padding: 1)
    XCTAssertEqual(y.shape, [0, 3, 5, 5])
  }

  func testErrorsNameTheOpAndShapes() throws {
    let x = try rng.tensor([2, 3, 8, 8])
    XCTAssertThrowsTensorError(try conv2d(x, rng.tensor([4, 1, 3, 3])),
                               containing: "conv2d: input [2, 3, 8, 8] has 3 channels, weight [4, 1, 3, 3] expects 1")
    XCTAssertThrowsTensorError(try conv2d(rng.tensor([3, 8, 8]), rng.tensor([4, 3, 3, 3])),
                               containing: "conv2d: input must be 4-D [N, C, H, W], got [3, 8, 8]")
    XCTAssertThrowsTensorError(try conv2d(x, rng.tensor([4, 3, 3])), containing: "weight must be 4-D")
    XCTAssertThrowsTensorError(try conv2d(x, rng.tensor([4, 3, 3, 3]), bias: rng.tensor([3])),
                               containing: "bias [3] does not match the 4 output channels")
    XCTAssertThrowsTensorError(try conv2d(x, rng.tensor([4, 3, 9, 9])), containing: "larger than the padded input")
    XCTAssertThrowsTensorError(try conv2d(x, rng.tensor([4, 3, 3, 3]), stride: 0), containing: "conv2d: stride 0 must be positive")
    XCTAssertThrowsTensorError(try conv2d(x, rng.tensor([4, 3, 3, 3]), padding: Size2D(-1, 0)),
                               containing: "padding (-1, 0) must not be negative")
    XCTAssertThrowsTensorError(try conv2d(x, rng.tensor([4, 3, 0, 3])), containing: "kernel size (0, 3) must be positive")
    let cols = try im2col(x, kernel: 3)
    XCTAssertThrowsTensorError(try col2im(cols, imageShape: [2, 3, 8, 9], kernel: 3), containing: "col2im: columns [27, 72]")
  }
}
