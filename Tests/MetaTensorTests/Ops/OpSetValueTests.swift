import XCTest
@testable import MetaTensor

/// Values, NaN behaviour, edge cases and errors of the op-set additions.
/// Expected values are NumPy's (float32) unless a comment says otherwise.
final class OpSetValueTests: XCTestCase {
  func t(_ shape: [Int], _ xs: [Float]) throws -> Tensor { try Tensor(shape: shape, scalars: xs) }

  func testReductions() throws {
    let m = try t([3, 4], (1...12).map { Float($0) / 4 })
    XCTAssertClose(try m.variance().scalars, [0.7447917])
    XCTAssertClose(try m.variance(axes: [0], ddof: 1).scalars, [1, 1, 1, 1])
    XCTAssertClose(try m.std(axes: [1]).scalars, [0.2795085, 0.2795085, 0.2795085])
    XCTAssertEqual(try m.std(axes: [1], keepdims: true).shape, [3, 1])
    XCTAssertClose(try m.prod(axes: [1]).scalars, [0.09375, 6.5625, 46.40625])
    XCTAssertClose(try m.norm().scalars, [6.3737745])
    XCTAssertClose(try m.norm(axes: [1]).scalars, [1.3693064, 3.2977264, 5.279678])
    XCTAssertClose(try m.norm(p: 1).scalars, [19.5])
    XCTAssertClose(try m.norm(p: .infinity, axes: [0]).scalars, [2.25, 2.5, 2.75, 3])
    // Empty reductions: prod 1, var NaN; ddof >= n divides by 0.
    XCTAssertEqual(try Tensor.zeros([0, 2]).prod(axes: [0]).scalars, [1, 1])
    XCTAssertTrue(try Tensor.zeros([0]).variance().item().isNaN)
    XCTAssertEqual(try t([2], [1, 2]).variance(ddof: 2).item(), .infinity)
    // Accurate on a million terms (a float running sum drifts to ~1e-3 here).
    let big = try Tensor.full([1_000_000], 0.1)
    XCTAssertEqual(try big.variance().item(), 0, accuracy: 1e-12)
    XCTAssertClose(try (big + Tensor.arange(0, 1_000_000).remainder(Tensor(2))).std().scalars, [0.5], tol: 1e-6)
    // NaN propagates.
    let withNaN = try t([3], [1, .nan, 2])
    for r in [try withNaN.prod(), try withNaN.variance(), try withNaN.std(), try withNaN.norm()] {
      XCTAssertTrue(try r.item().isNaN)
    }
    XCTAssertThrowsTensorError(try m.norm(p: 3), containing: "norm: p must be 1, 2 or inf, got 3.0")
    XCTAssertThrowsTensorError(try m.variance(ddof: -1), containing: "var: ddof must be non-negative")
    XCTAssertThrowsTensorError(try Tensor.zeros([0]).norm(p: .infinity), containing: "norm: the inf-norm of an empty")
  }

  func testCumulative() throws {
    let m = try t([3, 4], (1...12).map { Float($0) / 4 })
    XCTAssertClose(Array(try m.cumprod(axis: 0).scalars[8...]), [0.703125, 1.875, 3.609375, 6])
    XCTAssertEqual(try t([2, 2], [1, 2, 3, 4]).cumsum().scalars, [1, 3, 6, 10])
    XCTAssertEqual(try t([2, 2], [1, 2, 3, 4]).cumsum(axis: -1).scalars, [1, 3, 3, 7])
    XCTAssertEqual(try t([2, 2], [1, 2, 3, 4]).cumsum(axis: 0).scalars, [1, 2, 4, 6])
    XCTAssertEqual(try Tensor(3).cumsum(axis: 0).shape, [])
    XCTAssertEqual(try Tensor(3).cumprod().shape, [1])
    // Double accumulation: a million 0.1s reach 100000 (a float sum drifts to ~100958).
    XCTAssertEqual(try Tensor.full([1_000_000], 0.1).cumsum().scalars.last ?? 0, 100_000, accuracy: 0.01)
    XCTAssertTrue(try t([3], [1, .nan, 2]).cumsum().scalars.dropFirst().allSatisfy { $0.isNaN })
    XCTAssertThrowsTensorError(try m.cumsum(axis: 2), containing: "cumsum: axis 2 out of range for a 2-d tensor")
  }

