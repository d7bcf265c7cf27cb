import XCTest

@testable import MetaKernels

private func maxPool(_ g: WindowGeometry, _ x: [Float]) throws -> ([Float], [Int32]) {
  let n = g.planes * g.outH * g.outW
  var out = [Float](repeating: 0, count: n), idx = [Int32](repeating: -7, count: n)
  try x.withUnsafeBufferPointer { px in
    try out.withUnsafeMutableBufferPointer { po in
      try idx.withUnsafeMutableBufferPointer { pi in
        guard let xp = px.baseAddress, let op = po.baseAddress, let ip = pi.baseAddress else { return }
        try maxPool2d(g, input: xp, output: op, indices: ip)
      }
    }
  }
  return (out, idx)
}

private func maxPoolBack(_ g: WindowGeometry, _ dy: [Float], _ idx: [Int32]) -> [Float] {
  var dx = [Float](repeating: 0, count: g.planes * g.planeSize)
  dy.withUnsafeBufferPointer { pd in
    idx.withUnsafeBufferPointer { pi in
      dx.withUnsafeMutableBufferPointer { px in
        guard let dp = pd.baseAddress, let ip = pi.baseAddress, let xp = px.baseAddress else { return }
        maxPool2dBackward(g, gradOutput: dp, indices: ip, gradInput: xp)
      }
    }
  }
  return dx
}

private func avgPool(_ g: WindowGeometry, _ x: [Float], countPadding: Bool = true) throws -> [Float] {
  var out = [Float](repeating: 0, count: g.planes * g.outH * g.outW)
  try x.withUnsafeBufferPointer { px in
    try out.withUnsafeMutableBufferPointer { po in
      guard let xp = px.baseAddress, let op = po.baseAddress else { return }
      try avgPool2d(g, input: xp, output: op, countPadding: countPadding)
    }
  }
  return out
}

private func avgPoolBack(_ g: WindowGeometry, _ dy: [Float], countPadding: Bool = true) throws -> [Float] {
  var dx = [Float](repeating: 0, count: g.planes * g.planeSize)
  try dy.withUnsafeBufferPointer { pd in
    try dx.withUnsafeMutableBufferPointer { px in
      guard let dp = pd.baseAddress, let xp = px.baseAddress else { return }
      try avgPool2dBackward(g, gradOutput: dp, gradInput: xp, countPadding: countPadding)
    }
  }
  return dx
}

final class PoolingTests: XCTestCase {
  func testMaxPoolHandWorked() throws {
    let x: [Float] = [
      1, 5, 2, 0,
      3, 4, 8, 7,
      -1, -2, 6, 6,
      -3, -9, 6, 1,
    ]
    let g = try WindowGeometry(planes: 1, height: 4, width: 4, kernelH: 2, kernelW: 2, strideH: 2, strideW: 2)
    let (y, idx) = try maxPool(g, x)
    XCTAssertEqual(y, [5, 8, -1, 6])
    XCTAssertEqual(idx, [1, 6, 8, 10])  // ties keep the first in scan order
    XCTAssertEqual(maxPoolBack(g, [1, 2, 3, 4], idx), [0, 1, 0, 0, 0, 0, 2, 0, 3, 0, 4, 0, 0, 0, 0, 0])
  }

  /// Padded, strided, several planes, all-negative inputs: padding must never win.
  func testMaxPoolPaddingNeverWins() throws {
    let g = try WindowGeometry(planes: 2, height: 3, width: 3, kernelH: 3, kernelW: 3, strideH: 2, strideW: 2, padH: 1, padW: 1)
    let x: [Float] = (1...18).map { -Float($0) }
    let (y, idx) = try maxPool(g, x)
    // Windows (rows/cols clipped): top-left covers x[0..1, 0..1], whose max is x[0,0].
    XCTAssertEqual(y, [-1, -2, -4, -5, -10, -11, -13, -14])
    XCTAssertEqual(idx, [0, 1, 3, 4, 0, 1, 3, 4])
  }

  func testMaxPoolPropagatesNaN() throws {
    let g = try WindowGeometry(planes: 1, height: 2, width: 2, kernelH: 2, kernelW: 2)
    let (y, idx) = try maxPool(g, [1, .nan, 3, 2])
    XCTAssertTrue(y[0].isNaN)
    XCTAssertEqual(idx, [1])
  }

