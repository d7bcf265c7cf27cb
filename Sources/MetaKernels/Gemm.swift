// Single-precision matrix multiply on raw row-major buffers: argument checks
// and dispatch between the direct small-matrix kernels and the packed,
// blocked, threaded path (GemmDriver.swift).
import CMetaKernels

/// `C = alpha * op(A) * op(B) + beta * C` for row-major matrices, where `op(X)` is `X`
/// or its transpose. `op(A)` is m x k, `op(B)` is k x n, `C` is m x n.
/// `lda`, `ldb`, `ldc` are the row strides (in elements) of the stored matrices.
/// `threads` caps the number of threads used (1 runs on the caller's thread);
/// the process-wide `ThreadPool.maxThreads` caps it further.
///
/// As in BLAS, when `beta == 0` C is only written (stale NaNs do not leak into
/// it), and when `k == 0` or `alpha == 0` A and B are not read.
/// Arguments that `validateSgemm` rejects (negative sizes, strides narrower
/// than the matrix) make this a no-op; call `validateSgemm` first to get the reason.
public func sgemm(
  transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
  alpha: Float, a: UnsafePointer<Float>, lda: Int,
  b: UnsafePointer<Float>, ldb: Int,
  beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
  threads: Int = 1
) {
  guard (try? validateSgemm(transA: transA, transB: transB, m: m, n: n, k: k,
                            lda: lda, ldb: ldb, ldc: ldc)) != nil else { return }
  let g = GemmOperands(
    transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
    b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
  gemm(g, kernels: .best, threads: threads)
}

/// Throws `KernelError.invalidArgument` unless the sizes and strides describe
/// valid row-major matrices for `sgemm` (stored A is m x k, or k x m when
/// transposed; likewise B; C is m x n).
public func validateSgemm(
  transA: Bool, transB: Bool, m: Int, n: Int, k: Int, lda: Int, ldb: Int, ldc: Int
) throws(KernelError) {
  try checkMatrix("A", rows: transA ? k : m, cols: transA ? m : k, ld: lda)
  try checkMatrix("B", rows: transB ? n : k, cols: transB ? k : n, ld: ldb)
  try checkMatrix("C", rows: m, cols: n, ld: ldc)
}

/// Validated entry point (also used by the tests to force a kernel set).
func gemm(_ g: GemmOperands, kernels: GemmKernels, threads: Int) {
  guard g.m > 0, g.n > 0 else { return }
  if g.k == 0 || g.alpha == 0 {
    scaleC(g)
    return
  }
  let fmas = Double(g.m) * Double(g.n) * Double(g.k)
  if fmas <= Double(kernels.smallLimit) || directTN(g, fmas: fmas, kernels: kernels, threads: threads) {
    gemmSmall(g, kernels: kernels)
  } else {
    gemmPacked(g, kernels: kernels, threads: threads)
  }
}

/// Whether `Aᵀ B` with a small result but a long k (a weight gradient over
/// a batch: [2000, 64]ᵀ x [2000, 64]) should skip packing on one thread: the
/// direct kernel streams A and B once per 32-column strip, while the packed
/// path copies both. On the AVX-512 set meta-bench-style timings gave 53
/// against 40 GFMA/s at 64 x 64 (k 300 to 2000), 46 against 41 at
/// 64 x 128, k 8000; from 128 x 128 on the two were even or packing won.
private func directTN(_ g: GemmOperands, fmas: Double, kernels: GemmKernels, threads: Int) -> Bool {
  guard kernels.directTN, g.transA, !g.transB, g.m <= 64, g.n <= 128 else { return false }
  // More than one thread would take the packed path's share of the work.
  return min(threads, ThreadPool.maxThreads) <= 1 || fmas < Double(2 * minFMAsPerThread)
}

/// C = beta * C (the whole product when A or B contribute nothing).
private func scaleC(_ g: GemmOperands) {
  for i in 0..<g.m {
    let row = g.c + i * g.ldc
    if g.beta == 0 {
      row.update(repeating: 0, count: g.n)
    } else if g.beta != 1 {
      for j in 0..<g.n { row[j] *= g.beta }
    }
  }
}

private func gemmSmall(_ g: GemmOperands, kernels: GemmKernels) {
  if narrowProduct(g, kernels: kernels) { return }
  let m = Int64(g.m), n = Int64(g.n), k = Int64(g.k)
  let lda = Int64(g.lda), ldc = Int64(g.ldc)
  // A contiguous column vector B (k x 1, or 1 x n transposed) is also a
  // contiguous row: pick the reading whose kernel puts the long side in the
  // vector lanes (the axpy form wastes lanes when n == 1, the dot form when k == 1).
  var transB = g.transB, ldb = Int64(g.ldb)
  if !transB, g.n == 1, g.ldb == 1 {
    transB = true
    ldb = max(k, 1)
  } else if transB, g.k == 1, g.ldb == 1 {
    transB = false
    ldb = max(n, 1)
  }
  switch (g.transA, transB) {
  case (false, false):
    kernels.smallNN(m, n, k, g.alpha, g.a, lda, 1, g.b, ldb, g.beta, g.c, ldc, 1)
  case (true, false):
    kernels.smallNN(m, n, k, g.alpha, g.a, 1, lda, g.b, ldb, g.beta, g.c, ldc, 1)
  case (false, true):
    kernels.smallNT(m, n, k, g.alpha, g.a, lda, g.b, ldb, g.beta, g.c, ldc)
  case (true, true):
    // C = A^T B^T is C^T = B A: an NN product written through C's transpose.
    kernels.smallNN(n, m, k, g.alpha, g.b, ldb, 1, g.a, lda, g.beta, g.c, 1, ldc)
  }
}

/// Products whose shape starves the direct kernels' vector lanes, rewritten
/// into a form that fills them (true when handled). The axpy form puts n in
/// the lanes, the dot form k; a policy network's [2000, 64] x [64, 2] layer
/// and its gradients have n = 2 or k = 2, which ran at 2-6 GFMA/s.
/// - NT with short k: copy op(B) (k x n, tiny) row-major, run the axpy form.
/// - NN with narrow n: copy B transposed (n x k), run the dot form.
/// - TN with narrow n: C^T = B^T A is an axpy-form product with m in the lanes,
///   written through C's transpose (no copy).
/// Only the order of the float additions changes.
private func narrowProduct(_ g: GemmOperands, kernels: GemmKernels) -> Bool {
  let (m, n, k) = (g.m, g.n, g.k)
  let narrow = 4, wide = 16
  switch (g.transA, g.transB) {
  case (false, true) where k <= narrow && n >= wide:
    withScratch(k * n) { bt in
      for j in 0..<n { for p in 0..<k { bt[p * n + j] = g.b[j * g.ldb + p] } }
      kernels.smallNN(Int64(m), Int64(n), Int64(k), g.alpha, g.a, Int64(g.lda), 1, bt, Int64(n),
                      g.beta, g.c, Int64(g.ldc), 1)
    }
    return true
  case (false, false) where n <= narrow && k >= wide:
    withScratch(n * k) { bt in
      for p in 0..<k { for j in 0..<n { bt[j * k + p] = g.b[p * g.ldb + j] } }
      kernels.smallNT(Int64(m), Int64(n), Int64(k), g.alpha, g.a, Int64(g.lda), bt, Int64(k),
                      g.beta, g.c, Int64(g.ldc))
    }
    return true
  case (true, false) where n <= narrow && m >= wide:
    kernels.smallNN(Int64(n), Int64(m), Int64(k), g.alpha, g.b, 1, Int64(g.ldb), g.a, Int64(g.lda),
                    g.beta, g.c, 1, Int64(g.ldc))
    return true
  default:
    return false
  }
}

/// Runs `body` on a borrowed scratch buffer of `count` floats.
private func withScratch(_ count: Int, _ body: (UnsafeMutablePointer<Float>) -> Void) {
  let pool = GemmWorkspacePool.shared
  let ws = pool.take()
  body(ws.floats(count))
  pool.give(ws)
}
