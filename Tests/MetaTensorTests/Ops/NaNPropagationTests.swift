import XCTest
@testable import MetaTensor

/// NaN propagates through max, min, argmax, argmin, relu, clamp and
/// leaky_relu as in NumPy and PyTorch (issue 14), on every loop path of the
/// reductions: the contiguous SIMD fold (NaN in the vector part and in the
/// tail), per-row folds, strided rows, the elementwise accumulation, and a
/// transposed whole-tensor reduction.
final class NaNPropagationTests: XCTestCase {
  /// 0, 1, ..., n-1 with NaN at `nanAt`.
  private func ramp(_ n: Int, nanAt: [Int], shape: [Int]? = nil) throws -> Tensor {
    var v = (0..<n).map { Float($0) - Float(n) / 2 }
    for i in nanAt { v[i] = .nan }
    return try Tensor(shape: shape ?? [n], scalars: v)
  }

  func testWholeMaxAndMinPropagateNaNOnEveryContiguousPosition() throws {
    // 100 elements: 6 SIMD steps of 16, then a tail of 4.
    for position in [0, 7, 8, 15, 40, 95, 96, 99] {
      let t = try ramp(100, nanAt: [position])
      XCTAssertTrue(try t.max().item().isNaN, "max, NaN at \(position)")
      XCTAssertTrue(try t.min().item().isNaN, "min, NaN at \(position)")
      XCTAssertEqual(try t.argmax().item(), Float(position))
      XCTAssertEqual(try t.argmin().item(), Float(position))
    }
    // Short runs (scalar path only) and no NaN at all.
    XCTAssertTrue(try Tensor(shape: [3], scalars: [1, .nan, -2]).max().item().isNaN)
    XCTAssertTrue(try Tensor(shape: [3], scalars: [.nan, 1, -2]).min().item().isNaN)
    XCTAssertEqual(try ramp(100, nanAt: []).max().item(), 49)
    XCTAssertEqual(try ramp(100, nanAt: []).min().item(), -50)
  }

  func testArgmaxGivesTheFirstNaN() throws {
    let t = try Tensor(shape: [5], scalars: [1, 9, .nan, 3, .nan])
    XCTAssertEqual(try t.argmax().item(), 2)
    XCTAssertEqual(try t.argmin().item(), 2)
    let rows = try Tensor(shape: [2, 3], scalars: [5, .nan, 7, 1, 2, 0])
    XCTAssertEqual(try rows.argmax(axis: 1).scalars, [1, 1])
    XCTAssertEqual(try rows.argmin(axis: 1).scalars, [1, 2])
    XCTAssertEqual(try rows.argmax(axis: 0).scalars, [0, 0, 0])
    XCTAssertEqual(try rows.argmin(axis: 0).scalars, [1, 0, 1])
  }

  func testAxisMaxAndMinPropagateNaNOnEveryPath() throws {
    // [3, 40] with NaN at row 1, column 20 and row 2, column 39 (a tail).
    let t = try ramp(120, nanAt: [60, 119], shape: [3, 40])
    let rows = try t.max(axes: [1])  // contiguous per-row folds
    XCTAssertEqual(rows.scalars[0], -21)
    XCTAssertTrue(rows.scalars[1].isNaN && rows.scalars[2].isNaN)
    let cols = try t.min(axes: [0])  // elementwise accumulation over rows
    XCTAssertTrue(cols.scalars[20].isNaN && cols.scalars[39].isNaN)
    XCTAssertEqual(cols.scalars[0], -60)
    XCTAssertEqual(cols.scalars.filter(\.isNaN).count, 2)
    let strided = try t.T.max(axes: [0])  // strided rows
    XCTAssertEqual(strided.scalars[0], -21)
    XCTAssertTrue(strided.scalars[1].isNaN && strided.scalars[2].isNaN)
    XCTAssertTrue(try t.T.max().item().isNaN)  // a transposed whole-tensor reduction
    XCTAssertTrue(try t[.slice(start: 0, stop: 3, step: 2)].max().item().isNaN)  // rows 0 and 2, non-contiguous
    XCTAssertEqual(try t[.slice(start: 0, stop: 1, step: 1)].max().item(), -21)
  }

  func testMaxGradientGoesToTheNaN() throws {
    let x = try Tensor(shape: [4], scalars: [1, .nan, 3, 2]).requiringGrad()
    let g = try gradients(of: x.max(), wrt: [x])[0]
    XCTAssertEqual(g.scalars[0], 0)
    XCTAssertEqual(g.scalars[1], 1)
    XCTAssertEqual(g.scalars[2], 0)
    let rows = try Tensor(shape: [2, 2], scalars: [.nan, 1, 2, 5]).requiringGrad()
    let gr = try gradients(of: rows.min(axes: [1]).sum(), wrt: [rows])[0]
    XCTAssertEqual(gr.scalars, [1, 0, 1, 0])
  }

  func testElementwiseOpsKeepNaN() throws {
    let x = try Tensor(shape: [3], scalars: [.nan, -1, 2])
    let relu = try x.relu().scalars
    XCTAssertTrue(relu[0].isNaN)
    XCTAssertEqual(Array(relu[1...]), [0, 2])
    XCTAssertTrue(try x.clamp(min: 0, max: 1).scalars[0].isNaN)
    XCTAssertTrue(try x.clamp(max: 1).scalars[0].isNaN)
    XCTAssertTrue(try x.leakyRelu(slope: 0.1).scalars[0].isNaN)
    XCTAssertEqual(try Tensor(shape: [1], scalars: [-0.0]).relu().scalars[0].sign, .plus)
  }

  func testReluPassesTheGradientAtNaN() throws {
    // PyTorch's threshold_backward blocks only where x <= 0.
    let x = try Tensor(shape: [3], scalars: [.nan, -1, 2]).requiringGrad()
    let g = try gradients(of: (x.relu() * Tensor(shape: [3], scalars: [3, 4, 5])).sum(), wrt: [x])[0]
    XCTAssertEqual(g.scalars, [3, 0, 5])
    // Second order through relu_backward keeps the same mask.
    let y = try Tensor(shape: [3], scalars: [.nan, -1, 2]).requiringGrad()
    let first = try gradients(of: y.relu().square().sum(), wrt: [y], createGraph: true)[0]
    XCTAssertTrue(first.scalars[0].isNaN)  // 2 * relu(nan): the NaN reaches the gradient
    XCTAssertEqual(try gradients(of: first.sum(), wrt: [y])[0].scalars, [2, 0, 2])
  }

  func testAccuracyFollowsArgmaxOnNaN() throws {
    // A NaN logit is the prediction, as PyTorch's argmax: row 0 predicts 1.
    let logits = try Tensor(shape: [2, 2], scalars: [0, .nan, 5, 1])
    let labels = try Tensor(shape: [2], scalars: [1, 1])
    XCTAssertEqual(try accuracy(logits, labels).item(), 0.5)
  }
}
