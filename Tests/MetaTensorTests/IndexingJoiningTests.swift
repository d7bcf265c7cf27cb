import XCTest
@testable import MetaTensor

/// Forward values of indexing, gathering, joining and tiling.
final class IndexingJoiningTests: XCTestCase {
  /// [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]
  func grid() throws -> Tensor { try Tensor.arange(0, 12).reshape([3, 4]) }

  func testBasicIndexing() throws {
    let t = try grid()
    XCTAssertEqual(try t[.index(1)].scalars, [4, 5, 6, 7])
    XCTAssertEqual(try t[.index(-1), .index(-2)].shape, [])
    XCTAssertEqual(try t[.index(-1), .index(-2)].item(), 10)
    XCTAssertEqual(try t[.all, .index(-1)].scalars, [3, 7, 11])
    XCTAssertEqual(try t[.slice(start: 1, stop: nil, step: nil)].shape, [2, 4])
    XCTAssertEqual(try t[.all, .slice(start: nil, stop: nil, step: -1)].scalars, [3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8])
    XCTAssertEqual(try t[.index(0), .slice(start: -1, stop: 0, step: -2)].scalars, [3, 1])
    XCTAssertEqual(try t[.index(0), .slice(start: 10, stop: 20, step: nil)].scalars, [])
    XCTAssertEqual(try t[.index(0), .slice(start: -100, stop: 100, step: Int.max)].scalars, [0])
    XCTAssertEqual(try t[.index(0), .slice(start: nil, stop: nil, step: Int.min)].scalars, [3])
    XCTAssertEqual(try t[.newAxis, .index(2)].shape, [1, 4])
    XCTAssertEqual(try t[.all, .newAxis, .index(1)].shape, [3, 1])
    XCTAssertThrowsTensorError(try t[.index(3)], containing: "index 3 out of range for axis 0 of size 3")
    XCTAssertThrowsTensorError(try t[.index(Int.min)], containing: "out of range")
    XCTAssertThrowsTensorError(try t[.all, .all, .all], containing: "3 indices for a 2-d tensor")
    XCTAssertThrowsTensorError(try t[.slice(start: nil, stop: nil, step: 0)], containing: "step cannot be zero")
  }

  func testSliceBoundsMatchPython() throws {
    // Expected lengths from Python: len(range(10)[start:stop:step]).
    let cases: [(Int?, Int?, Int?, Int)] = [
      (nil, nil, nil, 10), (2, 8, 3, 2), (-3, nil, nil, 3), (nil, -3, nil, 7), (8, 2, -2, 3),
      (nil, nil, -3, 4), (-1, -11, -1, 10), (5, 5, nil, 0), (20, nil, -1, 10), (-20, 3, nil, 3),
    ]
    for (start, stop, step, expected) in cases {
      let (_, _, count) = try sliceBounds(start: start, stop: stop, step: step, size: 10, op: "t")
      XCTAssertEqual(count, expected, "\(String(describing: start)):\(String(describing: stop)):\(String(describing: step))")
    }
    // The selected elements for a negative step: range(10)[8:2:-2] == [8, 6, 4].
    XCTAssertEqual(try Tensor.arange(0, 10)[.slice(start: 8, stop: 2, step: -2)].scalars, [8, 6, 4])
  }

  func testReplacing() throws {
    let t = try grid()
    let r = try t.replacing([.index(1), .slice(start: 1, stop: 3, step: nil)], with: Tensor(-1))
    XCTAssertEqual(r.scalars, [0, 1, 2, 3, 4, -1, -1, 7, 8, 9, 10, 11])
    XCTAssertEqual(t.scalars[5], 5, "the original is unchanged")
    let column = try t.replacing([.all, .index(0)], with: Tensor(shape: [3], scalars: [7, 8, 9]))
    XCTAssertEqual(try column[.all, .index(0)].scalars, [7, 8, 9])
    XCTAssertThrowsTensorError(try t.replacing([.index(0)], with: Tensor.zeros([3])), containing: "cannot")
  }

