import XCTest

@testable import MetaKernels

/// im2col straight from its definition, one element at a time.
func referenceIm2col(_ g: WindowGeometry, _ x: [Float]) -> [Float] {
  var out = [Float](repeating: 0, count: g.columnRows * g.columnCount)
  for c in 0..<g.planes {
    for i in 0..<g.kernelH {
      for j in 0..<g.kernelW {
        let row = (c * g.kernelH + i) * g.kernelW + j
        for oh in 0..<g.outH {
          for ow in 0..<g.outW {
            let ih = oh * g.strideH - g.padH + i * g.dilationH
            let iw = ow * g.strideW - g.padW + j * g.dilationW
            let inside = (0..<g.height).contains(ih) && (0..<g.width).contains(iw)
            out[row * g.columnCount + oh * g.outW + ow] =
              inside ? x[c * g.planeSize + ih * g.width + iw] : 0
          }
        }
      }
    }
  }
  return out
}

func runIm2col(_ g: WindowGeometry, _ x: [Float], threads: Int = 1) throws -> [Float] {
  var cols = [Float](repeating: .nan, count: g.columnRows * g.columnCount)
  try x.withUnsafeBufferPointer { px in
    try cols.withUnsafeMutableBufferPointer { pc in
      guard let xp = px.baseAddress, let cp = pc.baseAddress else { return }
      try im2col(g, input: xp, columns: cp, threads: threads)
    }
  }
  return cols
}

func runCol2im(_ g: WindowGeometry, _ cols: [Float], into start: [Float]? = nil, threads: Int = 1) throws -> [Float] {
  var x = start ?? [Float](repeating: 0, count: g.planes * g.planeSize)
  try cols.withUnsafeBufferPointer { pc in
    try x.withUnsafeMutableBufferPointer { px in
      guard let cp = pc.baseAddress, let xp = px.baseAddress else { return }
      try col2im(g, columns: cp, input: xp, threads: threads)
    }
  }
  return x
}

func dot(_ a: [Float], _ b: [Float]) -> (value: Double, magnitude: Double) {
  var s = 0.0, m = 0.0
  for (x, y) in zip(a, b) {
    s += Double(x) * Double(y)
    m += abs(Double(x) * Double(y))
  }
  return (s, m)
}

final class Im2colTests: XCTestCase {
  func testHandWorkedExample() throws {
    let x: [Float] = [1, 2, 3, 4, 5, 6, 7, 8, 9]
    let g = try WindowGeometry(planes: 1, height: 3, width: 3, kernelH: 2, kernelW: 2)
    XCTAssertEqual([g.outH, g.outW, g.columnRows, g.columnCount], [2, 2, 4, 4])
    XCTAssertEqual(try runIm2col(g, x), [1, 2, 4, 5, 2, 3, 5, 6, 4, 5, 7, 8, 5, 6, 8, 9])
    // 3x3 kernel, stride 2, padding 1: the corner tap sees only x[1,1]; the centre tap sees the corners.
    let p = try WindowGeometry(planes: 1, height: 3, width: 3, kernelH: 3, kernelW: 3, strideH: 2, strideW: 2, padH: 1, padW: 1)
    let cols = try runIm2col(p, x)
    XCTAssertEqual(Array(cols[0..<4]), [0, 0, 0, 5])
    XCTAssertEqual(Array(cols[16..<20]), [1, 3, 7, 9])
  }

  /// Random geometries (strides, padding, dilation, several channels) against the definition.
  func testMatchesDefinitionAndIsAdjointOfCol2im() throws {
    var rng = TestRandom(seed: 11)
    for trial in 0..<60 {
      let kh = rng.int(1...4), kw = rng.int(1...4)
      let dh = rng.int(1...2), dw = rng.int(1...2)
      let ph = rng.int(0...2), pw = rng.int(0...2)
      let h = max(rng.int(1...9), dh * (kh - 1) + 1 - 2 * ph)
      let w = max(rng.int(1...9), dw * (kw - 1) + 1 - 2 * pw)
      let g = try WindowGeometry(
        planes: rng.int(1...3), height: h, width: w, kernelH: kh, kernelW: kw,
        strideH: rng.int(1...3), strideW: rng.int(1...3), padH: ph, padW: pw, dilationH: dh, dilationW: dw)
      let x = rng.floats(g.planes * g.planeSize)
      let cols = try runIm2col(g, x, threads: trial % 2 + 1)
      XCTAssertEqual(cols, referenceIm2col(g, x), "trial \(trial) \(g)")
      // <im2col(x), y> == <x, col2im(y)>
      let y = rng.floats(cols.count)
      let lhs = dot(cols, y), rhs = dot(x, try runCol2im(g, y, threads: trial % 2 + 1))
      XCTAssertEqual(lhs.value, rhs.value, accuracy: 1e-5 * (lhs.magnitude + 1), "trial \(trial) \(g)")
    }
  }

  /// col2im adds onto what is already in the input. With non-overlapping
  /// windows each input element receives at most one entry, so the sums are exact.
  func testCol2imAccumulates() throws {
    let g = try WindowGeometry(planes: 2, height: 5, width: 4, kernelH: 2, kernelW: 2, strideH: 2, strideW: 2)
    var rng = TestRandom(seed: 12)
    let y = rng.floats(g.columnRows * g.columnCount)
    let start = rng.floats(g.planes * g.planeSize)
    let fresh = try runCol2im(g, y)
    XCTAssertEqual(try runCol2im(g, y, into: start), zip(start, fresh).map { $0 + $1 })
    // Row 4 of each 5-row plane is never covered by a 2x2 stride-2 window.
    XCTAssertTrue(fresh[16..<20].allSatisfy { $0 == 0 } && fresh[36..<40].allSatisfy { $0 == 0 })
  }

