import XCTest

@testable import MetaKernels

/// One sgemm call's inputs, stored with row strides wider than the matrices
/// (padding filled with NaN, so reading outside the matrix shows up).
struct GemmCase {
  var transA = false, transB = false
  var m: Int, n: Int, k: Int
  var alpha: Float = 1, beta: Float = 0
  var lda: Int, ldb: Int, ldc: Int
  var a: [Float], b: [Float], c: [Float]

  init(m: Int, n: Int, k: Int, transA: Bool, transB: Bool, pad: Int, rng: inout TestRandom) {
    (self.m, self.n, self.k, self.transA, self.transB) = (m, n, k, transA, transB)
    let (ar, ac) = transA ? (k, m) : (m, k)
    let (br, bc) = transB ? (n, k) : (k, n)
    (lda, ldb, ldc) = (ac + pad, bc + pad, n + pad)
    a = GemmCase.matrix(rows: ar, cols: ac, ld: lda, rng: &rng)
    b = GemmCase.matrix(rows: br, cols: bc, ld: ldb, rng: &rng)
    c = GemmCase.matrix(rows: m, cols: n, ld: ldc, rng: &rng)
  }

  static func matrix(rows: Int, cols: Int, ld: Int, rng: inout TestRandom) -> [Float] {
    var x = [Float](repeating: .nan, count: max(1, rows * ld))
    for i in 0..<rows { for j in 0..<cols { x[i * ld + j] = rng.float() } }
    return x
  }

  func opA(_ i: Int, _ p: Int) -> Double { Double(transA ? a[p * lda + i] : a[i * lda + p]) }
  func opB(_ p: Int, _ j: Int) -> Double { Double(transB ? b[j * ldb + p] : b[p * ldb + j]) }

  /// Runs sgemm (or the internal entry with a forced kernel set) and returns C.
  func run(kernels: GemmKernels? = nil, threads: Int = 1) -> [Float] {
    var out = c
    a.withUnsafeBufferPointer { pa in
      b.withUnsafeBufferPointer { pb in
        out.withUnsafeMutableBufferPointer { pc in
          guard let a = pa.baseAddress, let b = pb.baseAddress, let c = pc.baseAddress else { return }
          if let kernels {
            let g = GemmOperands(
              transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
              b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            gemm(g, kernels: kernels, threads: threads)
          } else {
            sgemm(
              transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
              b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, threads: threads)
          }
        }
      }
    }
    return out
  }

  /// Checks `got` against a Double-accumulated reference with a bound that
  /// scales with k and the magnitudes summed (float rounding of a length-k dot).
  func check(_ got: [Float], _ label: String, file: StaticString = #filePath, line: UInt = #line) {
    let eps = Double(Float.ulpOfOne)
    for i in 0..<m {
      for j in 0..<n {
        var dot = 0.0, mag = 0.0
        for p in 0..<k {
          let t = opA(i, p) * opB(p, j)
          dot += t
          mag += abs(t)
        }
        let old = Double(c[i * ldc + j])
        let want = Double(alpha) * dot + (beta == 0 ? 0 : Double(beta) * old)
        let tol = 2 * Double(k + 2) * eps * (abs(Double(alpha)) * mag + abs(Double(beta) * old)) + 1e-30
        let have = Double(got[i * ldc + j])
        if !(abs(have - want) <= tol) {
          XCTFail("\(label) C[\(i),\(j)] = \(have), want \(want) ± \(tol)", file: file, line: line)
          return
        }
      }
      // Padding beyond column n must be untouched.
      for j in n..<ldc where !got[i * ldc + j].isNaN {
        XCTFail("\(label) wrote padding C[\(i),\(j)]", file: file, line: line)
        return
      }
    }
  }

  var label: String { "\(transA ? "T" : "N")\(transB ? "T" : "N") m\(m) n\(n) k\(k) α\(alpha) β\(beta)" }
}

final class GemmTests: XCTestCase {
  /// Odd and awkward sizes across the small/packed threshold, every transpose
  /// combination, padded strides, and assorted alpha/beta, on every kernel set
  /// this CPU supports (so the portable fallback is exercised here too).
  func testRandomShapesAllKernels() {
    var rng = TestRandom(seed: 1)
    let sizes = [1, 2, 3, 5, 7, 11, 13, 17, 23, 31, 33, 47, 61, 97, 131, 199, 300]
    for kernels in GemmKernels.supported {
      for trial in 0..<30 {
        let (m, n, k) = (sizes[rng.int(0...16)], sizes[rng.int(0...16)], sizes[rng.int(0...16)])
        // Keep each debug-build product small enough to check quickly.
        if m * n * k > 3_000_000 { continue }
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
          var t = GemmCase(m: m, n: n, k: k, transA: ta, transB: tb, pad: trial % 3 * 5, rng: &rng)
          t.alpha = [1, -0.5, 2.25][trial % 3]
          t.beta = [0, 1, -1.5, 0.75][trial % 4]
          t.check(t.run(kernels: kernels), "\(kernels.name) \(t.label)")
        }
      }
    }
  }

  /// Sizes straddling tile edges (MR = 6/12, NR = 16/32) and block edges (kc, mc).
  func testTileAndBlockEdges() {
    var rng = TestRandom(seed: 2)
    let shapes = [(6, 16, 1), (12, 32, 8), (13, 33, 9), (241, 17, 5), (7, 17, 257), (5, 3, 513), (49, 65, 193)]
    for kernels in GemmKernels.supported {
      for (m, n, k) in shapes {
        for (ta, tb) in [(false, false), (true, true), (true, false), (false, true)] {
          var t = GemmCase(m: m, n: n, k: k, transA: ta, transB: tb, pad: 3, rng: &rng)
          t.beta = 0.5
          t.check(t.run(kernels: kernels), "\(kernels.name) \(t.label)")
        }
      }
    }
  }

