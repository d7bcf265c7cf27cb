import XCTest

@testable import MetaKernels

/// Products routed away from the default small/packed split (Gemm.swift): the
/// rewritten narrow small products (`narrowProduct`: NT with k <= 4, NN with
/// n <= 4, TN with n <= 4) and the direct long-k Aᵀ B (`directTN`), on every
/// kernel set, against the Double reference, with NaN padding that must be
/// neither read nor written.
final class GemmRoutingTests: XCTestCase {
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

  /// Aᵀ B with a result of at most 64 x 128 and k past the small limit runs
  /// the direct kernel on one thread (AVX-512 set), the packed path otherwise;
  /// both must match the reference, at the size bounds and across them.
  func testDirectTransposedAMatchesReference() {
    var rng = TestRandom(seed: 13)
    let shapes = [(13, 40, 1500), (64, 128, 40), (64, 100, 300), (65, 20, 700), (7, 129, 400), (1, 3, 90_000)]
    for kernels in GemmKernels.supported {
      for (i, (m, n, k)) in shapes.enumerated() {
        for threads in [1, 2] {
          var t = GemmCase(m: m, n: n, k: k, transA: true, transB: false, pad: i % 2 * 3, rng: &rng)
          t.alpha = [1, -0.5][i % 2]
          t.beta = [0, 0.75, 1][i % 3]
          t.check(t.run(kernels: kernels, threads: threads), "\(kernels.name) threads \(threads) \(t.label)")
        }
      }
      var t = GemmCase(m: 64, n: 64, k: 300, transA: true, transB: false, pad: 0, rng: &rng)
      t.a[5 * t.lda + 9] = .nan  // A(9, 5): row 9 of C is NaN, the rest finite.
      let got = t.run(kernels: kernels)
      XCTAssertTrue((0..<64).allSatisfy { got[9 * t.ldc + $0].isNaN }, kernels.name)
      XCTAssertEqual(got.filter(\.isNaN).count, 64, kernels.name)
    }
  }
}
