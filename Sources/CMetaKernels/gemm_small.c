// Direct sgemm kernels for small products: no packing, no workspace, no
// threads. They read A, B and C in place, so a [10,40] x [40,40] product costs
// little more than its 16k FMAs.
#include "CMetaKernels.h"

static inline float scale_into(float v, float alpha, float beta, const float *c) {
  return beta == 0.0f ? alpha * v : alpha * v + beta * *c;
}

// Portable twins. Loop orders are chosen so that plain C vectorises at the
// baseline ISA without reassociation flags: the axpy form runs along
// contiguous rows of B; the dot form keeps 8 independent partial sums.
void meta_sgemm_small_nn_generic(int64_t m, int64_t n, int64_t k, float alpha,
                                 const float *a, int64_t rsa, int64_t csa,
                                 const float *b, int64_t ldb, float beta,
                                 float *c, int64_t rsc, int64_t csc) {
  enum { W = 64 };
  float acc[W];
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j0 = 0; j0 < n; j0 += W) {
      int64_t w = n - j0 < W ? n - j0 : W;
      for (int64_t j = 0; j < w; ++j) acc[j] = 0.0f;
      for (int64_t p = 0; p < k; ++p) {
        float x = a[i * rsa + p * csa];
        const float *bp = b + p * ldb + j0;
        for (int64_t j = 0; j < w; ++j) acc[j] += x * bp[j];
      }
      for (int64_t j = 0; j < w; ++j) {
        float *cij = c + i * rsc + (j0 + j) * csc;
        *cij = scale_into(acc[j], alpha, beta, cij);
      }
    }
  }
}

void meta_sgemm_small_nt_generic(int64_t m, int64_t n, int64_t k, float alpha,
                                 const float *a, int64_t lda, const float *b, int64_t ldb,
                                 float beta, float *c, int64_t ldc) {
  for (int64_t i = 0; i < m; ++i) {
    const float *ai = a + i * lda;
    for (int64_t j = 0; j < n; ++j) {
      const float *bj = b + j * ldb;
      float part[8] = {0, 0, 0, 0, 0, 0, 0, 0};
      int64_t p = 0;
      for (; p + 8 <= k; p += 8)
        for (int l = 0; l < 8; ++l) part[l] += ai[p + l] * bj[p + l];
      float s = ((part[0] + part[1]) + (part[2] + part[3])) + ((part[4] + part[5]) + (part[6] + part[7]));
      for (; p < k; ++p) s += ai[p] * bj[p];
      float *cij = c + i * ldc + j;
      *cij = scale_into(s, alpha, beta, cij);
    }
  }
}

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define META_AVX2 __attribute__((target("avx2,fma")))
#define META_INLINE static inline __attribute__((always_inline))

META_AVX2 META_INLINE __m256i small_mask8(int64_t count) {
  const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)count), idx);
}

