import XCTest
@testable import MetaTensor

/// `solve(a, b)`: values by hand and by the product check, gradients against
/// finite differences (first and second order, float32 and float64), errors.
final class LinearSolveTests: XCTestCase {
  func t(_ shape: [Int], _ xs: [Float]) throws -> Tensor { try Tensor(shape: shape, scalars: xs) }
  func d(_ shape: [Int], _ xs: [Double]) throws -> Tensor { try Tensor(shape: shape, elements: xs) }

  /// A random n×n matrix with n added to its diagonal: strictly diagonally
  /// dominant, so well conditioned (condition number a few units).
  func wellConditioned(_ rng: inout TestRNG, _ n: Int, batch: [Int] = []) throws -> Tensor {
    let count = batch.reduce(1, *)
    var xs: [Float] = []
    for _ in 0..<count {
      for i in 0..<n { for j in 0..<n { xs.append(rng.uniform(-1, 1) + (i == j ? Float(n) : 0)) } }
    }
    return try t(batch + [n, n], xs)
  }

  func testHandChecked2x2() throws {
    // det = 5: x = (3·3 - 1·5, 2·5 - 1·3) / 5.
    let x = try solve(t([2, 2], [2, 1, 1, 3]), t([2], [3, 5]))
    XCTAssertEqual(x.shape, [2])
    XCTAssertClose(x.scalars, [0.8, 1.4], tol: 1e-7)
  }

  func testHandChecked3x3NeedsPivoting() throws {
    // a[0][0] = 0: elimination without row swaps would divide by zero.
    // Columns of x: [1, 2, 3] and [-1, 0, 2]; b = a x by hand.
    let a = try t([3, 3], [0, 2, 1, 1, 1, 1, 2, 1, 0])
    let x = try solve(a, t([3, 2], [7, 2, 6, 1, 4, -2]))
    XCTAssertEqual(x.shape, [3, 2])
    XCTAssertClose(x.scalars, [1, -1, 2, 0, 3, 2], tol: 1e-6)
    let x64 = try solve(a.astype(.float64), t([3], [7, 6, 4]).astype(.float64))
    XCTAssertEqual(x64.dtype, .float64)
    XCTAssertEqual(x64.elements(as: Double.self), [1, 2, 3])
  }

  func testProductCheckOnRandomMatrices() throws {
    var rng = TestRNG(3)
    for n in [1, 2, 5, 8, 17] {
      let a = try wellConditioned(&rng, n)
      for b in [try rng.tensor([n]), try rng.tensor([n, 3])] {
        let x = try solve(a, b)
        XCTAssertEqual(x.shape, b.shape)
        XCTAssertEqual(x.dtype, .float32)
        XCTAssertClose(try a.matmul(x).scalars, b.scalars, tol: 1e-5, "n \(n)")
        let (a64, b64) = (try a.astype(.float64), try b.astype(.float64))
        let x64 = try solve(a64, b64)
        XCTAssertEqual(x64.dtype, .float64)
        let residual = try (a64.matmul(x64) - b64).abs().max().elements(as: Double.self)[0]
        XCTAssertLessThan(residual, 1e-13, "n \(n)")
        // float32 is eliminated in double: the float32 answer is the double one rounded.
        XCTAssertEqual(x.scalars, x64.elements(as: Double.self).map { Float($0) }, "n \(n)")
      }
    }
  }

  func testBatchedMatchesOneSystemAtATime() throws {
    var rng = TestRNG(5)
    let a = try wellConditioned(&rng, 3, batch: [2])
    let vectors = try rng.tensor([2, 3]), columns = try rng.tensor([2, 3, 2])
    let xv = try solve(a, vectors), xc = try solve(a, columns)
    XCTAssertEqual(xv.shape, [2, 3])
    XCTAssertEqual(xc.shape, [2, 3, 2])
    for s in 0..<2 {
      let one = try a.narrow(axis: 0, start: s, length: 1).squeeze(0)
      let v = try vectors.narrow(axis: 0, start: s, length: 1).squeeze(0)
      let c = try columns.narrow(axis: 0, start: s, length: 1).squeeze(0)
      XCTAssertEqual(try xv.narrow(axis: 0, start: s, length: 1).squeeze(0).scalars, try solve(one, v).scalars)
      XCTAssertEqual(try xc.narrow(axis: 0, start: s, length: 1).squeeze(0).scalars, try solve(one, c).scalars)
    }
  }