  func testPublicEntryPointAndTinyShapes() {
    var rng = TestRandom(seed: 3)
    for (m, n, k) in [(10, 40, 40), (25, 40, 1), (1, 1, 1), (1, 40, 40), (40, 1, 40), (100, 1, 40)] {
      for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
        let t = GemmCase(m: m, n: n, k: k, transA: ta, transB: tb, pad: 0, rng: &rng)
        t.check(t.run(), t.label)
      }
    }
  }

  func testBetaZeroIgnoresNaNInC() {
    var rng = TestRandom(seed: 4)
    for (m, n, k) in [(3, 5, 7), (70, 80, 90)] {
      var t = GemmCase(m: m, n: n, k: k, transA: false, transB: false, pad: 0, rng: &rng)
      t.c = [Float](repeating: .nan, count: t.c.count)
      let got = t.run()
      XCTAssertFalse(got.contains { $0.isNaN }, "m\(m): NaN leaked from C with beta = 0")
      t.c = [Float](repeating: 0, count: t.c.count)
      t.check(got, "beta0")
    }
  }

  /// k = 0 and alpha = 0 scale C by beta without reading A or B.
  func testDegenerateSizes() {
    var c: [Float] = [1, 2, 3, 4, 5, 6]
    let nanA: [Float] = [.nan]
    c.withUnsafeMutableBufferPointer { pc in
      nanA.withUnsafeBufferPointer { pa in
        guard let c = pc.baseAddress, let a = pa.baseAddress else { return }
        sgemm(transA: false, transB: false, m: 2, n: 3, k: 0, alpha: 1, a: a, lda: 1,
              b: a, ldb: 3, beta: 2, c: c, ldc: 3)
      }
    }
    XCTAssertEqual(c, [2, 4, 6, 8, 10, 12])
    var rng = TestRandom(seed: 5)
    var t = GemmCase(m: 4, n: 5, k: 6, transA: false, transB: false, pad: 0, rng: &rng)
    t.alpha = 0
    t.beta = -1
    XCTAssertEqual(t.run(), t.c.map { -$0 })
    // m = 0 or n = 0: nothing is touched.
    for (m, n) in [(0, 5), (4, 0)] {
      let z = GemmCase(m: m, n: n, k: 3, transA: false, transB: false, pad: 1, rng: &rng)
      XCTAssertEqual(z.run().map(\.bitPattern), z.c.map(\.bitPattern))
    }
  }

  func testInvalidArgumentsAreRejectedNotCrashing() {
    XCTAssertThrowsError(try validateSgemm(transA: false, transB: false, m: -1, n: 2, k: 2, lda: 2, ldb: 2, ldc: 2))
    XCTAssertThrowsError(try validateSgemm(transA: false, transB: false, m: 2, n: 2, k: 3, lda: 2, ldb: 2, ldc: 2))
    XCTAssertThrowsError(try validateSgemm(transA: true, transB: false, m: 4, n: 2, k: 3, lda: 3, ldb: 2, ldc: 2))
    XCTAssertThrowsError(try validateSgemm(transA: false, transB: true, m: 2, n: 2, k: 3, lda: 3, ldb: 2, ldc: 2))
    XCTAssertThrowsError(try validateSgemm(transA: false, transB: false, m: Int.max, n: 2, k: 2, lda: Int.max / 2, ldb: 2, ldc: 2))
    XCTAssertNoThrow(try validateSgemm(transA: true, transB: true, m: 4, n: 2, k: 3, lda: 4, ldb: 3, ldc: 2))
    // The unchecked entry point refuses the same call without touching C.
    var c: [Float] = [7, 7, 7, 7]
    let a: [Float] = [1, 1, 1, 1]
    a.withUnsafeBufferPointer { pa in
      c.withUnsafeMutableBufferPointer { pc in
        guard let a = pa.baseAddress, let c = pc.baseAddress else { return }
        sgemm(transA: false, transB: false, m: 2, n: 2, k: 3, alpha: 1, a: a, lda: 2,
              b: a, ldb: 2, beta: 0, c: c, ldc: 2)
      }
    }
    XCTAssertEqual(c, [7, 7, 7, 7])
  }

  /// Threaded products split C into slabs computed by the same arithmetic, so
  /// they must equal the single-threaded result bit for bit.
  func testThreadedMatchesSingleThreaded() {
    let saved = ThreadPool.maxThreads
    defer { ThreadPool.maxThreads = saved }
    ThreadPool.maxThreads = 4
    var rng = TestRandom(seed: 6)
    for (m, n, k) in [(150, 260, 90), (301, 70, 120), (128, 128, 128)] {
      for (ta, tb) in [(false, false), (true, true)] {
        var t = GemmCase(m: m, n: n, k: k, transA: ta, transB: tb, pad: 2, rng: &rng)
        t.beta = 1
        let one = t.run(threads: 1)
        for threads in [2, 3, 4] {
          XCTAssertEqual(t.run(threads: threads).map(\.bitPattern), one.map(\.bitPattern), "\(t.label) threads \(threads)")
        }
        t.check(one, t.label)
      }
    }
  }
}