// One R x 16 tile (R <= 6, constant after inlining) of the axpy-form product:
// each step broadcasts A(i, p) and multiplies it into B's row p. `w` (1...16)
// columns are live; FULL means w == 16 and no masks are needed.
META_AVX2 META_INLINE void nn_tile(const int R, const int FULL, int64_t w, int64_t k, float alpha,
                                   const float *a, int64_t rsa, int64_t csa, const float *b,
                                   int64_t ldb, float beta, float *c, int64_t rsc, int64_t csc) {
  __m256i m0 = small_mask8(w), m1 = small_mask8(w - 8);
  __m256 acc[6][2];
  for (int r = 0; r < R; ++r) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
  const int two = FULL || w > 8;
  for (int64_t p = 0; p < k; ++p) {
    const float *bp = b + p * ldb;
    __m256 b0 = FULL ? _mm256_loadu_ps(bp) : _mm256_maskload_ps(bp, m0);
    __m256 b1 = FULL ? _mm256_loadu_ps(bp + 8) : (two ? _mm256_maskload_ps(bp + 8, m1) : b0);
    for (int r = 0; r < R; ++r) {
      __m256 x = _mm256_broadcast_ss(a + r * rsa + p * csa);
      acc[r][0] = _mm256_fmadd_ps(x, b0, acc[r][0]);
      if (two) acc[r][1] = _mm256_fmadd_ps(x, b1, acc[r][1]);
    }
  }
  __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
  if (csc == 1) {
    for (int r = 0; r < R; ++r) {
      float *cr = c + r * rsc;
      __m256 v0 = _mm256_mul_ps(acc[r][0], va), v1 = _mm256_mul_ps(acc[r][1], va);
      if (FULL) {
        if (beta != 0.0f) {
          v0 = _mm256_fmadd_ps(vb, _mm256_loadu_ps(cr), v0);
          v1 = _mm256_fmadd_ps(vb, _mm256_loadu_ps(cr + 8), v1);
        }
        _mm256_storeu_ps(cr, v0);
        _mm256_storeu_ps(cr + 8, v1);
      } else {
        if (beta != 0.0f) v0 = _mm256_fmadd_ps(vb, _mm256_maskload_ps(cr, m0), v0);
        _mm256_maskstore_ps(cr, m0, v0);
        if (two) {
          if (beta != 0.0f) v1 = _mm256_fmadd_ps(vb, _mm256_maskload_ps(cr + 8, m1), v1);
          _mm256_maskstore_ps(cr + 8, m1, v1);
        }
      }
    }
  } else {
    // Strided C (the transposed A^T * B^T case): spill the tile, scatter scalars.
    float t[6][16];
    for (int r = 0; r < R; ++r) {
      _mm256_storeu_ps(t[r], acc[r][0]);
      _mm256_storeu_ps(t[r] + 8, acc[r][1]);
      for (int64_t j = 0; j < w; ++j) {
        float *cij = c + r * rsc + j * csc;
        *cij = scale_into(t[r][j], alpha, beta, cij);
      }
    }
  }
}

#define NN_TILE(R, FULL) \
  nn_tile(R, FULL, w, k, alpha, a + i * rsa, rsa, csa, bj, ldb, beta, cj + i * rsc, rsc, csc)

META_AVX2 void meta_sgemm_small_nn_avx2(int64_t m, int64_t n, int64_t k, float alpha,
                                        const float *a, int64_t rsa, int64_t csa,
                                        const float *b, int64_t ldb, float beta,
                                        float *c, int64_t rsc, int64_t csc) {
  // 6 rows x 2 vectors = 12 accumulators, as in the packed kernel: enough
  // independent FMA chains to cover the FMA latency on two ports.
  for (int64_t j = 0; j < n; j += 16) {
    int64_t w = n - j < 16 ? n - j : 16;
    const float *bj = b + j;
    float *cj = c + j * csc;
    int64_t i = 0;
    if (w == 16) {
      for (; i + 6 <= m; i += 6) NN_TILE(6, 1);
      switch (m - i) {
        case 5: NN_TILE(5, 1); break;
        case 4: NN_TILE(4, 1); break;
        case 3: NN_TILE(3, 1); break;
        case 2: NN_TILE(2, 1); break;
        case 1: NN_TILE(1, 1); break;
        default: break;
      }
    } else {
      for (; i + 6 <= m; i += 6) NN_TILE(6, 0);
      switch (m - i) {
        case 5: NN_TILE(5, 0); break;
        case 4: NN_TILE(4, 0); break;
        case 3: NN_TILE(3, 0); break;
        case 2: NN_TILE(2, 0); break;
        case 1: NN_TILE(1, 0); break;
        default: break;
      }
    }
  }
}

META_AVX2 META_INLINE float hsum8(__m256 v) {
  __m128 x = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  x = _mm_add_ps(x, _mm_movehl_ps(x, x));
  x = _mm_add_ss(x, _mm_movehdup_ps(x));
  return _mm_cvtss_f32(x);
}