  func testStridedOperandsAndMixedDtypes() throws {
    var rng = TestRNG(9)
    let a = try wellConditioned(&rng, 4), b = try rng.tensor([2, 4])
    let x = try solve(a.T, b.T)  // transposed views
    XCTAssertClose(try a.T.matmul(x).scalars, try b.T.contiguous().scalars, tol: 1e-5)
    let mixed = try solve(a, b.T.astype(.float64))
    XCTAssertEqual(mixed.dtype, .float64, "promotes as the other binary ops")
  }

  func testEmptyAndScaledSystems() throws {
    XCTAssertEqual(try solve(Tensor.zeros([0, 0]), Tensor.zeros([0])).shape, [0])
    XCTAssertEqual(try solve(t([2, 2], [1, 0, 0, 1]), Tensor.zeros([2, 0])).shape, [2, 0])
    // A tiny but exact pivot in a row of tiny numbers is not singular.
    let x = try solve(d([2, 2], [1, 0, 0, 1e-20]), d([2], [2, 3e-20]))
    XCTAssertEqual(x.elements(as: Double.self)[0], 2)
    XCTAssertEqual(x.elements(as: Double.self)[1], 3, accuracy: 1e-15)
  }

  /// The double workspace counts against the memory budget: refused, it is an error, not a crash.
  func testWorkspaceCountsAgainstTheBudget() throws {
    let a = try Tensor.zeros([300, 300]), b = try Tensor.zeros([300])  // made outside the budget
    let budget = MemoryBudget(limit: 1 << 19)  // less than the 720 KB double workspace
    XCTAssertThrowsTensorError(try budget.whileInstalled { try solve(a, b) }, containing: "out of memory")
  }

  func testNaNPropagates() throws {
    let x = try solve(t([2, 2], [.nan, 1, 1, 3]), t([2], [3, 5]))
    XCTAssertTrue(x.scalars.allSatisfy(\.isNaN), "\(x.scalars)")
    // NaN in the pivot column below a zero is taken as the pivot, not read as singular.
    XCTAssertTrue(try solve(t([2, 2], [0, 1, .nan, 3]), t([2], [3, 5])).scalars.allSatisfy(\.isNaN))
    XCTAssertTrue(try solve(t([2, 2], [2, 1, 1, 3]), t([2], [.nan, 5])).scalars.allSatisfy(\.isNaN))
  }

  func testSingularMatricesAreErrors() throws {
    XCTAssertThrowsTensorError(try solve(t([2, 2], [1, 2, 2, 4]), t([2], [1, 1])), containing: "solve: the matrix is singular")
    XCTAssertThrowsTensorError(try solve(Tensor.zeros([3, 3]), Tensor.zeros([3])), containing: "solve: the matrix is singular")
    // Singular in exact arithmetic, a rounding-level pivot in double: still singular, not 1e16s.
    let ill = try t([3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9])
    XCTAssertThrowsTensorError(try solve(ill, t([3], [1, 2, 4])), containing: "solve: the matrix is singular")
    XCTAssertThrowsTensorError(try solve(ill.astype(.float64), t([3], [1, 2, 4]).astype(.float64)),
                               containing: "solve: the matrix is singular")
    let batch = try t([2, 2, 2], [1, 0, 0, 1, 1, 1, 1, 1])
    XCTAssertThrowsTensorError(try solve(batch, Tensor.zeros([2, 2])), containing: "matrix 1 of the batch")
  }