  func testElementwise() throws {
    XCTAssertClose(try t([3], [1e-7, 0.5, -0.5]).log1p().scalars, [9.9999994e-08, 0.40546513, -0.69314718])
    XCTAssertClose(try t([3], [1e-7, 0.5, -0.5]).expm1().scalars, [1.0000001e-07, 0.64872128, -0.39346933])
    let x = try t([4], [-2.3, -0.7, 0.4, 1.9])
    XCTAssertClose(try x.softplus().scalars, [0.09554547, 0.40318602, 0.91301525, 2.0393867])
    XCTAssertEqual(try t([2], [30, -200]).softplus().scalars, [30, 0])
    XCTAssertClose(try x.gelu().scalars, [-0.024665456, -0.16937456, 0.2621687, 1.8454385])
    XCTAssertClose(try x.gelu(tanhApproximation: true).scalars, [-0.02432703, -0.16942987, 0.26216118, 1.8454512])
    XCTAssertClose(try x.elu(alpha: 0.5).scalars, [-0.44987056, -0.25170735, 0.4, 1.9])
    XCTAssertClose(try x.silu().scalars, [-0.2095828, -0.23226856, 0.23947507, 1.6527938])
    XCTAssertClose(try t([4], [1, -1, 0, -0.0]).atan2(Tensor(-1)).scalars, [2.3561945, -2.3561945, 3.1415927, -3.1415927])
    let halves = try t([5], [0.5, 1.5, 2.5, -0.5, -1.7])
    XCTAssertEqual(try halves.round().scalars, [0, 2, 2, -0, -2], "halves to even")
    XCTAssertEqual(try halves.floor().scalars, [0, 1, 2, -1, -2])
    XCTAssertEqual(try halves.ceil().scalars, [1, 2, 3, -0, -1])
    XCTAssertClose(try t([2], [1.234, 5.678]).round(decimals: 2).scalars, [1.23, 5.68])
    XCTAssertEqual(try t([1], [1250]).round(decimals: -2).scalars, [1200])
    XCTAssertFalse(try halves.requiringGrad().floor().requiresGrad)
    let signs = try t([5], [-2, 0, 3, .nan, -.infinity]).sign().scalars
    XCTAssertEqual(signs[0..<3], [-1, 0, 1])
    XCTAssertTrue(signs[3].isNaN, "sign(nan) is nan, as NumPy's")
    XCTAssertEqual(signs[4], -1)
    let special = try t([4], [.nan, .infinity, -.infinity, 1])
    XCTAssertEqual(try special.isNaN().scalars, [1, 0, 0, 0])
    XCTAssertEqual(try special.isInfinite().scalars, [0, 1, 1, 0])
    XCTAssertEqual(try special.isFinite().scalars, [0, 0, 0, 1])
    for f in [{ try $0.log1p() }, { try $0.expm1() }, { try $0.softplus() }, { try $0.gelu() }, { try $0.elu() },
              { try $0.silu() }] as [(Tensor) throws -> Tensor] {
      XCTAssertTrue(try f(Tensor(.nan)).item().isNaN)
    }
  }

  func testMaximumMinimumPropagateNaN() throws {
    let a = try t([3], [1, .nan, 3]), b = try t([3], [2, 0, .nan])
    let hi = try a.maximum(b).scalars, lo = try b.minimum(a).scalars
    XCTAssertEqual(hi[0], 2)
    XCTAssertTrue(hi[1].isNaN && hi[2].isNaN)
    XCTAssertEqual(lo[0], 1)
    XCTAssertTrue(lo[1].isNaN && lo[2].isNaN)
    XCTAssertEqual(try t([2, 1], [1, 5]).maximum(t([3], [0, 2, 7])).shape, [2, 3])
    XCTAssertThrowsTensorError(try a.maximum(t([2], [1, 2])), containing: "maximum: shapes [3] and [2] cannot broadcast")
  }

  func testFloorDivisionAndRemainder() throws {
    let a = try t([6], [5.5, -5.5, 5.5, -5.5, 1, -0.0]), b = try t([6], [2, 2, -2, -2, 0, 3])
    let q = try a.floorDivide(b).scalars
    XCTAssertEqual(Array(q[0..<5]), [2, -3, -3, 2, .infinity])
    XCTAssertEqual(q[5].sign, .minus)
    let r = try a.remainder(b).scalars
    XCTAssertEqual(Array(r[0..<4]), [1.5, 0.5, -0.5, -1.5])
    XCTAssertTrue(r[4].isNaN)
    // // is piecewise constant: no graph.
    XCTAssertFalse(try a.requiringGrad().floorDivide(b).requiresGrad)
  }