// R x S block of dot products (R <= 2, S <= 4): rows of A against rows of the
// stored B, 8 k-lanes per step, the k tail with masked loads.
META_AVX2 META_INLINE void nt_tile(const int R, const int S, int64_t k, float alpha,
                                   const float *a, int64_t lda, const float *b, int64_t ldb,
                                   float beta, float *c, int64_t ldc) {
  __m256 acc[2][4];
  for (int r = 0; r < R; ++r)
    for (int s = 0; s < S; ++s) acc[r][s] = _mm256_setzero_ps();
  int64_t p = 0;
  for (; p + 8 <= k; p += 8) {
    __m256 x[2], y[4];
    for (int r = 0; r < R; ++r) x[r] = _mm256_loadu_ps(a + r * lda + p);
    for (int s = 0; s < S; ++s) y[s] = _mm256_loadu_ps(b + s * ldb + p);
    for (int r = 0; r < R; ++r)
      for (int s = 0; s < S; ++s) acc[r][s] = _mm256_fmadd_ps(x[r], y[s], acc[r][s]);
  }
  if (p < k) {
    __m256i mk = small_mask8(k - p);
    __m256 x[2], y[4];
    for (int r = 0; r < R; ++r) x[r] = _mm256_maskload_ps(a + r * lda + p, mk);
    for (int s = 0; s < S; ++s) y[s] = _mm256_maskload_ps(b + s * ldb + p, mk);
    for (int r = 0; r < R; ++r)
      for (int s = 0; s < S; ++s) acc[r][s] = _mm256_fmadd_ps(x[r], y[s], acc[r][s]);
  }
  for (int r = 0; r < R; ++r) {
    float *cr = c + r * ldc;
    if (S == 4) {
      // Four horizontal sums at once: hadd pairs, then fold the two halves.
      __m256 t01 = _mm256_hadd_ps(acc[r][0], acc[r][1]);
      __m256 t23 = _mm256_hadd_ps(acc[r][2], acc[r][3]);
      __m256 t = _mm256_hadd_ps(t01, t23);
      __m128 sum = _mm_add_ps(_mm256_castps256_ps128(t), _mm256_extractf128_ps(t, 1));
      __m128 v = _mm_mul_ps(sum, _mm_set1_ps(alpha));
      if (beta != 0.0f) v = _mm_fmadd_ps(_mm_set1_ps(beta), _mm_loadu_ps(cr), v);
      _mm_storeu_ps(cr, v);
    } else {
      for (int s = 0; s < S; ++s) cr[s] = scale_into(hsum8(acc[r][s]), alpha, beta, cr + s);
    }
  }
}

#define NT_TILE(R, S) nt_tile(R, S, k, alpha, a + i * lda, lda, b + j * ldb, ldb, beta, c + i * ldc + j, ldc)

META_AVX2 void meta_sgemm_small_nt_avx2(int64_t m, int64_t n, int64_t k, float alpha,
                                        const float *a, int64_t lda, const float *b, int64_t ldb,
                                        float beta, float *c, int64_t ldc) {
  int64_t i = 0;
  for (; i + 2 <= m; i += 2) {
    int64_t j = 0;
    for (; j + 4 <= n; j += 4) NT_TILE(2, 4);
    switch (n - j) {
      case 3: NT_TILE(2, 3); break;
      case 2: NT_TILE(2, 2); break;
      case 1: NT_TILE(2, 1); break;
      default: break;
    }
  }
  if (i < m) {
    int64_t j = 0;
    for (; j + 4 <= n; j += 4) NT_TILE(1, 4);
    switch (n - j) {
      case 3: NT_TILE(1, 3); break;
      case 2: NT_TILE(1, 2); break;
      case 1: NT_TILE(1, 1); break;
      default: break;
    }
  }
}

#else  // Not x86: never selected, but keep the symbols.

void meta_sgemm_small_nn_avx2(int64_t m, int64_t n, int64_t k, float alpha,
                              const float *a, int64_t rsa, int64_t csa,
                              const float *b, int64_t ldb, float beta,
                              float *c, int64_t rsc, int64_t csc) {
  meta_sgemm_small_nn_generic(m, n, k, alpha, a, rsa, csa, b, ldb, beta, c, rsc, csc);
}

void meta_sgemm_small_nt_avx2(int64_t m, int64_t n, int64_t k, float alpha,
                              const float *a, int64_t lda, const float *b, int64_t ldb,
                              float beta, float *c, int64_t ldc) {
  meta_sgemm_small_nt_generic(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

#endif
