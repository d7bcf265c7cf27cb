import XCTest
@testable import MetaTensor

/// Construction, views and shape errors.
final class TensorBasicsTests: XCTestCase {
  func testConstructionAndScalars() throws {
    let t = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
    XCTAssertEqual(t.shape, [2, 3])
    XCTAssertEqual(t.scalars, [1, 2, 3, 4, 5, 6])
    XCTAssertEqual(try Tensor(7).item(), 7)
    XCTAssertEqual(Tensor(7).shape, [])
    XCTAssertThrowsTensorError(try Tensor(shape: [2, 2], scalars: [1, 2, 3]), containing: "needs 4 elements, got 3")
    XCTAssertThrowsTensorError(try Tensor(shape: [-1, 2], scalars: []), containing: "negative dimension")
    XCTAssertThrowsTensorError(try Tensor.zeros([1 << 40, 1 << 40]), containing: "too many elements")
    XCTAssertThrowsTensorError(try Tensor.zeros([0, 1 << 40, 1 << 40]), containing: "too many elements")
    XCTAssertThrowsTensorError(try t.item(), containing: "has 6 elements")
  }

  func testCreationHelpers() throws {
    XCTAssertEqual(try Tensor.eye(2, 3).scalars, [1, 0, 0, 0, 1, 0])
    XCTAssertEqual(try Tensor.arange(0, 5, step: 2).scalars, [0, 2, 4])
    XCTAssertEqual(try Tensor.arange(3, 0, step: -1).scalars, [3, 2, 1])
    XCTAssertThrowsTensorError(try Tensor.arange(0, 1e30, step: 1e-30), containing: "too many elements")
  }

  func testLinspaceAndFull() throws {
    XCTAssertEqual(try Tensor.linspace(-1, 1, count: 5).scalars, [-1, -0.5, 0, 0.5, 1])
    XCTAssertEqual(try Tensor.linspace(2, 3, count: 1).scalars, [2])
    XCTAssertEqual(try Tensor.full([2], 3).scalars, [3, 3])
    XCTAssertEqual(try Tensor.onesLike(try Tensor.zeros([2, 2])).scalars, [1, 1, 1, 1])
    XCTAssertThrowsTensorError(try Tensor.arange(0, 1, step: 0), containing: "step nonzero")
  }

  func testRandomTensorsUseTheGivenStream() throws {
    var a = RandomState(seed: 3), b = RandomState(seed: 3)
    let x = try Tensor.randn([4, 5], using: &a), y = try Tensor.randn([4, 5], using: &b)
    XCTAssertEqual(x.scalars, y.scalars)
    let u = try Tensor.rand([1000], low: 2, high: 3, using: &a).scalars
    XCTAssertTrue(u.allSatisfy { $0 >= 2 && $0 < 3 })
  }

  func testViewsShareStorageAndReadCorrectly() throws {
    let t = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
    let tt = t.T
    XCTAssertEqual(tt.shape, [3, 2])
    XCTAssertEqual(tt.scalars, [1, 4, 2, 5, 3, 6])
    XCTAssertTrue(tt.storage === t.storage)
    XCTAssertFalse(tt.isContiguous)
    XCTAssertEqual(try tt.reshape([6]).scalars, [1, 4, 2, 5, 3, 6])
    XCTAssertEqual(try t.reshape([3, -1]).shape, [3, 2])
    XCTAssertTrue(try t.reshape([3, -1]).storage === t.storage)
    XCTAssertEqual(try t.permute([1, 0]).scalars, tt.scalars)
    XCTAssertEqual(try t.unsqueeze(0).shape, [1, 2, 3])
    XCTAssertEqual(try t.unsqueeze(-1).shape, [2, 3, 1])
    XCTAssertEqual(try t.unsqueeze(0).squeeze().shape, [2, 3])
    XCTAssertEqual(try t.flatten().shape, [6])
    let e = try Tensor(shape: [3], scalars: [1, 2, 3]).expand([2, 3])
    XCTAssertEqual(e.scalars, [1, 2, 3, 1, 2, 3])
    XCTAssertTrue(try tt.contiguous().isContiguous)
    XCTAssertTrue(try t.contiguous() === t)
  }