  func testShapeAndDtypeErrors() throws {
    let a = try Tensor.zeros([3, 3])
    XCTAssertThrowsTensorError(try solve(a, Tensor.zeros([4])), containing: "a [3, 3] and b [4]")
    XCTAssertThrowsTensorError(try solve(a, Tensor.zeros([2, 2])), containing: "a [3, 3] and b [2, 2]")
    XCTAssertThrowsTensorError(try solve(a, Tensor.zeros([2, 3, 1])), containing: "a [3, 3] and b [2, 3, 1]")
    XCTAssertThrowsTensorError(try solve(Tensor.zeros([2, 3]), Tensor.zeros([2])), containing: "a [2, 3] is not a square matrix")
    XCTAssertThrowsTensorError(try solve(Tensor.zeros([3]), Tensor.zeros([3])), containing: "a [3] is not a square matrix")
    XCTAssertThrowsTensorError(try solve(Tensor.zeros([2, 3, 3]), Tensor.zeros([4, 3])), containing: "batch")
    XCTAssertThrowsTensorError(try solve(Tensor.zeros([2, 3, 3]), Tensor.zeros([3, 3, 1])), containing: "batch")
    XCTAssertThrowsTensorError(try solve(a.astype(.int64), a.astype(.int64)),
                               containing: "solve: int64 tensors are not supported")
    XCTAssertThrowsTensorError(try solve(a.astype(.bool), Tensor.zeros([3]).astype(.bool)),
                               containing: "solve: bool tensors are not supported")
  }

  func testGradientsFloat32() throws {
    var rng = TestRNG(13)
    let a = try wellConditioned(&rng, 3)
    for b in [try rng.tensor([3]), try rng.tensor([3, 2])] {
      try checkGradients([a, b]) { try solve($0[0], $0[1]) }
      try checkHessianVectorProducts([a, b]) { try solve($0[0], $0[1]) }
    }
    let batched = try wellConditioned(&rng, 3, batch: [2]), bb = try rng.tensor([2, 3])
    try checkGradients([batched, bb]) { try solve($0[0], $0[1]) }
    try checkHessianVectorProducts([batched, bb]) { try solve($0[0], $0[1]) }
    // Only a tracked.
    let leaf = a.requiringGrad()
    XCTAssertEqual(try gradients(of: solve(leaf, Tensor.ones([3])).sum(), wrt: [leaf])[0].shape, [3, 3])
  }

  /// Float64: the analytic gradient and Hessian-vector product against
  /// central differences in double, for all of a and b as one parameter vector.
  func testGradientsFloat64() throws {
    var rng = TestRNG(17)
    let n = 3
    for bShape in [[n], [n, 2]] {
      let a = try wellConditioned(&rng, n).astype(.float64).elements(as: Double.self)
      let b = try rng.tensor(bShape).astype(.float64).elements(as: Double.self)
      let p = a + b, nb = b.count
      let w = try d(bShape, (0..<nb).map { 0.5 + Double($0) * 0.25 })
      func loss(_ v: Tensor) throws -> Tensor {
        let x = try solve(v.narrow(axis: 0, start: 0, length: n * n).reshape([n, n]),
                          v.narrow(axis: 0, start: n * n, length: nb).reshape(bShape))
        return try (x * w).sum()
      }
      func gradient(_ xs: [Double], createGraph: Bool = false) throws -> (Tensor, Tensor) {
        let leaf = try d([xs.count], xs).requiringGrad()
        return (try gradients(of: loss(leaf), wrt: [leaf], createGraph: createGraph)[0], leaf)
      }
      let (g, leaf) = try gradient(p, createGraph: true)
      let h = 1e-6
      let value = { (xs: [Double]) in try loss(self.d([xs.count], xs)).elements(as: Double.self)[0] }
      for i in p.indices {
        var plus = p, minus = p
        plus[i] += h; minus[i] -= h
        let numeric = (try value(plus) - value(minus)) / (2 * h)
        XCTAssertEqual(g.elements(as: Double.self)[i], numeric, accuracy: 1e-7 * Swift.max(1, Swift.abs(numeric)), "d/dp[\(i)]")
      }
      let v = p.indices.map { Double($0 % 3) - 1 }
      let hv = try gradients(of: (g * d([v.count], v)).sum(), wrt: [leaf])[0].elements(as: Double.self)
      let gp = try gradient(zip(p, v).map { $0 + h * $1 }).0.elements(as: Double.self)
      let gm = try gradient(zip(p, v).map { $0 - h * $1 }).0.elements(as: Double.self)
      for i in p.indices {
        XCTAssertEqual(hv[i], (gp[i] - gm[i]) / (2 * h), accuracy: 1e-6 * Swift.max(1, Swift.abs(hv[i])), "Hv[\(i)]")
      }
    }
  }
}
