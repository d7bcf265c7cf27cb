import XCTest

@testable import MetaKernels

/// The direct convolution kernels (conv_direct.c through `DirectConv`) at
/// every instruction-set level this CPU runs, against nested Double loops:
/// odd batches, one or three channels, channel counts that leave partial
/// vectors and partial tiles, strides, padding 0 and 2, 1x1 outputs,
/// non-square kernels, dilation, bias on and off; one and two threads must
/// agree bit for bit.
final class ConvDirectTests: XCTestCase {
  struct Case {
    var n: Int, c: Int, h: Int, w: Int
    var o: Int, kh: Int, kw: Int
    var stride = (1, 1), pad = (0, 0), dilation = (1, 1)

    func window() throws -> WindowGeometry {
      try WindowGeometry(
        planes: c, height: h, width: w, kernelH: kh, kernelW: kw, strideH: stride.0, strideW: stride.1,
        padH: pad.0, padW: pad.1, dilationH: dilation.0, dilationW: dilation.1)
    }
  }

  let cases: [Case] = [
    Case(n: 5, c: 3, h: 3, w: 3, o: 64, kh: 3, kw: 3, pad: (1, 1)),  // conv4's last layer shape, 3 channels
    Case(n: 1, c: 1, h: 7, w: 6, o: 5, kh: 3, kw: 3, pad: (2, 2)),  // one image, one channel, 5 filters
    Case(n: 47, c: 3, h: 5, w: 5, o: 20, kh: 3, kw: 3, pad: (1, 1)),  // 20 = 16 + 4 channels
    Case(n: 5, c: 3, h: 9, w: 8, o: 70, kh: 3, kw: 2, stride: (2, 2), pad: (0, 1)),  // 64 + 6 channels
    Case(n: 5, c: 1, h: 4, w: 4, o: 17, kh: 4, kw: 4),  // 1x1 outputs
    Case(n: 3, c: 3, h: 9, w: 9, o: 33, kh: 3, kw: 3, pad: (2, 2), dilation: (2, 2)),
    Case(n: 5, c: 3, h: 6, w: 7, o: 16, kh: 1, kw: 4, pad: (0, 2), dilation: (1, 2)),  // non-square
    Case(n: 47, c: 3, h: 3, w: 3, o: 64, kh: 3, kw: 3, pad: (2, 2)),  // taps reading only padding
    Case(n: 23, c: 8, h: 7, w: 7, o: 64, kh: 3, kw: 3, pad: (1, 1)),  // enough work for two threads
  ]

  // MARK: Double loops

  /// Calls `body(xIndex, wIndex, yIndex)` for every multiply-add inside the image.
  func forEachProduct(_ c: Case, _ g: WindowGeometry, _ body: (Int, Int, Int) -> Void) {
    for b in 0..<c.n {
      for f in 0..<c.o {
        for r in 0..<g.outH {
          for s in 0..<g.outW {
            for q in 0..<c.c {
              for i in 0..<c.kh {
                for j in 0..<c.kw {
                  let ih = r * c.stride.0 - c.pad.0 + i * c.dilation.0
                  let iw = s * c.stride.1 - c.pad.1 + j * c.dilation.1
                  guard (0..<c.h).contains(ih), (0..<c.w).contains(iw) else { continue }
                  body(((b * c.c + q) * c.h + ih) * c.w + iw, ((f * c.c + q) * c.kh + i) * c.kw + j,
                       ((b * c.o + f) * g.outH + r) * g.outW + s)
                }
              }
            }
          }
        }
      }
    }
  }

  func assertClose(_ got: [Float], _ want: [Double], _ label: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(got.count, want.count, label, file: file, line: line)
    let scale = max(1, want.map(abs).max() ?? 1)
    var worst = 0.0
    for (a, b) in zip(got, want) { worst = max(worst, abs(Double(a) - b)) }
    XCTAssertLessThan(worst, 1e-5 * scale, label, file: file, line: line)
  }

  // MARK: Tests