  /// The 2×2 stride-2 fast path gives what the general loop's rule gives (first
  /// maximum in scan order, NaN sticks), on ties, NaNs, -inf and odd sizes.
  func testTwoByTwoFastPathMatchesTheGeneralLoop() throws {
    var rng = TestRandom(seed: 5)
    for (h, w) in [(4, 4), (5, 7), (28, 28), (2, 3), (6, 34), (3, 17), (14, 14)] {
      let fast = try WindowGeometry(planes: 3, height: h, width: w, kernelH: 2, kernelW: 2, strideH: 2, strideW: 2)
      XCTAssertTrue(fast.isDenseTwoByTwo)
      // Values from a small set make ties common; a few NaNs and -inf.
      var x = rng.floats(fast.planes * fast.planeSize).map { ($0 * 3).rounded() }
      for i in stride(from: 0, to: x.count, by: 7) { x[i] = .nan }
      for i in stride(from: 3, to: x.count, by: 11) { x[i] = -.infinity }
      let (y, idx) = try maxPool(fast, x)
      // The general loop's answer, computed here window by window in scan order.
      var k = 0
      for p in 0..<fast.planes {
        for oh in 0..<fast.outH {
          for ow in 0..<fast.outW {
            var best = -Float.infinity, arg = -1
            for i in 0..<2 {
              for j in 0..<2 {
                let at = (2 * oh + i) * w + 2 * ow + j, v = x[p * fast.planeSize + at]
                if arg < 0 || v > best || (v.isNaN && !best.isNaN) { best = v; arg = at }
              }
            }
            XCTAssertEqual(Int(idx[k]), arg, "plane \(p) window (\(oh), \(ow)) of \(h)x\(w)")
            XCTAssertTrue(y[k] == best || (y[k].isNaN && best.isNaN))
            k += 1
          }
        }
      }
    }
  }

  /// With its indices fixed, max pooling is a gather, and the backward a scatter: adjoints.
  func testMaxPoolBackwardIsAdjointOfGather() throws {
    var rng = TestRandom(seed: 21)
    let g = try WindowGeometry(planes: 3, height: 7, width: 6, kernelH: 3, kernelW: 2, strideH: 2, strideW: 1, padH: 1, padW: 1)
    let x = rng.floats(g.planes * g.planeSize)
    let (y, idx) = try maxPool(g, x)
    let dy = rng.floats(y.count)
    let lhs = dot(y, dy), rhs = dot(x, maxPoolBack(g, dy, idx))
    XCTAssertEqual(lhs.value, rhs.value, accuracy: 1e-5 * (lhs.magnitude + 1))
    // Forward values really are the window maxima.
    for (o, i) in idx.enumerated() {
      let plane = o / (g.outH * g.outW)
      XCTAssertEqual(y[o], x[plane * g.planeSize + Int(i)])
    }
  }

  func testAvgPoolHandWorked() throws {
    let x: [Float] = [1, 2, 3, 4, 5, 6, 7, 8, 9]
    let g = try WindowGeometry(planes: 1, height: 3, width: 3, kernelH: 2, kernelW: 2, padH: 1, padW: 1)
    XCTAssertEqual([g.outH, g.outW], [4, 4])
    let withPad = try avgPool(g, x)
    let noPad = try avgPool(g, x, countPadding: false)
    XCTAssertEqual(withPad[0], 0.25)           // x[0,0] / 4
    XCTAssertEqual(noPad[0], 1)                // x[0,0] / 1
    XCTAssertEqual(withPad[5], 3)              // (1+2+4+5)/4
    XCTAssertEqual(noPad[1], 1.5)              // (1+2)/2
    XCTAssertEqual(withPad[15], 9.0 / 4)
  }

  func testAvgPoolBackwardIsAdjoint() throws {
    var rng = TestRandom(seed: 22)
    for countPadding in [true, false] {
      let g = try WindowGeometry(planes: 2, height: 6, width: 7, kernelH: 3, kernelW: 3, strideH: 2, strideW: 2, padH: 1, padW: 1)
      let x = rng.floats(g.planes * g.planeSize)
      let y = try avgPool(g, x, countPadding: countPadding)
      let dy = rng.floats(y.count)
      let lhs = dot(y, dy), rhs = dot(x, try avgPoolBack(g, dy, countPadding: countPadding))
      XCTAssertEqual(lhs.value, rhs.value, accuracy: 1e-5 * (lhs.magnitude + 1))
    }
  }

  func testInvalidPoolingThrows() throws {
    let tooMuchPad = try WindowGeometry(planes: 1, height: 4, width: 4, kernelH: 2, kernelW: 2, padH: 2, padW: 0)
    XCTAssertThrowsError(try maxPool(tooMuchPad, [Float](repeating: 0, count: 16)))
    XCTAssertThrowsError(try avgPool(tooMuchPad, [Float](repeating: 0, count: 16)))
    let dilated = try WindowGeometry(planes: 1, height: 4, width: 4, kernelH: 2, kernelW: 2, dilationH: 2)
    XCTAssertThrowsError(try avgPool(dilated, [Float](repeating: 0, count: 16)))
    // Corrupt indices are skipped, not written through.
    let g = try WindowGeometry(planes: 1, height: 2, width: 2, kernelH: 2, kernelW: 2)
    XCTAssertEqual(maxPoolBack(g, [5], [99]), [0, 0, 0, 0])
  }
}
