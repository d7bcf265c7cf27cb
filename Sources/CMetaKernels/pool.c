// Max pooling over 2x2 windows at stride 2, the pooling of conv4 and most
// small conv nets. Plain C so the compiler vectorizes the select chains (the
// Swift SIMD mask operations compiled to per-lane loops).

#include "CMetaKernels.h"

// Larger, or the first NaN (NaN propagates, as in PyTorch): branch-free, as a
// compare on random data mispredicts half the time.
#define META_CONSIDER(v, k)                                         \
  do {                                                              \
    const int take = ((v) > best) | (((v) != (v)) & (best == best)); \
    best = take ? (v) : best;                                       \
    arg = take ? (k) : arg;                                         \
  } while (0)

void meta_maxpool2x2_plane(const float *x, int64_t height, int64_t width,
                           float *out, int32_t *idx) {
  const int64_t out_h = height / 2, out_w = width / 2;
  const int32_t w = (int32_t)width;
  for (int64_t oh = 0; oh < out_h; oh++) {
    const float *restrict upper = x + 2 * oh * width;
    const float *restrict lower = upper + width;
    float *restrict o = out + oh * out_w;
    int32_t *restrict k = idx + oh * out_w;
    const int32_t row = (int32_t)(2 * oh * width);
#pragma clang loop vectorize(enable)
    for (int64_t ow = 0; ow < out_w; ow++) {
      const float a0 = upper[2 * ow], a1 = upper[2 * ow + 1];
      const float b0 = lower[2 * ow], b1 = lower[2 * ow + 1];
      const int32_t first = row + 2 * (int32_t)ow;
      float best = a0;
      int32_t arg = first;
      META_CONSIDER(a1, first + 1);
      META_CONSIDER(b0, first + w);
      META_CONSIDER(b1, first + w + 1);
      o[ow] = best;
      k[ow] = arg;
    }
  }
}
