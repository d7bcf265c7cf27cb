// Out-of-place float32 transpose for the direct convolution's layout changes
// (weights and gradients between [O, k] and [k, O]). A scalar loop moves one
// float per store, one side strided; 4x4 blocks of vectors move four.
// Clang vector extensions: SSE on any x86-64, NEON on arm64, no dispatch.

#include "CMetaKernels.h"

typedef float meta_v4 __attribute__((ext_vector_type(4)));

static inline meta_v4 load4(const float *p) {
  meta_v4 v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}

static inline void store4(float *p, meta_v4 v) { __builtin_memcpy(p, &v, sizeof v); }

void meta_transpose_f32(const float *src, int64_t rows, int64_t cols, int64_t src_stride,
                        float *dst, int64_t dst_stride) {
  const int64_t rows4 = rows & ~(int64_t)3, cols4 = cols & ~(int64_t)3;
  for (int64_t r = 0; r < rows4; r += 4) {
    const float *s = src + r * src_stride;
    for (int64_t c = 0; c < cols4; c += 4) {
      const meta_v4 a = load4(s + c), b = load4(s + src_stride + c);
      const meta_v4 e = load4(s + 2 * src_stride + c), f = load4(s + 3 * src_stride + c);
      const meta_v4 ab_lo = __builtin_shufflevector(a, b, 0, 4, 1, 5);
      const meta_v4 ab_hi = __builtin_shufflevector(a, b, 2, 6, 3, 7);
      const meta_v4 ef_lo = __builtin_shufflevector(e, f, 0, 4, 1, 5);
      const meta_v4 ef_hi = __builtin_shufflevector(e, f, 2, 6, 3, 7);
      float *d = dst + c * dst_stride + r;
      store4(d, __builtin_shufflevector(ab_lo, ef_lo, 0, 1, 4, 5));
      store4(d + dst_stride, __builtin_shufflevector(ab_lo, ef_lo, 2, 3, 6, 7));
      store4(d + 2 * dst_stride, __builtin_shufflevector(ab_hi, ef_hi, 0, 1, 4, 5));
      store4(d + 3 * dst_stride, __builtin_shufflevector(ab_hi, ef_hi, 2, 3, 6, 7));
    }
    for (int64_t c = cols4; c < cols; ++c)
      for (int64_t i = 0; i < 4; ++i) dst[c * dst_stride + r + i] = s[i * src_stride + c];
  }
  for (int64_t r = rows4; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) dst[c * dst_stride + r] = src[r * src_stride + c];
}