  func testViewErrors() throws {
    let t = try Tensor.zeros([2, 3])
    XCTAssertThrowsTensorError(try t.reshape([4, -1]), containing: "cannot reshape [2, 3] into [4, -1]")
    XCTAssertThrowsTensorError(try t.reshape([-1, -1]), containing: "more than one -1")
    XCTAssertThrowsTensorError(try t.reshape([5]), containing: "cannot reshape")
    XCTAssertThrowsTensorError(try t.permute([0, 0]), containing: "not a permutation")
    XCTAssertThrowsTensorError(try t.transpose(0, 2), containing: "axis 2 out of range for a 2-d tensor")
    XCTAssertThrowsTensorError(try t.expand([4, 3]), containing: "cannot broadcast")
    XCTAssertThrowsTensorError(try t.squeeze(0), containing: "has size 2, not 1")
    XCTAssertThrowsTensorError(try t.sum(axes: [2]), containing: "sum: axis 2 out of range for a 2-d tensor")
  }

  func testElementwiseBroadcastingValues() throws {
    let a = try Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
    let row = try Tensor(shape: [3], scalars: [10, 20, 30])
    let col = try Tensor(shape: [2, 1], scalars: [100, 200])
    XCTAssertEqual(try (a + row).scalars, [11, 22, 33, 14, 25, 36])
    XCTAssertEqual(try (a * col).scalars, [100, 200, 300, 800, 1000, 1200])
    XCTAssertEqual(try (row + col).shape, [2, 3])
    XCTAssertEqual(try (row - col).scalars, [-90, -80, -70, -190, -180, -170])
    XCTAssertEqual(try (2 * a - 1).scalars, [1, 3, 5, 7, 9, 11])
    XCTAssertEqual(try (1 / Tensor(shape: [2], scalars: [2, 4])).scalars, [0.5, 0.25])
    // A non-contiguous operand (transpose) broadcast against a row.
    XCTAssertEqual(try (a.T + Tensor(shape: [2], scalars: [0, 1])).scalars, [1, 5, 2, 6, 3, 7])
    XCTAssertThrowsTensorError(try a + Tensor.zeros([4]), containing: "add: shapes [2, 3] and [4] cannot broadcast")
    XCTAssertEqual(try a.pow(2).scalars, a.scalars.map { $0 * $0 })
    XCTAssertEqual(try a.clamp(min: 2, max: 4).scalars, [2, 2, 3, 4, 4, 4])
    XCTAssertThrowsTensorError(try a.clamp(min: 3, max: 1), containing: "greater than max")
    XCTAssertEqual(try Tensor(shape: [3], scalars: [-2, 0, 3]).sign().scalars, [-1, 0, 1])
  }

  func testUnaryValuesMatchLibm() throws {
    let xs: [Float] = [-3, -0.5, 0.25, 2]
    let t = try Tensor(shape: [4], scalars: xs)
    XCTAssertClose(try t.exp().scalars, xs.map { Float(Foundation.exp(Double($0))) })
    XCTAssertClose(try t.tanh().scalars, xs.map { Float(Foundation.tanh(Double($0))) })
    XCTAssertClose(try t.sigmoid().scalars, xs.map { Float(1 / (1 + Foundation.exp(-Double($0)))) })
    XCTAssertEqual(try t.relu().scalars, [0, 0, 0.25, 2])
    XCTAssertEqual(try t.leakyRelu(slope: 0.5).scalars, [-1.5, -0.25, 0.25, 2])
    XCTAssertEqual(try t.abs().scalars, [3, 0.5, 0.25, 2])
    XCTAssertEqual(try Tensor(shape: [2], scalars: [-1000, 1000]).sigmoid().scalars, [0, 1])
  }

  func testComparisonsAndSelect() throws {
    let a = try Tensor(shape: [3], scalars: [1, 2, 3]), b = try Tensor(shape: [3], scalars: [3, 2, 1])
    XCTAssertEqual(try a.lt(b).scalars, [1, 0, 0])
    XCTAssertEqual(try a.le(b).scalars, [1, 1, 0])
    XCTAssertEqual(try a.eq(b).scalars, [0, 1, 0])
    XCTAssertEqual(try a.ne(b).scalars, [1, 0, 1])
    XCTAssertEqual(try a.gt(b).scalars, [0, 0, 1])
    XCTAssertEqual(try a.ge(2).scalars, [0, 1, 1])
    XCTAssertFalse(try a.requiringGrad().gt(b).requiresGrad)
    XCTAssertEqual(try Tensor.select(a.gt(2), a, Tensor(-1)).scalars, [-1, -1, 3])
  }
}