  /// A batch laid side by side with `ldColumns` gives each image's own columns.
  func testColumnStrideForBatches() throws {
    let g = try WindowGeometry(planes: 2, height: 4, width: 4, kernelH: 3, kernelW: 3, padH: 1, padW: 1)
    var rng = TestRandom(seed: 13)
    let images = [rng.floats(g.planes * g.planeSize), rng.floats(g.planes * g.planeSize)]
    let ld = 2 * g.columnCount + 1
    var wide = [Float](repeating: .nan, count: g.columnRows * ld)
    try wide.withUnsafeMutableBufferPointer { pw in
      guard let base = pw.baseAddress else { return }
      for (b, img) in images.enumerated() {
        try img.withUnsafeBufferPointer { pi in
          guard let ip = pi.baseAddress else { return }
          try im2col(g, input: ip, columns: base + b * g.columnCount, ldColumns: ld)
        }
      }
    }
    for (b, img) in images.enumerated() {
      let own = try runIm2col(g, img)
      for r in 0..<g.columnRows {
        XCTAssertEqual(Array(wide[(r * ld + b * g.columnCount)..<(r * ld + (b + 1) * g.columnCount)]),
                       Array(own[(r * g.columnCount)..<((r + 1) * g.columnCount)]))
      }
    }
    XCTAssertTrue((0..<g.columnRows).allSatisfy { wide[$0 * ld + ld - 1].isNaN }, "wrote past the batch")
  }

  /// conv2d as sgemm(weights, im2col(x)) against a direct convolution sum.
  func testConvolutionThroughSgemm() throws {
    let g = try WindowGeometry(planes: 3, height: 7, width: 6, kernelH: 3, kernelW: 3, strideH: 2, padH: 1, padW: 1)
    let filters = 4
    var rng = TestRandom(seed: 14)
    let x = rng.floats(g.planes * g.planeSize), w = rng.floats(filters * g.columnRows)
    let cols = try runIm2col(g, x)
    var y = [Float](repeating: 0, count: filters * g.columnCount)
    w.withUnsafeBufferPointer { pw in
      cols.withUnsafeBufferPointer { pc in
        y.withUnsafeMutableBufferPointer { py in
          guard let wp = pw.baseAddress, let cp = pc.baseAddress, let yp = py.baseAddress else { return }
          sgemm(transA: false, transB: false, m: filters, n: g.columnCount, k: g.columnRows, alpha: 1,
                a: wp, lda: g.columnRows, b: cp, ldb: g.columnCount, beta: 0, c: yp, ldc: g.columnCount)
        }
      }
    }
    for f in 0..<filters {
      for oh in 0..<g.outH {
        for ow in 0..<g.outW {
          var s = 0.0
          for c in 0..<g.planes {
            for i in 0..<3 {
              for j in 0..<3 {
                let ih = oh * 2 - 1 + i, iw = ow - 1 + j
                guard ih >= 0, ih < g.height, iw >= 0, iw < g.width else { continue }
                s += Double(w[f * g.columnRows + (c * 3 + i) * 3 + j]) * Double(x[c * g.planeSize + ih * g.width + iw])
              }
            }
          }
          XCTAssertEqual(Double(y[f * g.columnCount + oh * g.outW + ow]), s, accuracy: 1e-4)
        }
      }
    }
  }

  func testInvalidGeometryThrows() throws {
    XCTAssertThrowsError(try WindowGeometry(planes: 1, height: 2, width: 2, kernelH: 3, kernelW: 3))
    XCTAssertThrowsError(try WindowGeometry(planes: 1, height: 4, width: 4, kernelH: 2, kernelW: 2, strideH: 0))
    XCTAssertThrowsError(try WindowGeometry(planes: 1, height: 4, width: 4, kernelH: 2, kernelW: 2, padW: -1))
    XCTAssertThrowsError(try WindowGeometry(planes: 0, height: 4, width: 4, kernelH: 2, kernelW: 2))
    XCTAssertThrowsError(try WindowGeometry(planes: 1, height: 4, width: 4, kernelH: 2, kernelW: 2, dilationH: 5))
    XCTAssertThrowsError(try WindowGeometry(planes: Int.max / 2, height: 1 << 20, width: 1 << 20, kernelH: 1, kernelW: 1))
    XCTAssertNoThrow(try WindowGeometry(planes: 1, height: 2, width: 2, kernelH: 3, kernelW: 3, padH: 1, padW: 1))
    // A column stride narrower than outH*outW is refused before anything is written.
    guard let g = try? WindowGeometry(planes: 1, height: 3, width: 3, kernelH: 2, kernelW: 2) else {
      return XCTFail("valid geometry rejected")
    }
    var cols = [Float](repeating: 0, count: 16)
    var x = [Float](repeating: 1, count: 9)
    try x.withUnsafeMutableBufferPointer { px in
      try cols.withUnsafeMutableBufferPointer { pc in
        guard let xp = px.baseAddress, let cp = pc.baseAddress else { return }
        XCTAssertThrowsError(try im2col(g, input: xp, columns: cp, ldColumns: 3))
        XCTAssertThrowsError(try col2im(g, columns: cp, input: xp, ldColumns: 3))
      }
    }
    XCTAssertEqual(cols, [Float](repeating: 0, count: 16))
    XCTAssertEqual(x, [Float](repeating: 1, count: 9))
  }
}
