// Single-precision matrix multiply on raw row-major buffers.
//
// STUB: a naive reference loop so that MetaTensor can be written against the
// final signature; the kernel work replaces the body with a packed, blocked,
// threaded AVX2/FMA implementation.

/// `C = alpha * op(A) * op(B) + beta * C` for row-major matrices, where `op(X)` is `X`
/// or its transpose. `op(A)` is m x k, `op(B)` is k x n, `C` is m x n.
/// `lda`, `ldb`, `ldc` are the row strides (in elements) of the stored matrices.
/// `threads` caps the number of threads used (1 runs on the caller's thread).
public func sgemm(
  transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
  alpha: Float, a: UnsafePointer<Float>, lda: Int,
  b: UnsafePointer<Float>, ldb: Int,
  beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
  threads: Int = 1
) {
  for i in 0..<m {
    for j in 0..<n {
      var sum: Float = 0
      for p in 0..<k {
        let x = transA ? a[p * lda + i] : a[i * lda + p]
        let y = transB ? b[j * ldb + p] : b[p * ldb + j]
        sum += x * y
      }
      c[i * ldc + j] = alpha * sum + (beta == 0 ? 0 : beta * c[i * ldc + j])
    }
  }
}
