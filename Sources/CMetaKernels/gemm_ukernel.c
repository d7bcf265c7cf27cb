// Packed sgemm micro-kernels: one MR x NR register tile of C per call.
//
// Assembly check (swift build -c release, objdump -d on gemm_ukernel.c.o):
// - avx2_6x16: the k loop is 2 vmovups (B row) + 6 vbroadcastss + 12
//   vfmadd231ps ymm per step, unrolled x4; the 12 accumulators stay in
//   ymm registers for the whole loop, no stack spills or reloads inside it.
// - avx512_12x32: 2 vmovups zmm (B row) + 12 vbroadcastss zmm + 24
//   vfmadd231ps zmm per step, unrolled x2; 24 accumulators in zmm registers,
//   no spills inside the loop (the stack is touched only before and after it).
#include "CMetaKernels.h"

#include <string.h>

// Portable twin of the AVX2 kernel, same 6x16 packing. Plain loops over small
// fixed-size arrays, which the compiler vectorises for the baseline ISA.
void meta_sgemm_ukernel_generic_6x16(int64_t kc, const float *a, const float *b, float *c,
                                     int64_t ldc, float alpha, float beta, int64_t mr, int64_t nr) {
  float acc[META_AVX2_MR][META_AVX2_NR];
  memset(acc, 0, sizeof acc);
  for (int64_t p = 0; p < kc; ++p) {
    const float *ap = a + p * META_AVX2_MR;
    const float *bp = b + p * META_AVX2_NR;
    for (int r = 0; r < META_AVX2_MR; ++r) {
      float x = ap[r];
      for (int j = 0; j < META_AVX2_NR; ++j) acc[r][j] += x * bp[j];
    }
  }
  for (int64_t r = 0; r < mr; ++r) {
    float *cr = c + r * ldc;
    for (int64_t j = 0; j < nr; ++j) {
      float v = alpha * acc[r][j];
      cr[j] = beta == 0.0f ? v : v + beta * cr[j];
    }
  }
}

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define META_AVX2 __attribute__((target("avx2,fma")))
#define META_AVX512 __attribute__((target("avx512f,avx2,fma")))

// Lane mask with the first `count` (0...8) lanes set, for maskload/maskstore.
META_AVX2 static inline __m256i lane_mask8(int64_t count) {
  const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)count), idx);
}

// Writes alpha * acc (+ beta * C) for one row segment of up to 8 lanes.
META_AVX2 static inline void store8(float *c, __m256 acc, __m256 va, float beta, int64_t lanes) {
  __m256 v = _mm256_mul_ps(acc, va);
  if (lanes >= 8) {
    if (beta != 0.0f) v = _mm256_fmadd_ps(_mm256_set1_ps(beta), _mm256_loadu_ps(c), v);
    _mm256_storeu_ps(c, v);
  } else if (lanes > 0) {
    __m256i m = lane_mask8(lanes);
    if (beta != 0.0f) v = _mm256_fmadd_ps(_mm256_set1_ps(beta), _mm256_maskload_ps(c, m), v);
    _mm256_maskstore_ps(c, m, v);
  }
}

META_AVX2 void meta_sgemm_ukernel_avx2_6x16(int64_t kc, const float *a, const float *b, float *c,
                                            int64_t ldc, float alpha, float beta, int64_t mr,
                                            int64_t nr) {
  // 12 accumulators + 2 B vectors + 1 broadcast = 15 of the 16 ymm registers.
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
  __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
  __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
  __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
  // Pull the C tile towards L1 while the k loop runs; it is needed only at the end.
  for (int64_t r = 0; r < mr; ++r) {
    _mm_prefetch((const char *)(c + r * ldc), _MM_HINT_T0);
    _mm_prefetch((const char *)(c + r * ldc + 15), _MM_HINT_T0);
  }
#if defined(__clang__)
#pragma clang loop unroll_count(4)
#endif
  for (int64_t p = 0; p < kc; ++p) {
    __m256 b0 = _mm256_loadu_ps(b);
    __m256 b1 = _mm256_loadu_ps(b + 8);
    __m256 x;
    x = _mm256_broadcast_ss(a + 0); c00 = _mm256_fmadd_ps(x, b0, c00); c01 = _mm256_fmadd_ps(x, b1, c01);
    x = _mm256_broadcast_ss(a + 1); c10 = _mm256_fmadd_ps(x, b0, c10); c11 = _mm256_fmadd_ps(x, b1, c11);
    x = _mm256_broadcast_ss(a + 2); c20 = _mm256_fmadd_ps(x, b0, c20); c21 = _mm256_fmadd_ps(x, b1, c21);
    x = _mm256_broadcast_ss(a + 3); c30 = _mm256_fmadd_ps(x, b0, c30); c31 = _mm256_fmadd_ps(x, b1, c31);
    x = _mm256_broadcast_ss(a + 4); c40 = _mm256_fmadd_ps(x, b0, c40); c41 = _mm256_fmadd_ps(x, b1, c41);
    x = _mm256_broadcast_ss(a + 5); c50 = _mm256_fmadd_ps(x, b0, c50); c51 = _mm256_fmadd_ps(x, b1, c51);
    a += META_AVX2_MR;
    b += META_AVX2_NR;
  }
  __m256 va = _mm256_set1_ps(alpha);
  int64_t lanes_lo = nr < 8 ? nr : 8;
  int64_t lanes_hi = nr > 8 ? nr - 8 : 0;
  // Constant row indices (no array indexed by the run-time mr), so the
  // accumulators never leave their registers.
#define STORE_ROW(r, lo, hi)                                  \
  if (r < mr) {                                               \
    store8(c + r * ldc, lo, va, beta, lanes_lo);              \
    store8(c + r * ldc + 8, hi, va, beta, lanes_hi);          \
  }
  STORE_ROW(0, c00, c01)
  STORE_ROW(1, c10, c11)
  STORE_ROW(2, c20, c21)
  STORE_ROW(3, c30, c31)
  STORE_ROW(4, c40, c41)
  STORE_ROW(5, c50, c51)
#undef STORE_ROW
}