  func testShapeOps() throws {
    let m = try t([2, 3], [1, 2, 3, 4, 5, 6])
    XCTAssertEqual(try m.flip().scalars, [6, 5, 4, 3, 2, 1])
    XCTAssertEqual(try m.flip(axes: [1]).scalars, [3, 2, 1, 6, 5, 4])
    XCTAssertEqual(try m.flip(axes: [0]).scalars, [4, 5, 6, 1, 2, 3])
    let padded = try m.pad([(1, 0), (0, 2)], value: -1)
    XCTAssertEqual(padded.shape, [3, 5])
    XCTAssertEqual(padded.scalars, [-1, -1, -1, -1, -1, 1, 2, 3, -1, -1, 4, 5, 6, -1, -1])
    XCTAssertEqual(try m.shifted(by: 1, axis: 1, fill: 0).scalars, [0, 1, 2, 0, 4, 5])
    XCTAssertEqual(try m.shifted(by: -5, axis: 1, fill: 9).scalars, [9, 9, 9, 9, 9, 9])
    XCTAssertEqual(try Tensor.arange(0, 5).split(size: 2).map(\.shape), [[2], [2], [1]])
    XCTAssertEqual(try Tensor.zeros([0]).split(size: 2).map(\.shape), [[0]])
    XCTAssertEqual(try Tensor.arange(0, 5).chunk(3).map(\.shape), [[2], [2], [1]])
    XCTAssertEqual(try Tensor.arange(0, 6).chunk(4).map(\.shape), [[2], [2], [2]])
    XCTAssertEqual(try Tensor.zeros([0]).chunk(2).map(\.shape), [[0], [0]])
    XCTAssertEqual(try t([2, 1], [1, 2]).expand(keeping: [3, -1, 4]).shape, [3, 2, 4])
    XCTAssertThrowsTensorError(try m.expand(keeping: [-1, 2, 3]), containing: "expand: -1 at position 0")
    XCTAssertThrowsTensorError(try m.pad([(1, 1)]), containing: "pad: 1 (before, after) pairs given for a 2-d tensor")
    XCTAssertThrowsTensorError(try m.pad([(1, 1), (-1, 0)]), containing: "pad: negative width")
    XCTAssertThrowsTensorError(try m.split(size: 0), containing: "split: piece size must be positive")
    XCTAssertThrowsTensorError(try m.chunk(0), containing: "chunk: number of chunks must be positive")
  }

  func testGather() throws {
    let m = try t([2, 3], [1, 2, 3, 4, 5, 6])
    XCTAssertEqual(try m.gather(narrowingTo: t([2, 2], [2, 0, 1, 1]), axis: 1).scalars, [3, 1, 5, 5])
    // A smaller index on the other axis reads the leading part (PyTorch's rule).
    XCTAssertEqual(try m.gather(narrowingTo: t([1, 2], [2, 1]), axis: 1).scalars, [3, 2])
    XCTAssertThrowsTensorError(try m.gather(narrowingTo: t([2, 1], [7, 0]), axis: 1),
                               containing: "gather: index 7 is out of range for axis 1 of size 3")
    XCTAssertThrowsTensorError(try m.gather(narrowingTo: t([2, 1], [0.5, 0]), axis: 1),
                               containing: "gather: index 0.5 is not an integer")
    XCTAssertThrowsTensorError(try m.gather(narrowingTo: t([3, 1], [0, 0, 0]), axis: 1),
                               containing: "gather: index of shape [3, 1] is larger than the input [2, 3] on axis 0")
    XCTAssertThrowsTensorError(try m.gather(narrowingTo: t([2], [0, 0]), axis: 1), containing: "gather: index of shape [2] has 1 axes")
  }

