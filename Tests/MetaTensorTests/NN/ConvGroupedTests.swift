import MetaKernels
import XCTest

@testable import MetaTensor

/// The grouped convolution kernels (several images per matrix product)
/// against direct nested loops in Double, for shapes that exercise the
/// grouping's edges: batches not a multiple of the group, single images,
/// one channel, strides, no or wide padding, non-square kernels, 1x1 outputs,
/// bias on and off, one and two threads.
final class ConvGroupedTests: XCTestCase {
  var rng = TestRNG(77)

  /// One case: input [N, C, H, W], weight [O, C, kh, kw].
  struct Case {
    var x: [Int]
    var w: [Int]
    var stride = Size2D(1, 1)
    var padding = Size2D(0, 0)
  }

  let cases: [Case] = [
    Case(x: [47, 3, 3, 3], w: [5, 3, 3, 3], padding: 1),  // l = 9: groups of 24 and 23 (43 at most)
    Case(x: [1, 2, 5, 4], w: [3, 2, 3, 3], padding: 1),  // a single image
    Case(x: [7, 1, 6, 6], w: [4, 1, 3, 3], padding: 1),  // one channel
    Case(x: [9, 2, 7, 8], w: [3, 2, 3, 2], stride: Size2D(2, 2), padding: Size2D(0, 1)),
    Case(x: [5, 3, 4, 5], w: [2, 3, 2, 3], padding: 2),  // taps reading only padding
    Case(x: [11, 2, 6, 5], w: [3, 2, 1, 4], stride: Size2D(1, 3), padding: 0),  // non-square
    Case(x: [13, 4, 3, 3], w: [6, 4, 3, 3]),  // 1x1 outputs: 13 images in one product
    Case(x: [6, 2, 30, 29], w: [3, 2, 3, 3], padding: 1),  // rows wider than 8 floats
    // C*kh*kw >= 64 and O >= 32: the direct kernels (ConvDirect.swift); the
    // input gradient too when C >= 32 and the stride is 1.
    Case(x: [5, 8, 3, 3], w: [40, 8, 3, 3], padding: 1),
    Case(x: [3, 32, 5, 4], w: [33, 32, 3, 3], padding: 1),
    Case(x: [3, 32, 7, 6], w: [32, 32, 3, 3], stride: Size2D(2, 2), padding: Size2D(1, 0)),
  ]

  // MARK: Direct loops

  /// The input position read by output (oh, ow) at tap (i, j), or nil in the padding.
  func source(_ c: Case, _ oh: Int, _ ow: Int, _ i: Int, _ j: Int) -> (Int, Int)? {
    let ih = oh * c.stride.height - c.padding.height + i
    let iw = ow * c.stride.width - c.padding.width + j
    return (0..<c.x[2]).contains(ih) && (0..<c.x[3]).contains(iw) ? (ih, iw) : nil
  }

  func outSize(_ c: Case) -> (Int, Int) {
    ((c.x[2] + 2 * c.padding.height - c.w[2]) / c.stride.height + 1,
     (c.x[3] + 2 * c.padding.width - c.w[3]) / c.stride.width + 1)
  }

  /// Calls `body(n, o, ch, oh, ow, i, j, xIndex, wIndex, yIndex)` for every
  /// multiply-add of the convolution that reads inside the image.
  func forEachProduct(_ c: Case, _ body: (Int, Int, Int) -> Void) {
    let (n, ch, h, w) = (c.x[0], c.x[1], c.x[2], c.x[3])
    let (o, kh, kw) = (c.w[0], c.w[2], c.w[3])
    let (oh, ow) = outSize(c)
    for b in 0..<n {
      for f in 0..<o {
        for r in 0..<oh {
          for s in 0..<ow {
            for q in 0..<ch {
              for i in 0..<kh {
                for j in 0..<kw {
                  guard let (ih, iw) = source(c, r, s, i, j) else { continue }
                  body(((b * ch + q) * h + ih) * w + iw, ((f * ch + q) * kh + i) * kw + j, ((b * o + f) * oh + r) * ow + s)
                }
              }
            }
          }
        }
      }
    }
  }

  func directForward(_ c: Case, _ x: [Float], _ w: [Float], _ bias: [Float]?) -> [Double] {
    let (oh, ow) = outSize(c)
    var y = [Double](repeating: 0, count: c.x[0] * c.w[0] * oh * ow)
    forEachProduct(c) { xi, wi, yi in y[yi] += Double(x[xi]) * Double(w[wi]) }
    if let bias {
      for yi in y.indices { y[yi] += Double(bias[yi / (oh * ow) % c.w[0]]) }
    }
    return y
  }

  func directInputGradient(_ c: Case, _ g: [Float], _ w: [Float]) -> [Double] {
    var dx = [Double](repeating: 0, count: c.x.reduce(1, *))
    forEachProduct(c) { xi, wi, yi in dx[xi] += Double(g[yi]) * Double(w[wi]) }
    return dx
  }

  func directWeightGradient(_ c: Case, _ g: [Float], _ x: [Float]) -> [Double] {
    var dw = [Double](repeating: 0, count: c.w.reduce(1, *))
    forEachProduct(c) { xi, wi, yi in dw[wi] += Double(g[yi]) * Double(x[xi]) }
    return dw
  }