META_AVX512 void meta_sgemm_ukernel_avx512_12x32(int64_t kc, const float *a, const float *b,
                                                 float *c, int64_t ldc, float alpha, float beta,
                                                 int64_t mr, int64_t nr) {
  // 24 accumulators + 2 B vectors + 1 broadcast of the 32 zmm registers.
  __m512 acc[META_AVX512_MR][2];
  for (int r = 0; r < META_AVX512_MR; ++r) {
    acc[r][0] = _mm512_setzero_ps();
    acc[r][1] = _mm512_setzero_ps();
  }
  for (int64_t r = 0; r < mr; ++r) {
    _mm_prefetch((const char *)(c + r * ldc), _MM_HINT_T0);
    _mm_prefetch((const char *)(c + r * ldc + 31), _MM_HINT_T0);
  }
#if defined(__clang__)
#pragma clang loop unroll_count(2)
#endif
  for (int64_t p = 0; p < kc; ++p) {
    __m512 b0 = _mm512_loadu_ps(b);
    __m512 b1 = _mm512_loadu_ps(b + 16);
    for (int r = 0; r < META_AVX512_MR; ++r) {
      __m512 x = _mm512_set1_ps(a[r]);
      acc[r][0] = _mm512_fmadd_ps(x, b0, acc[r][0]);
      acc[r][1] = _mm512_fmadd_ps(x, b1, acc[r][1]);
    }
    a += META_AVX512_MR;
    b += META_AVX512_NR;
  }
  __m512 va = _mm512_set1_ps(alpha);
  __m512 vb = _mm512_set1_ps(beta);
  // Masked loads/stores never touch (or fault on) lanes outside the tile.
  __mmask16 m0 = (__mmask16)(nr >= 16 ? 0xFFFFu : ((1u << nr) - 1u));
  __mmask16 m1 = (__mmask16)(nr >= 32 ? 0xFFFFu : (nr > 16 ? ((1u << (nr - 16)) - 1u) : 0u));
  // Fully unrolled with constant indices (guarded by mr), so `acc` stays in
  // registers instead of being zeroed and spilled through a stack array.
#if defined(__clang__)
#pragma clang loop unroll(full)
#endif
  for (int r = 0; r < META_AVX512_MR; ++r) {
    if (r >= mr) break;
    float *cr = c + r * ldc;
    __m512 v0 = _mm512_mul_ps(acc[r][0], va);
    __m512 v1 = _mm512_mul_ps(acc[r][1], va);
    if (beta != 0.0f) {
      v0 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m0, cr), v0);
      v1 = _mm512_fmadd_ps(vb, _mm512_maskz_loadu_ps(m1, cr + 16), v1);
    }
    _mm512_mask_storeu_ps(cr, m0, v0);
    _mm512_mask_storeu_ps(cr + 16, m1, v1);
  }
}

#else  // Not x86: the SIMD entry points exist but are never selected.

void meta_sgemm_ukernel_avx2_6x16(int64_t kc, const float *a, const float *b, float *c,
                                  int64_t ldc, float alpha, float beta, int64_t mr, int64_t nr) {
  meta_sgemm_ukernel_generic_6x16(kc, a, b, c, ldc, alpha, beta, mr, nr);
}

void meta_sgemm_ukernel_avx512_12x32(int64_t kc, const float *a, const float *b, float *c,
                                     int64_t ldc, float alpha, float beta, int64_t mr, int64_t nr) {
  (void)kc; (void)a; (void)b; (void)c; (void)ldc; (void)alpha; (void)beta; (void)mr; (void)nr;
}

#endif