  func testSorting() throws {
    let x = try t([6], [3, -0.0, .nan, 1, 0, 1])
    let (values, indices) = try x.sort()
    XCTAssertEqual(Array(values.scalars[0..<5]), [0, 0, 1, 1, 3])
    XCTAssertTrue(values.scalars[5].isNaN)
    XCTAssertEqual(indices.scalars, [1, 4, 3, 5, 0, 2], "stable: -0 and 0, 1 and 1 keep their order; NaN last")
    XCTAssertEqual(try x.argsort(descending: true).scalars, [2, 0, 3, 5, 1, 4], "NaN first when descending")
    let m = try t([2, 3], [5, 1, 4, 2, 6, 0])
    XCTAssertEqual(try m.argsort(axis: 0).scalars, [1, 0, 1, 0, 1, 0])
    let top = try m.topk(2, axis: 1)
    XCTAssertEqual(top.values.scalars, [5, 4, 6, 2])
    XCTAssertEqual(top.indices.scalars, [0, 2, 1, 0])
    XCTAssertEqual(try m.topk(1, axis: 0, largest: false).values.scalars, [2, 1, 0])
    XCTAssertEqual(try m.topk(0).values.shape, [2, 0])
    // Long rows take the radix path: same order as the comparison sort.
    var rng = TestRNG(5)
    let long = try rng.tensor([3, 1000], -3, 3)
    let sorted = try long.sort(axis: 1).values.scalars
    for r in 0..<3 { XCTAssertEqual(Array(sorted[r * 1000..<(r + 1) * 1000]), long.scalars[r * 1000..<(r + 1) * 1000].sorted()) }
    XCTAssertEqual(try long.topk(5, axis: 1).values.scalars[0..<5].map { $0 }, Array(sorted[995..<1000].reversed()))
    // Small k on a long row takes the heap selection: ties and NaN as in sort.
    var row = [Float](repeating: 1, count: 100)
    row[40] = .nan; row[7] = 5; row[90] = 5
    let few = try t([100], row).topk(4)
    XCTAssertEqual(few.indices.scalars, [40, 7, 90, 0])
    XCTAssertEqual(try t([100], row).topk(3, largest: false).indices.scalars, [0, 1, 2])
    XCTAssertThrowsTensorError(try m.topk(4), containing: "topk: k = 4 is out of range for axis -1 of size 3")
    XCTAssertEqual(try Tensor(2).sort().values.shape, [])
  }

  func testEinsum() throws {
    let a = try t([2, 3], [1, 2, 3, 4, 5, 6]), b = try t([3, 2], [1, 0, 0, 1, 1, 1])
    XCTAssertEqual(try einsum("ij,jk->ik", [a, b]).scalars, try a.matmul(b).scalars)
    XCTAssertEqual(try einsum("ij,jk", [a, b]).scalars, try a.matmul(b).scalars)
    XCTAssertEqual(try einsum("ij->ji", [a]).scalars, [1, 4, 2, 5, 3, 6])
    XCTAssertEqual(try einsum("ji", [a]).scalars, [1, 4, 2, 5, 3, 6], "implicit output is alphabetical")
    XCTAssertEqual(try einsum("ij->", [a]).scalars, [21])
    XCTAssertEqual(try einsum("ij->j", [a]).scalars, [5, 7, 9])
    let sq = try t([2, 2], [1, 2, 3, 4])
    XCTAssertEqual(try einsum("ii", [sq]).scalars, [5])
    XCTAssertEqual(try einsum("ii->i", [sq]).scalars, [1, 4])
    XCTAssertEqual(try einsum("i,j->ij", [t([2], [1, 2]), t([2], [3, 4])]).scalars, [3, 4, 6, 8])
    XCTAssertEqual(try einsum(" i , i ", [t([2], [1, 2]), t([2], [3, 4])]).scalars, [11])
    XCTAssertEqual(try einsum("ij,jk,kl->il", [a, b, sq]).scalars, try a.matmul(b).matmul(sq).scalars)
    XCTAssertThrowsTensorError(try einsum("ij,jk", [a, a]), containing: "einsum: subscript 'j' has size 3 in operand 1 but 2 in operand 2")
    XCTAssertThrowsTensorError(try einsum("ij", [a, b]), containing: "has 1 operand(s) but 2 tensor(s)")
    XCTAssertThrowsTensorError(try einsum("i", [a]), containing: "operand 1 has 2 axes but its subscripts \"i\" name 1")
    XCTAssertThrowsTensorError(try einsum("ij->k", [a]), containing: "output subscript 'k' does not appear")
    XCTAssertThrowsTensorError(try einsum("ij->ii", [a]), containing: "output subscript 'i' is repeated")
    XCTAssertThrowsTensorError(try einsum("...i->i", [a]), containing: "ellipsis")
    XCTAssertThrowsTensorError(try einsum("i1", [a]), containing: "'1' is not a subscript letter")
  }

