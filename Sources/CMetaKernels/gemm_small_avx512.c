// AVX-512 twin of the direct axpy-form kernel (gemm_small.c): 16-lane rows
// halve the FMAs for the ragged widths of small products (n = 40 is 16 + 16 + 8
// lanes in 3 vectors here, 5 with AVX2).
#include "CMetaKernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define META_AVX512 __attribute__((target("avx512f,avx2,fma")))
#define META_INLINE static inline __attribute__((always_inline))

META_AVX512 META_INLINE __mmask16 lanes16(int64_t count) {
  if (count <= 0) return 0;
  return count >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << count) - 1u);
}

// One R x 32 tile (R <= 6, constant after inlining); `w` (1...32) live
// columns, masked loads and stores beyond them.
META_AVX512 META_INLINE void nn_tile512(const int R, int64_t w, int64_t k, float alpha,
                                        const float *a, int64_t rsa, int64_t csa,
                                        const float *b, int64_t ldb, float beta,
                                        float *c, int64_t rsc, int64_t csc) {
  __mmask16 m0 = lanes16(w), m1 = lanes16(w - 16);
  const int two = w > 16;
  __m512 acc[6][2];
  for (int r = 0; r < R; ++r) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
  for (int64_t p = 0; p < k; ++p) {
    const float *bp = b + p * ldb;
    __m512 b0 = _mm512_maskz_loadu_ps(m0, bp);
    __m512 b1 = two ? _mm512_maskz_loadu_ps(m1, bp + 16) : b0;
    for (int r = 0; r < R; ++r) {
      __m512 x = _mm512_set1_ps(a[r * rsa + p * csa]);
      acc[r][0] = _mm512_fmadd_ps(x, b0, acc[r][0]);
      if (two) acc[r][1] = _mm512_fmadd_ps(x, b1, acc[r][1]);
    }
  }
  __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
  for (int r = 0; r < R; ++r) {
    __m512 v0 = _mm512_mul_ps(acc[r][0], va), v1 = _mm512_mul_ps(acc[r][1], va);
    if (csc == 1) {
      float *cr = c + r * rsc;
      if (beta != 0.0f) {
        v0 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m0, cr), v0);
        if (two) v1 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m1, cr + 16), v1);
      }
      _mm512_mask_storeu_ps(cr, m0, v0);
      if (two) _mm512_mask_storeu_ps(cr + 16, m1, v1);
    } else {
      // Strided C (the transposed A^T * B^T case): spill, scatter scalars.
      float t[32];
      _mm512_storeu_ps(t, v0);
      _mm512_storeu_ps(t + 16, v1);
      for (int64_t j = 0; j < w; ++j) {
        float *cij = c + r * rsc + j * csc;
        *cij = beta == 0.0f ? t[j] : t[j] + beta * *cij;
      }
    }
  }
}

#define NN512(R) nn_tile512(R, w, k, alpha, a + i * rsa, rsa, csa, bj, ldb, beta, cj + i * rsc, rsc, csc)

META_AVX512 void meta_sgemm_small_nn_avx512(int64_t m, int64_t n, int64_t k, float alpha,
                                            const float *a, int64_t rsa, int64_t csa,
                                            const float *b, int64_t ldb, float beta,
                                            float *c, int64_t rsc, int64_t csc) {
  for (int64_t j = 0; j < n; j += 32) {
    int64_t w = n - j < 32 ? n - j : 32;
    const float *bj = b + j;
    float *cj = c + j * csc;
    int64_t i = 0;
    for (; i + 6 <= m; i += 6) NN512(6);
    switch (m - i) {
      case 5: NN512(5); break;
      case 4: NN512(4); break;
      case 3: NN512(3); break;
      case 2: NN512(2); break;
      case 1: NN512(1); break;
      default: break;
    }
  }
}

#else  // Not x86: never selected, but keep the symbol.

void meta_sgemm_small_nn_avx512(int64_t m, int64_t n, int64_t k, float alpha,
                                const float *a, int64_t rsa, int64_t csa,
                                const float *b, int64_t ldb, float beta,
                                float *c, int64_t rsc, int64_t csc) {
  meta_sgemm_small_nn_generic(m, n, k, alpha, a, rsa, csa, b, ldb, beta, c, rsc, csc);
}

#endif
