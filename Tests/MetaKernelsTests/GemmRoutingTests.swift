import XCTest

@testable import MetaKernels

/// The rewritten narrow small products (`narrowProduct` in Gemm.swift): NT with
/// k <= 4, NN with n <= 4, TN with n <= 4, on every kernel set, against the
/// Double reference, with NaN padding that must be neither read nor written.
final class GemmNarrowTests: XCTestCase {
  func testNarrowShapesMatchReference() {
    var rng = TestRandom(seed: 11)
    // (transA, transB, m, n, k): each rewritten case, at and around its bounds.
    var shapes: [(Bool, Bool, Int, Int, Int)] = []
    for k in [1, 2, 3, 4, 5] { for (m, n) in [(1, 16), (7, 17), (37, 64), (130, 33), (5, 15)] { shapes.append((false, true, m, n, k)) } }
    for n in [1, 2, 3, 4, 5] { for (m, k) in [(1, 16), (9, 17), (61, 64), (200, 65), (3, 15)] { shapes.append((false, false, m, n, k)) } }
    for n in [1, 2, 3, 4, 5] { for (m, k) in [(16, 1), (31, 7), (64, 100), (100, 301), (15, 9)] { shapes.append((true, false, m, n, k)) } }
    for kernels in GemmKernels.supported {
      for (i, (ta, tb, m, n, k)) in shapes.enumerated() {
        var t = GemmCase(m: m, n: n, k: k, transA: ta, transB: tb, pad: i % 3 * 3, rng: &rng)
        t.alpha = [1, -0.5, 2.25][i % 3]
        t.beta = [0, 1, -1.5, 0.75][i % 4]
        t.check(t.run(kernels: kernels), "\(kernels.name) \(t.label)")
      }
    }
  }

  /// A NaN in A(i, p) makes row i of C NaN, one in B(p, j) column j, and 0 * inf
  /// is NaN, exactly as the unrewritten product; everything else stays finite.
  func testNaNAndInfinityPropagateAsReference() {
    var rng = TestRandom(seed: 12)
    for kernels in GemmKernels.supported {
      for (ta, tb, m, n, k) in [(false, true, 40, 64, 2), (false, false, 50, 2, 64), (true, false, 64, 3, 50)] {
        var t = GemmCase(m: m, n: n, k: k, transA: ta, transB: tb, pad: 1, rng: &rng)
        let (i, p, j) = (m / 2, k - 1, n - 1)
        t.a[ta ? p * t.lda + i : i * t.lda + p] = .nan
        let (q, r) = (0, 0)  // A(q, 0) = inf against B(0, 0) = 0: C(q, 0) is NaN.
        t.a[ta ? r * t.lda + q : q * t.lda + r] = .infinity
        t.b[tb ? 0 * t.ldb + r : r * t.ldb + 0] = 0
        t.b[tb ? j * t.ldb + 1 % k : (1 % k) * t.ldb + j] = .nan
        let got = t.run(kernels: kernels)
        for row in 0..<m {
          for col in 0..<n {
            let v = got[row * t.ldc + col]
            var want = 0.0  // NaN-ness from a Double reference of the same sums.
            for s in 0..<k { want += t.opA(row, s) * t.opB(s, col) }
            if want.isNaN != v.isNaN {
              XCTFail("\(kernels.name) \(t.label): C[\(row),\(col)] = \(v), reference \(want)")
              return
            }
          }
        }
        XCTAssertTrue(got[i * t.ldc].isNaN && got[q * t.ldc].isNaN && got[(m - 1) * t.ldc + j].isNaN)
      }
    }
  }
}