  func testLinearAndLosses() throws {
    let x = try t([1, 2], [1, 2]), w = try t([3, 2], [1, 0, 0, 1, 1, 1])
    XCTAssertEqual(try linear(x, w, bias: t([3], [0, 0, 10])).scalars, [1, 2, 13])
    XCTAssertEqual(try linear(t([2], [1, 2]), w).shape, [3])
    XCTAssertEqual(try linear(Tensor.zeros([2, 0]), Tensor.zeros([3, 0]), bias: t([3], [1, 2, 3])).scalars, [1, 2, 3, 1, 2, 3])
    XCTAssertThrowsTensorError(try linear(x, t([2, 3], [1, 2, 3, 4, 5, 6])), containing: "linear: input [1, 2] does not end in 3")
    XCTAssertThrowsTensorError(try linear(x, w, bias: t([2], [0, 0])), containing: "linear: bias [2] does not match")
    XCTAssertEqual(try nllLoss(t([2, 2], [-1, -2, -3, -0.5]), t([2], [0, 1])).item(), 0.75)
    XCTAssertThrowsTensorError(try nllLoss(t([1, 2], [-1, -2]), t([1], [2])), containing: "nll_loss: label 2 at position 0")
    // log(2) and 2 + log1p(e^-2); large logits stay finite.
    XCTAssertClose(try binaryCrossEntropyWithLogits(t([2], [0, 2]), t([2], [1, 0])).scalars, [1.4100376])
    XCTAssertEqual(try binaryCrossEntropyWithLogits(t([2], [100, -100]), t([2], [1, 0])).item(), 0, accuracy: 1e-30)
    XCTAssertThrowsTensorError(try binaryCrossEntropyWithLogits(t([2], [0, 2]), t([1], [1])),
                               containing: "binary_cross_entropy_with_logits: logits [2] and targets [1]")
  }

  func testDtypes() throws {
    let i = try Tensor(shape: [3], elements: [Int64(3), -7, 2])
    let d = try Tensor(shape: [3], elements: [0.5, -1.25, 2.0])
    let b = try Tensor(shape: [3], elements: [true, false, true])
    XCTAssertEqual(try t([2], [1, .nan]).isNaN().dtype, .bool)
    XCTAssertEqual(try i.isNaN().elements(as: Bool.self), [false, false, false])
    XCTAssertEqual(try d.isFinite().elements(as: Bool.self), [true, true, true])
    XCTAssertEqual(try Tensor(shape: [1], elements: [1e300]).isInfinite().elements(as: Bool.self), [false], "tested in double")
    XCTAssertEqual(try i.argsort().dtype, .int64)
    XCTAssertEqual(try i.sort().values.elements(as: Int64.self), [-7, 2, 3])
    XCTAssertEqual(try d.topk(1).indices.elements(as: Int64.self), [2])
    XCTAssertEqual(try b.sort(descending: true).indices.elements(as: Int64.self), [0, 2, 1])
    XCTAssertEqual(try i.prod().elements(as: Int64.self), [-42])
    XCTAssertEqual(try Tensor(shape: [2], elements: [Int64.max, 2]).prod().elements(as: Int64.self), [-2], "wraps as PyTorch")
    XCTAssertEqual(try b.cumsum().elements(as: Int64.self), [1, 1, 2])
    XCTAssertEqual(try i.cumprod().elements(as: Int64.self), [3, -21, -42])
    XCTAssertEqual(try i.floorDivide(Tensor(shape: [], elements: [Int64(2)])).elements(as: Int64.self), [1, -4, 1])
    XCTAssertEqual(try i.remainder(Tensor(shape: [], elements: [Int64(-2)])).elements(as: Int64.self), [-1, -1, 0])
    XCTAssertEqual(try Tensor(shape: [1], elements: [Int64.min]).floorDivide(Tensor(shape: [1], elements: [Int64(-1)]))
                     .elements(as: Int64.self), [Int64.min], "wraps, no trap")
    XCTAssertThrowsTensorError(try i.remainder(Tensor(shape: [3], elements: [Int64(1), 0, 1])), containing: "remainder: integer division by zero")
    XCTAssertEqual(try i.maximum(d).dtype, .float64)
    XCTAssertEqual(try i.maximum(Tensor(shape: [3], elements: [Int64(0), 0, 5])).elements(as: Int64.self), [3, 0, 5])
    XCTAssertEqual(try b.minimum(Tensor(shape: [3], elements: [true, true, false])).elements(as: Bool.self), [true, false, false])
    XCTAssertEqual(try i.log1p().dtype, .float32)
    XCTAssertEqual(try d.variance().dtype, .float64)
    XCTAssertEqual(try i.norm(p: .infinity).item(), 7)
    XCTAssertEqual(try i.pad([(1, 0)], value: 9).elements(as: Int64.self), [9, 3, -7, 2])
    XCTAssertEqual(try b.flip().elements(as: Bool.self), [true, false, true])
    XCTAssertEqual(try i.floor().elements(as: Int64.self), [3, -7, 2])
    XCTAssertEqual(try linear(t([1, 2], [1, 2]), Tensor(shape: [1, 2], elements: [Int64(1), 1])).scalars, [3])
  }
}
