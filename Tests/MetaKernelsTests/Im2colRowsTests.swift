import XCTest

@testable import MetaKernels

/// The short-row moves behind im2col/col2im (every width from 0 to 40, the
/// vector paths and their overlapping tails) and the block gather/scatter of
/// the grouped convolution.
final class Im2colRowsTests: XCTestCase {
  func testRowMovesForEveryWidth() {
    var rng = TestRandom(seed: 21)
    for n in 0...40 {
      let src = rng.floats(n)
      // One guard float on each side must survive every move.
      var dst = [Float](repeating: .nan, count: n + 2)
      dst.withUnsafeMutableBufferPointer { d in
        src.withUnsafeBufferPointer { s in
          guard let dp = d.baseAddress else { return }
          copyRow(dp + 1, s.baseAddress ?? UnsafePointer(dp), n)
        }
      }
      XCTAssertEqual(Array(dst[1..<(n + 1)]), src, "copy \(n)")
      XCTAssertTrue(dst[0].isNaN && dst[n + 1].isNaN, "copy \(n) wrote outside")
      let before = dst
      dst.withUnsafeMutableBufferPointer { d in
        src.withUnsafeBufferPointer { s in
          guard let dp = d.baseAddress else { return }
          addRow(dp + 1, s.baseAddress ?? UnsafePointer(dp), n)
        }
      }
      XCTAssertEqual(Array(dst[1..<(n + 1)]), zip(before[1..<(n + 1)], src).map { $0 + $1 }, "add \(n)")
      XCTAssertTrue(dst[0].isNaN && dst[n + 1].isNaN, "add \(n) wrote outside")
      dst.withUnsafeMutableBufferPointer { d in
        guard let dp = d.baseAddress else { return }
        zeroRow(dp + 1, n)
      }
      XCTAssertTrue(dst[1..<(n + 1)].allSatisfy { $0 == 0 }, "zero \(n)")
      XCTAssertTrue(dst[0].isNaN && dst[n + 1].isNaN, "zero \(n) wrote outside")
    }
  }

  /// Wide and narrow images (rows of 1 to 40 floats), written into a wider
  /// column matrix: every entry as defined, the rest of each row untouched,
  /// and col2im equal to the direct sum over the window positions.
  func testIm2colAndCol2imForAllRowWidths() throws {
    var rng = TestRandom(seed: 22)
    for trial in 0..<80 {
      let kh = rng.int(1...5), kw = rng.int(1...5)
      let dh = rng.int(1...2), dw = rng.int(1...2)
      let ph = rng.int(0...3), pw = rng.int(0...3)
      let sh = trial % 3 == 0 ? rng.int(1...3) : 1, sw = trial % 4 == 0 ? rng.int(1...3) : 1
      let h = max(rng.int(1...12), dh * (kh - 1) + 1 - 2 * ph)
      let w = max(rng.int(1...40), dw * (kw - 1) + 1 - 2 * pw)
      let g = try WindowGeometry(
        planes: rng.int(1...3), height: h, width: w, kernelH: kh, kernelW: kw,
        strideH: sh, strideW: sw, padH: ph, padW: pw, dilationH: dh, dilationW: dw)
      let label = "trial \(trial) \(g)"
      let x = rng.floats(g.planes * g.planeSize)
      let ld = g.columnCount + rng.int(0...5)
      var cols = [Float](repeating: .nan, count: g.columnRows * ld)
      try x.withUnsafeBufferPointer { px in
        try cols.withUnsafeMutableBufferPointer { pc in
          guard let xp = px.baseAddress, let cp = pc.baseAddress else { return }
          try im2col(g, input: xp, columns: cp, ldColumns: ld)
        }
      }
      let expected = referenceIm2col(g, x)
      for r in 0..<g.columnRows {
        XCTAssertEqual(Array(cols[(r * ld)..<(r * ld + g.columnCount)]),
                       Array(expected[(r * g.columnCount)..<((r + 1) * g.columnCount)]), label)
        XCTAssertTrue(cols[(r * ld + g.columnCount)..<((r + 1) * ld)].allSatisfy(\.isNaN), "\(label): wrote past a row")
      }
      // col2im of random columns, against each entry added where im2col took it from.
      let y = rng.floats(g.columnRows * ld)
      var direct = [Double](repeating: 0, count: x.count)
      for c in 0..<g.planes {
        for i in 0..<kh {
          for j in 0..<kw {
            for oh in 0..<g.outH {
              for ow in 0..<g.outW {
                let ih = oh * sh - ph + i * dh, iw = ow * sw - pw + j * dw
                guard (0..<h).contains(ih), (0..<w).contains(iw) else { continue }
                direct[(c * h + ih) * w + iw] += Double(y[((c * kh + i) * kw + j) * ld + oh * g.outW + ow])
              }
            }
          }
        }
      }
      var folded = [Float](repeating: 0, count: x.count)
      try y.withUnsafeBufferPointer { py in
        try folded.withUnsafeMutableBufferPointer { pf in
          guard let yp = py.baseAddress, let fp = pf.baseAddress else { return }
          try col2im(g, columns: yp, input: fp, ldColumns: ld)
        }
      }
      for (a, b) in zip(folded, direct) { XCTAssertEqual(Double(a), b, accuracy: 1e-5 * (abs(b) + 1), label) }
    }
  }

  func testGatherAndScatterBlocks() {
    // Three 2x3 blocks, 7 floats apart (one spare float after each).
    let src: [Float] = (0..<21).map(Float.init)
    var wide = [Float](repeating: .nan, count: 18)
    src.withUnsafeBufferPointer { s in
      wide.withUnsafeMutableBufferPointer { d in
        guard let sp = s.baseAddress, let dp = d.baseAddress else { return }
        gatherBlocks(sp, srcStride: 7, count: 3, rows: 2, cols: 3, into: dp)
      }
    }
    // Row 0: row 0 of each block; row 1: row 1 of each block.
    XCTAssertEqual(wide, [0, 1, 2, 7, 8, 9, 14, 15, 16, 3, 4, 5, 10, 11, 12, 17, 18, 19])
    var back = [Float](repeating: -1, count: 21)
    wide.withUnsafeBufferPointer { s in
      back.withUnsafeMutableBufferPointer { d in
        guard let sp = s.baseAddress, let dp = d.baseAddress else { return }
        scatterBlocks(sp, count: 3, rows: 2, cols: 3, into: dp, dstStride: 7)
      }
    }
    XCTAssertEqual(back, (0..<21).map { $0 % 7 == 6 ? -1 : Float($0) })
  }
}