  // MARK: Tests

  func withThreads<T>(_ n: Int, _ body: () throws -> T) rethrows -> T {
    let saved = ThreadPool.maxThreads
    ThreadPool.maxThreads = n
    defer { ThreadPool.maxThreads = saved }
    return try body()
  }

  func testKernelsMatchDirectLoopsOnOneAndTwoThreads() throws {
    for threads in [1, 2] {
      try withThreads(threads) {
        for c in cases {
          let geometry = try ConvGeometry(op: "test", input: c.x, weight: c.w, stride: c.stride, padding: c.padding)
          let (x, w, b) = (try rng.tensor(c.x), try rng.tensor(c.w), try rng.tensor([c.w[0]]))
          let g = try rng.tensor(geometry.outputShape)
          let label = "x \(c.x) w \(c.w) stride \(c.stride) pad \(c.padding), \(threads) thread(s)"
          for bias in [nil, b] {
            let y = try conv2d(x, w, bias: bias, stride: c.stride, padding: c.padding)
            XCTAssertEqual(y.shape, geometry.outputShape, label)
            nnAssertClose(y.scalars, directForward(c, x.scalars, w.scalars, bias?.scalars), tol: 1e-5, label)
          }
          let dx = try convInputGradient(g, w, geometry)
          XCTAssertEqual(dx.shape, c.x, label)
          nnAssertClose(dx.scalars, directInputGradient(c, g.scalars, w.scalars), tol: 1e-5, label)
          let dw = try convWeightGradient(g, x, geometry)
          XCTAssertEqual(dw.shape, c.w, label)
          nnAssertClose(dw.scalars, directWeightGradient(c, g.scalars, x.scalars), tol: 1e-5, label)
        }
      }
    }
  }

  func testGradientsThroughConv2dMatchDirectLoops() throws {
    // grad of sum(conv2d(x, w, b) * r): dx and dw are the adjoints applied to r, db its channel sums.
    let c = Case(x: [20, 3, 5, 5], w: [4, 3, 3, 3], padding: 1)
    let (x, w, b) = (try rng.tensor(c.x), try rng.tensor(c.w), try rng.tensor([4]))
    let r = try rng.tensor([20, 4, 5, 5])
    let leaves = [x, w, b].map { $0.requiringGrad() }
    let grads = try gradients(of: (conv2d(leaves[0], leaves[1], bias: leaves[2], padding: 1) * r).sum(), wrt: leaves)
    nnAssertClose(grads[0].scalars, directInputGradient(c, r.scalars, w.scalars), tol: 1e-5, "dx")
    nnAssertClose(grads[1].scalars, directWeightGradient(c, r.scalars, x.scalars), tol: 1e-5, "dw")
    var db = [Double](repeating: 0, count: 4)
    for (i, v) in r.scalars.enumerated() { db[i / 25 % 4] += Double(v) }
    nnAssertClose(grads[2].scalars, db, tol: 1e-5, "db")
  }

  func testOneAndTwoThreadsAgree() throws {
    // The batch split changes only which images share a product, and the
    // order the two partial weight gradients are added in.
    let x = try rng.tensor([75, 8, 7, 7]), w = try rng.tensor([16, 8, 3, 3]), g = try rng.tensor([75, 16, 7, 7])
    let geometry = try ConvGeometry(op: "test", input: x.shape, weight: w.shape, stride: 1, padding: 1)
    func all() throws -> [[Float]] {
      [try conv2d(x, w, padding: 1).scalars, try convInputGradient(g, w, geometry).scalars,
       try convWeightGradient(g, x, geometry).scalars]
    }
    let one = try withThreads(1) { try all() }
    let two = try withThreads(2) { try all() }
    for (a, b) in zip(one, two) { XCTAssertClose(a, b, tol: 1e-4) }
    // And the same thread count gives bit-identical results.
    XCTAssertEqual(try withThreads(2) { try all() }, two)
  }

  func testGroupSizeSpansTargetColumnsWithinTheCacheBound() throws {
    func size(_ x: [Int], _ count: Int) throws -> Int {
      try ConvGeometry(op: "test", input: x, weight: [64, x[1], 3, 3], stride: 1, padding: 1).groupSize(count: count)
    }
    // The conv4 layers at N = 600 (l = 784, 196, 49, 9).
    XCTAssertEqual(try size([600, 1, 28, 28], 600), 1)
    XCTAssertEqual(try size([600, 64, 14, 14], 600), 1)  // 2 would be 0.86 MiB of columns
    XCTAssertEqual(try size([600, 64, 7, 7], 600), 4)  // 196 columns, 0.43 MiB
    XCTAssertEqual(try size([600, 64, 3, 3], 600), 25)  // 225 columns
    // Never more images than the range holds, never fewer than one.
    XCTAssertEqual(try size([5, 64, 3, 3], 5), 5)
    XCTAssertEqual(try size([75, 8, 3, 3], 75), 43)  // 384 columns reached before the cache bound
    XCTAssertEqual(try size([5, 64, 3, 3], 1), 1)
    XCTAssertEqual(try size([5, 64, 3, 3], 0), 1)
    // Huge single images: one per product.
    XCTAssertEqual(try size([2, 64, 64, 64], 2), 1)
  }
}