  func testMatchesDoubleLoopsAtEveryLevelOnOneAndTwoThreads() throws {
    var rng = TestRandom(seed: 5)
    for c in cases {
      let g = try c.window()
      let x = rng.floats(c.n * c.c * c.h * c.w), w = rng.floats(c.o * c.c * c.kh * c.kw)
      let bias = rng.floats(c.o), dy = rng.floats(c.n * c.o * g.outH * g.outW)
      var y0 = [Double](repeating: 0, count: dy.count), dx0 = [Double](repeating: 0, count: x.count)
      var dw0 = [Double](repeating: 0, count: w.count)
      forEachProduct(c, g) { xi, wi, yi in
        y0[yi] += Double(x[xi]) * Double(w[wi])
        dx0[xi] += Double(dy[yi]) * Double(w[wi])
        dw0[wi] += Double(dy[yi]) * Double(x[xi])
      }
      let withBias = y0.indices.map { y0[$0] + Double(bias[$0 / g.columnCount % c.o]) }
      for level in DirectConv.Level.supported {
        let conv = try DirectConv(window: g, outChannels: c.o, level: level)
        var results: [[[Float]]] = []
        for threads in [1, 2] {
          let label = "\(c) \(level) \(threads) thread(s)"
          let y = run(dy.count) { conv.forward(x: x, batch: c.n, w: w, bias: nil, y: $0, threads: threads) }
          assertClose(y, y0, "forward " + label)
          let yb = run(dy.count) { out in
            bias.withUnsafeBufferPointer { b in
              conv.forward(x: x, batch: c.n, w: w, bias: b.baseAddress, y: out, threads: threads)
            }
          }
          assertClose(yb, withBias, "forward with bias " + label)
          let dw = run(w.count) { conv.weightGradient(x: x, batch: c.n, g: dy, dw: $0, threads: threads) }
          assertClose(dw, dw0, "weight gradient " + label)
          var dx: [Float] = []
          if conv.supportsInputGradient {
            dx = try runThrowing(x.count) { try conv.inputGradient(g: dy, batch: c.n, w: w, dx: $0, threads: threads) }
            assertClose(dx, dx0, "input gradient " + label)
          } else {
            XCTAssertThrowsError(try runThrowing(x.count) {
              try conv.inputGradient(g: dy, batch: c.n, w: w, dx: $0, threads: threads)
            }, label)
          }
          results.append([y, yb, dw, dx])
        }
        XCTAssertEqual(results[0], results[1], "1 and 2 threads differ: \(c) \(level)")
      }
    }
  }

  func testStrideTwoHasNoInputGradientAndPaddingBeyondTheKernelNeither() throws {
    let strided = try DirectConv(window: try Case(n: 1, c: 1, h: 5, w: 5, o: 1, kh: 3, kw: 3, stride: (2, 2)).window(),
                                 outChannels: 1)
    XCTAssertFalse(strided.supportsInputGradient)
    let wide = try DirectConv(window: try Case(n: 1, c: 1, h: 5, w: 5, o: 1, kh: 3, kw: 3, pad: (3, 0)).window(),
                              outChannels: 1)
    XCTAssertFalse(wide.supportsInputGradient)
    XCTAssertThrowsError(try DirectConv(window: try Case(n: 1, c: 1, h: 5, w: 5, o: 1, kh: 3, kw: 3).window(),
                                        outChannels: 0))
  }

  func testEmptyBatchWritesZeroWeightGradient() throws {
    let conv = try DirectConv(window: try Case(n: 0, c: 2, h: 4, w: 4, o: 3, kh: 3, kw: 3).window(), outChannels: 3)
    let dw = run(3 * 2 * 9) { conv.weightGradient(x: [], batch: 0, g: [], dw: $0, threads: 1) }
    XCTAssertEqual(dw, [Float](repeating: 0, count: 54))
  }

  /// A fresh NaN-filled buffer of `count` floats after `body` wrote it, so unwritten elements show.
  func run(_ count: Int, _ body: (UnsafeMutablePointer<Float>) -> Void) -> [Float] {
    var out = [Float](repeating: .nan, count: count)
    out.withUnsafeMutableBufferPointer { b in
      if let p = b.baseAddress { body(p) }
    }
    return out
  }

  func runThrowing(_ count: Int, _ body: (UnsafeMutablePointer<Float>) throws -> Void) throws -> [Float] {
    var out = [Float](repeating: .nan, count: count)
    try out.withUnsafeMutableBufferPointer { b in
      if let p = b.baseAddress { try body(p) }
    }
    return out
  }
}
