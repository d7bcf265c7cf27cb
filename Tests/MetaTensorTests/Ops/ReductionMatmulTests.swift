import XCTest
@testable import MetaTensor

/// Forward values of reductions and matmul against naive loops.
final class ReductionMatmulTests: XCTestCase {
  var rng = TestRNG(5)

  func testReductionsAlongAxes() throws {
    let t = try Tensor(shape: [2, 3], scalars: [1, 5, 3, 4, 2, 6])
    XCTAssertEqual(try t.sum().item(), 21)
    XCTAssertEqual(try t.sum(axes: [0]).scalars, [5, 7, 9])
    XCTAssertEqual(try t.sum(axes: [1], keepdims: true).shape, [2, 1])
    XCTAssertEqual(try t.sum(axes: [-1]).scalars, [9, 12])
    XCTAssertEqual(try t.mean(axes: [1]).scalars, [3, 4])
    XCTAssertEqual(try t.max(axes: [1]).scalars, [5, 6])
    XCTAssertEqual(try t.min(axes: [0]).scalars, [1, 2, 3])
    XCTAssertEqual(try t.max().item(), 6)
    XCTAssertEqual(try t.argmax(axis: 1).scalars, [1, 2])
    XCTAssertEqual(try t.argmin(axis: 0).scalars, [0, 1, 0])
    XCTAssertEqual(try t.argmax().item(), 5)
    XCTAssertEqual(try t.T.argmax(axis: 1).scalars, [1, 0, 1])
    XCTAssertEqual(try t.argmax(axis: 1, keepdims: true).shape, [2, 1])
    let lse = try t.logsumexp(axes: [1]).scalars
    XCTAssertClose(lse, [Float(log(exp(1.0) + exp(5.0) + exp(3.0))), Float(log(exp(4.0) + exp(2.0) + exp(6.0)))])
    XCTAssertEqual(try Tensor(shape: [2], scalars: [1000, 1000]).logsumexp().item(), 1000 + Float(log(2.0)), accuracy: 1e-3)
    XCTAssertEqual(try Tensor.zeros([0, 3]).sum(axes: [0]).scalars, [0, 0, 0])
    XCTAssertThrowsTensorError(try Tensor.zeros([0, 3]).max(axes: [0]), containing: "zero-size")
    XCTAssertThrowsTensorError(try t.sum(axes: [0, -2]), containing: "repeated")
  }

  func testStridedReductionMatchesLoop() throws {
    let x = try rng.tensor([4, 5, 6])
    let v = x.scalars
    let permuted = try x.permute([2, 0, 1])  // [6, 4, 5]
    let result = try permuted.sum(axes: [0, 2])  // over x's axes 2 and 1 -> [4]
    var expected = [Float](repeating: 0, count: 4)
    for i in 0..<4 { for j in 0..<5 { for k in 0..<6 { expected[i] += v[(i * 5 + j) * 6 + k] } } }
    XCTAssertClose(result.scalars, expected, tol: 1e-5)
  }

  func naiveMatmul(_ a: [Float], _ b: [Float], m: Int, k: Int, n: Int) -> [Float] {
    var c = [Float](repeating: 0, count: m * n)
    for i in 0..<m { for j in 0..<n { for p in 0..<k { c[i * n + j] += a[i * k + p] * b[p * n + j] } } }
    return c
  }

  func testMatmulCases() throws {
    let a = try rng.tensor([3, 4]), b = try rng.tensor([4, 5])
    XCTAssertClose(try a.matmul(b).scalars, naiveMatmul(a.scalars, b.scalars, m: 3, k: 4, n: 5))
    // Transposed views go straight to the kernel; the result is the same.
    let at = try a.T.contiguous().T, bt = try b.T.contiguous().T
    XCTAssertFalse(at.isContiguous)
    XCTAssertClose(try at.matmul(bt).scalars, naiveMatmul(a.scalars, b.scalars, m: 3, k: 4, n: 5))
    // A strided (sliced) operand is copied first.
    let wide = try rng.tensor([3, 8])
    let sliced = try wide[.all, .slice(start: nil, stop: nil, step: 2)]
    XCTAssertClose(try sliced.matmul(b).scalars, naiveMatmul(sliced.scalars, b.scalars, m: 3, k: 4, n: 5))
    // 1-D cases.
    let v = try rng.tensor([4])
    XCTAssertEqual(try a.matmul(v).shape, [3])
    XCTAssertClose(try a.matmul(v).scalars, naiveMatmul(a.scalars, v.scalars, m: 3, k: 4, n: 1))
    XCTAssertEqual(try v.matmul(b).shape, [5])
    XCTAssertClose(try v.matmul(b).scalars, naiveMatmul(v.scalars, b.scalars, m: 1, k: 4, n: 5))
    XCTAssertEqual(try v.matmul(v).shape, [])
    XCTAssertClose([try v.matmul(v).item()], naiveMatmul(v.scalars, v.scalars, m: 1, k: 4, n: 1))
  }

