import XCTest

@testable import MetaData

final class ResizeTests: XCTestCase {
  func testConstantImageStaysConstant() throws {
    for (from, to) in [(105, 28), (105, 35), (10, 3), (7, 7), (5, 9)] {
      let plan = try AreaResize(inWidth: from, inHeight: from, outWidth: to, outHeight: to)
      let out = try plan(GreyImage(width: from, height: from, pixels: [Float](repeating: 0.625, count: from * from)))
      XCTAssertEqual(out.pixels.count, to * to)
      for v in out.pixels { XCTAssertEqual(v, 0.625, accuracy: 1e-6, "\(from) -> \(to)") }
    }
  }

  /// 4 → 3 per axis: output 0 covers input [0, 4/3): all of pixel 0 and a third
  /// of pixel 1, so weights 3/4, 1/4; output 1 covers [4/3, 8/3): 1/2, 1/2.
  func testKnownPatternAverages() throws {
    let plan = try AreaResize(inWidth: 4, inHeight: 1, outWidth: 3, outHeight: 1)
    let out = try plan(GreyImage(width: 4, height: 1, pixels: [4, 8, 12, 16]))
    XCTAssertEqual(out.pixels[0], 0.75 * 4 + 0.25 * 8, accuracy: 1e-5)
    XCTAssertEqual(out.pixels[1], 0.5 * 8 + 0.5 * 12, accuracy: 1e-5)
    XCTAssertEqual(out.pixels[2], 0.25 * 12 + 0.75 * 16, accuracy: 1e-5)
    // 2×2 blocks: each output is the mean of its block, on both axes.
    let square = try AreaResize(inWidth: 4, inHeight: 4, outWidth: 2, outHeight: 2)
    let pixels: [Float] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]
    XCTAssertEqual(try square(GreyImage(width: 4, height: 4, pixels: pixels)).pixels, [3.5, 5.5, 11.5, 13.5])
    // A single ink pixel in 105×105 spreads over at most 2×2 outputs, keeping
    // its mass: the outputs sum to 1 / 3.75².
    var dot = [Float](repeating: 0, count: 105 * 105)
    dot[50 * 105 + 50] = 1
    let small = try AreaResize(inWidth: 105, inHeight: 105, outWidth: 28, outHeight: 28)(
      GreyImage(width: 105, height: 105, pixels: dot))
    XCTAssertEqual(small.pixels.reduce(0, +), 1 / (3.75 * 3.75), accuracy: 1e-6)
    XCTAssertLessThanOrEqual(small.pixels.filter { $0 > 0 }.count, 4)
    XCTAssertGreaterThan(small.pixels[13 * 28 + 13], 0)  // 50 / 3.75 = 13.3
  }

  func testBadSizesAreErrors() {
    XCTAssertThrowsError(try AreaResize(inWidth: 0, inHeight: 1, outWidth: 1, outHeight: 1))
    XCTAssertThrowsError(try AreaResize(inWidth: 1 << 40, inHeight: 1, outWidth: 1, outHeight: 1))
  }

  /// Counter-clockwise quarter turns, as numpy.rot90: [[1, 2], [3, 4]] → [[2, 4], [1, 3]].
  func testQuarterTurns() {
    let src: [Float] = [1, 2, 3, 4, 5, 6, 7, 8, 9]
    func turned(_ q: Int) -> [Float] {
      var out = [Float](repeating: 0, count: 9)
      src.withUnsafeBufferPointer { s in
        out.withUnsafeMutableBufferPointer { d in QuarterTurn.rotate(s.baseAddress!, into: d.baseAddress!, n: 3, quarters: q) }
      }
      return out
    }
    XCTAssertEqual(turned(0), src)
    XCTAssertEqual(turned(1), [3, 6, 9, 2, 5, 8, 1, 4, 7])
    XCTAssertEqual(turned(2), [9, 8, 7, 6, 5, 4, 3, 2, 1])
    XCTAssertEqual(turned(3), [7, 4, 1, 8, 5, 2, 9, 6, 3])
  }
}