  func testGatherAndIndexSelect() throws {
    let t = try grid()
    XCTAssertEqual(try t.indexSelect(Tensor(shape: [2], scalars: [2, -3]), axis: 0).scalars, [8, 9, 10, 11, 0, 1, 2, 3])
    XCTAssertEqual(try t.indexSelect(Tensor(shape: [2, 1], scalars: [3, 0]), axis: 1).shape, [3, 2, 1])
    XCTAssertEqual(try t.indexSelect(Tensor(shape: [2], scalars: [3, 0]), axis: 1).scalars, [3, 0, 7, 4, 11, 8])
    let labels = try Tensor(shape: [3, 1], scalars: [1, 3, 0])
    XCTAssertEqual(try t.gather(labels, axis: 1).scalars, [1, 7, 8])
    XCTAssertEqual(try Tensor(shape: [3, 1], scalars: [1, 1, 1]).scatterAdd(labels, axis: 1, shape: [3, 4]).scalars,
                   [0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0])
    XCTAssertThrowsTensorError(try t.indexSelect(Tensor(shape: [1], scalars: [3]), axis: 0), containing: "index 3 out of range")
    XCTAssertThrowsTensorError(try t.indexSelect(Tensor(shape: [1], scalars: [0.5]), axis: 0), containing: "not an integer")
    XCTAssertThrowsTensorError(try t.indexSelect(Tensor(shape: [1], scalars: [.nan]), axis: 0), containing: "not an integer")
    XCTAssertThrowsTensorError(try t.gather(Tensor.zeros([2, 1]), axis: 1), containing: "must match")
    XCTAssertEqual(try Tensor.oneHot(Tensor(shape: [3], scalars: [2, 0, 1]), classes: 3).scalars, [0, 0, 1, 1, 0, 0, 0, 1, 0])
    XCTAssertThrowsTensorError(try Tensor.oneHot(Tensor(shape: [1], scalars: [-1]), classes: 3), containing: "out of range")
  }

  func testConcatStackSplit() throws {
    let a = try Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]), b = try Tensor(shape: [2, 1], scalars: [5, 6])
    XCTAssertEqual(try Tensor.concat([a, b], axis: 1).scalars, [1, 2, 5, 3, 4, 6])
    XCTAssertEqual(try Tensor.concat([a, a.T], axis: 0).scalars, [1, 2, 3, 4, 1, 3, 2, 4])
    XCTAssertEqual(try Tensor.stack([a, a], axis: 0).shape, [2, 2, 2])
    XCTAssertEqual(try Tensor.stack([a, a * 10], axis: -1).scalars, [1, 10, 2, 20, 3, 30, 4, 40])
    let parts = try Tensor.arange(0, 6).split(sizes: [1, 2, 3])
    XCTAssertEqual(parts.map(\.scalars), [[0], [1, 2], [3, 4, 5]])
    XCTAssertEqual(try Tensor.arange(0, 6).split(parts: 3).map(\.scalars), [[0, 1], [2, 3], [4, 5]])
    XCTAssertThrowsTensorError(try Tensor.concat([a, b], axis: 0), containing: "differ outside axis 0")
    XCTAssertThrowsTensorError(try Tensor.concat([], axis: 0), containing: "no tensors")
    XCTAssertThrowsTensorError(try Tensor.stack([a, b]), containing: "differ")
    XCTAssertThrowsTensorError(try Tensor.arange(0, 6).split(sizes: [1, 2]), containing: "do not add up")
    XCTAssertThrowsTensorError(try Tensor.arange(0, 6).split(sizes: [Int.max, Int.max, 4]), containing: "do not add up")
  }

  func testTileAndRepeat() throws {
    let a = try Tensor(shape: [2], scalars: [1, 2])
    XCTAssertEqual(try a.tile([3]).scalars, [1, 2, 1, 2, 1, 2])
    XCTAssertEqual(try a.tile([2, 2]).shape, [2, 4])
    XCTAssertEqual(try a.tile([2, 2]).scalars, [1, 2, 1, 2, 1, 2, 1, 2])
    XCTAssertEqual(try a.repeatElements(2, axis: 0).scalars, [1, 1, 2, 2])
    XCTAssertThrowsTensorError(try a.tile([-1]), containing: "negative")
  }
}