  func testBatchedMatmulBroadcastsBatchAxes() throws {
    let a = try rng.tensor([2, 1, 3, 4]), b = try rng.tensor([5, 4, 2])
    let c = try a.matmul(b)
    XCTAssertEqual(c.shape, [2, 5, 3, 2])
    let av = a.scalars, bv = b.scalars, cv = c.scalars
    for i in 0..<2 {
      for j in 0..<5 {
        let expected = naiveMatmul(Array(av[(i * 12)..<(i * 12 + 12)]), Array(bv[(j * 8)..<(j * 8 + 8)]), m: 3, k: 4, n: 2)
        XCTAssertClose(Array(cv[((i * 5 + j) * 6)..<((i * 5 + j) * 6 + 6)]), expected)
      }
    }
  }

  func testMatmulErrors() throws {
    XCTAssertThrowsTensorError(try Tensor.zeros([3, 4]).matmul(Tensor.zeros([5, 6])),
                               containing: "matmul: [3, 4] @ [5, 6]: inner dimensions 4 and 5 differ")
    XCTAssertThrowsTensorError(try Tensor.zeros([2, 3, 4]).matmul(Tensor.zeros([3, 4, 2])), containing: "batch dimensions")
    XCTAssertThrowsTensorError(try Tensor(1).matmul(Tensor.zeros([1])), containing: "scalars")
    XCTAssertEqual(try Tensor.zeros([2, 0]).matmul(Tensor.zeros([0, 3])).scalars, [0, 0, 0, 0, 0, 0])
  }

  /// [..., m, k] @ [k, n] (and @ [k]) runs as one flattened 2-D product: same
  /// values and gradients as per-batch products, for contiguous, transposed
  /// (non-contiguous, batched path) and empty left operands.
  func testBatchTimesMatrixMatchesPerBatchProducts() throws {
    let w = try rng.tensor([4, 3]), v = try rng.tensor([4])
    let base = try rng.tensor([2, 3, 5, 4])
    for a in [base, try base.transpose(1, 2).contiguous(), try rng.tensor([2, 5, 3, 4]).transpose(1, 2)] {
      let c = try a.matmul(w), cv = try a.matmul(v)
      XCTAssertEqual(c.shape, Array(a.shape.dropLast()) + [3])
      XCTAssertEqual(cv.shape, Array(a.shape.dropLast()))
      let rows = try a.contiguous().reshape([-1, 4])
      XCTAssertClose(c.scalars, naiveMatmul(rows.scalars, w.scalars, m: rows.shape[0], k: 4, n: 3))
      XCTAssertClose(cv.scalars, naiveMatmul(rows.scalars, v.scalars, m: rows.shape[0], k: 4, n: 1))
    }
    // Gradients: d/dW sum((A @ W)^2) = A_rows^T (2 A_rows W), d/dA = 2 (A W) W^T.
    let a = base.detached().requiringGrad(), lw = w.detached().requiringGrad()
    let grads = try gradients(of: a.matmul(lw).square().sum(), wrt: [a, lw])
    let rows = try base.reshape([-1, 4]), twice = try 2 * rows.matmul(w)
    XCTAssertClose(grads[1].scalars, try rows.T.matmul(twice).scalars, tol: 1e-4)
    XCTAssertClose(grads[0].scalars, try twice.matmul(w.T).scalars, tol: 1e-4)
    XCTAssertEqual(grads[0].shape, base.shape)
    XCTAssertEqual(try Tensor.zeros([0, 3, 4]).matmul(w).shape, [0, 3, 3])
    XCTAssertEqual(try Tensor.zeros([2, 3, 0]).matmul(Tensor.zeros([0, 2])).scalars, [Float](repeating: 0, count: 12))
  }
}
