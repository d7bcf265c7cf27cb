import XCTest
@testable import MetaTensor

/// Float32 sums stay accurate (about 1e-7 relative, as NumPy's pairwise
/// summation and PyTorch) on every loop path: the whole contiguous fold,
/// per-row folds, strided rows, accumulation over many rows, a transposed
/// whole-tensor sum, and sumToShape's leading-row sum (issue 14).
final class SummationAccuracyTests: XCTestCase {
  private func assertRelative(_ value: Float, _ expected: Double, _ tol: Double = 1e-6,
                              file: StaticString = #filePath, line: UInt = #line) {
    let error = Swift.abs(Double(value) - expected) / Swift.abs(expected)
    XCTAssertLessThanOrEqual(error, tol, "\(value) vs \(expected)", file: file, line: line)
  }

  /// float32(0.1) in Double: the exact value every element holds.
  private let tenth = Double(Float(0.1))

  func testWholeSumOfAMillionTenths() throws {
    let t = try Tensor.full([1_000_000], 0.1)
    assertRelative(try t.sum().item(), 1_000_000 * tenth)
    assertRelative(try t.mean().item(), tenth)
    // Odd lengths exercise the pairwise split and the scalar tail.
    assertRelative(try Tensor.full([999_983], 0.1).sum().item(), 999_983 * tenth)
    XCTAssertEqual(try Tensor.full([7], 0.5).sum().item(), 3.5)
    XCTAssertEqual(try Tensor.zeros([0]).sum().item(), 0)
  }

  func testTransposedAndAxisSums() throws {
    let t = try Tensor.full([100_000], 0.1).reshape([1000, 100])
    assertRelative(try t.T.sum().item(), 100_000 * tenth)       // strided whole sum
    for v in try t.sum(axes: [0]).scalars { assertRelative(v, 1000 * tenth) }    // over many rows
    for v in try t.T.sum(axes: [1]).scalars { assertRelative(v, 1000 * tenth) }  // strided rows
    let wide = try Tensor.full([2, 500_000], 0.1)
    for v in try wide.sum(axes: [1]).scalars { assertRelative(v, 500_000 * tenth) }  // contiguous rows
    let cube = try Tensor.full([200, 50, 100], 0.1)
    for v in try cube.sum(axes: [0, 2]).scalars { assertRelative(v, 20_000 * tenth) }
    assertRelative(try cube.mean(axes: [0, 1]).scalars[0], tenth)
  }

  func testSoftmaxOfAMillionSumsToOne() throws {
    assertRelative(try softmax(Tensor.zeros([1_000_000])).sum().item(), 1)
  }

  func testSumToShapeOverManyRows() throws {
    // The bias-gradient path: [rows, m] summed to [m].
    let t = try Tensor.full([200_000, 3], 0.1)
    for v in try t.sumToShape([3]).scalars { assertRelative(v, 200_000 * tenth) }
    for v in try t.sumToShape([1, 3]).scalars { assertRelative(v, 200_000 * tenth) }
    // Row counts around the float-to-Double flush period, exact on integers.
    for rows in [15, 16, 17, 33, 1001] {
      let r = try Tensor(shape: [rows, 2], scalars: (0..<2 * rows).map { Float($0 % 7) })
      var expected: [Float] = [0, 0]
      for i in 0..<2 * rows { expected[i % 2] += Float(i % 7) }
      XCTAssertEqual(try r.sumToShape([2]).scalars, expected, "\(rows) rows")
      XCTAssertEqual(try r.sum(axes: [0]).scalars, expected, "\(rows) rows")
    }
  }

  func testSumsStillExactOnSmallIntegers() throws {
    let t = try Tensor(shape: [3, 5], scalars: (0..<15).map(Float.init))
    XCTAssertEqual(try t.sum().item(), 105)
    XCTAssertEqual(try t.sum(axes: [0]).scalars, [15, 18, 21, 24, 27])
    XCTAssertEqual(try t.T.sum(axes: [0]).scalars, [10, 35, 60])
    XCTAssertEqual(try t.sumToShape([5]).scalars, [15, 18, 21, 24, 27])
    XCTAssertTrue(try Tensor(shape: [40], scalars: (0..<40).map { $0 == 33 ? .nan : 1 }).sum().item().isNaN)
  }
}
