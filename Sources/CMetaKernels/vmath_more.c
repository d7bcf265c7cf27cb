// The op set's element-wise functions and reductions over float32 arrays:
// log1p, expm1, erf, atan2, softplus, gelu (exact and tanh), elu, silu,
// maximum/minimum; sums, sums of squares and of squared deviations,
// products and the largest magnitude of a run or of each column of a block.
//
// As in vmath.c, each body is branch-free scalar code (vmath_body.h) that the
// compiler vectorises once per target: `_avx512`, `_avx2` (AVX2+FMA) and the
// baseline `_generic`, picked by the caller with meta_cpu_level(). Reductions
// keep one accumulator per lane (vectorised without reassociation) over
// blocks of 1024 elements and add each block's total in double, so a million
// float32 terms stay accurate to about 1e-7 relative. Column kernels reduce
// the columns of a row-major block (a leading or middle axis) in place.
#include "CMetaKernels.h"
#include "vmath_body.h"

META_INLINE float abs_of(float x) { return float_of(bits_of(x) & 0x7FFFFFFFu); }

// e^x - 1: x = k ln2 + r, |r| <= ln2/2, e^x - 1 = 2^k expm1(r) + (2^k - 1) with
// expm1(r) = r + r^2 (1/2 + r/6 + ...) to degree 8 (remainder < 2.2e-10 |r|),
// so k = 0 keeps full relative accuracy near 0 (2^k - 1 is exact for k <= 24;
// beyond, the -1 is below an ulp). Below -30 the result is -1.
META_INLINE float expm1_body(float x) {
  float t = x < -30.0f ? -30.0f : (x > 88.8f ? 88.8f : x);
  t = x != x ? 0.0f : t;
  float k = round_integer(t * 1.44269504f);
  float r = (t - k * LN2_HI) - k * LN2_LO;
  float p = 1.0f / 40320;
  p = p * r + 1.0f / 5040;
  p = p * r + 1.0f / 720;
  p = p * r + 1.0f / 120;
  p = p * r + 1.0f / 24;
  p = p * r + 1.0f / 6;
  p = p * r + 0.5f;
  float e = r + r * r * p;
  // 2^k for k <= 127 (k = 128 only near the overflow threshold: one more doubling).
  float scale = two_to(k > 127.0f ? 127.0f : k);
  float y = scale * e + (scale - 1.0f);
  y = k > 127.0f ? y + y : y;
  y = x > 88.72283f ? __builtin_inff() : y;
  return x != x ? x : y;
}

// log(1 + x) with no division: u = 1 + x = 2^k m (m in [sqrt(1/2), sqrt(2))),
// log1p(x) = k ln2 + log(m) + c / u, where c = x - (u - 1) is the rounding
// error of 1 + x (0 once |x| >= 2^24) and c / u = c 2^-k / m with 1/m taken
// as 1 - f + f^2 - f^3 (the correction is below an ulp: that is plenty).
// log(m) = f - f^2/2 + f^3 P(f), f = m - 1, with Cephes' logf polynomial.
META_INLINE float log1p_body(float x) {
  float u = 1.0f + x;
  float c = x - (u - 1.0f);
  uint32_t bits = bits_of(u) + (0x3F800000u - 0x3F3504F3u);
  float k = float_of((bits >> 23) | 0x4B000000u) - 8388735.0f;
  float m = float_of((bits & 0x7FFFFFu) + 0x3F3504F3u);
  float f = m - 1.0f;
  float z = f * f;
  float p = 7.0376836292e-2f;
  p = p * f - 1.1514610310e-1f;
  p = p * f + 1.1676998740e-1f;
  p = p * f - 1.2420140846e-1f;
  p = p * f + 1.4249322787e-1f;
  p = p * f - 1.6668057665e-1f;
  p = p * f + 2.0000714765e-1f;
  p = p * f - 2.4999993993e-1f;
  p = p * f + 3.3333331174e-1f;
  float log_m = f - 0.5f * z + f * z * p;
  float kk = k > 126.0f ? 126.0f : k;  // 2^-k in range (c is 0 there anyway)
  float correction = c * two_to(-kk) * (1.0f - f + z - f * z);
  float y = k * LN2_HI + (log_m + (k * LN2_LO + correction));
  y = x == __builtin_inff() ? x : y;
  y = x == -1.0f ? -__builtin_inff() : y;
  y = x < -1.0f ? __builtin_nanf("") : y;
  return x != x ? x : y;
}

// x^2 = hi + lo exactly: hi rounded, lo from Veltkamp halves of x (12-bit
// parts, whose products are exact, with or without FMA contraction).
META_INLINE float square_low(float x, float hi) {
  float c = 4097.0f * x;
  float xh = c - (c - x), xl = x - xh;
  return ((xh * xh - hi) + 2.0f * xh * xl) + xl * xl;
}

// erfc(a) for a >= 0, given a^2 as hi + lo: Numerical Recipes' erfcc (a
// Chebyshev fit of erfc(a) e^(a^2) in t = 1 / (1 + a/2), relative error
// about 1.2e-7 everywhere). The tail is as sensitive as e^(-a^2): e^-hi
// takes the exact rounded part and lo rides with the fit, so a^2 = 100
// costs no accuracy. Callers clamp a to 10.5 (erfc is 0 in float beyond).
META_INLINE float erfc_fit(float a, float hi, float lo) {
  float t = 1.0f / (1.0f + 0.5f * a);
  float p = 0.17087277f;
  p = p * t - 0.82215223f;
  p = p * t + 1.48851587f;
  p = p * t - 1.13520398f;
  p = p * t + 0.27886807f;
  p = p * t - 0.18628806f;
  p = p * t + 0.09678418f;
  p = p * t + 0.37409196f;
  p = p * t + 1.00002368f;
  p = p * t - 1.26551223f;
  return t * exp_body(-hi) * exp_body(p - lo);
}

// erf: its Taylor series below 0.5 (relative accuracy near 0), 1 - erfc above.
META_INLINE float erf_body(float x) {
  float a = abs_of(x);
  float z = a * a;
  float p = 1.0f / 9360;
  p = p * z - 1.0f / 1320;
  p = p * z + 1.0f / 216;
  p = p * z - 1.0f / 42;
  p = p * z + 1.0f / 10;
  p = p * z - 1.0f / 3;
  p = p * z + 1.0f;
  float near = 1.12837917f * a * p;
  float c = a > 10.5f ? 10.5f : a;
  float hi = c * c;
  float y = a < 0.5f ? near : 1.0f - erfc_fit(c, hi, square_low(c, hi));
  return float_of(bits_of(y) | (bits_of(x) & 0x80000000u));
}

// x Phi(x), Phi the standard normal CDF from erfc (no cancellation for x < 0):
// Phi(-|x|) = erfc(|x| / sqrt 2) / 2, with (|x| / sqrt 2)^2 = x^2 / 2 split
// exactly from x (rounding |x| / sqrt 2 first would cost 1e-5 in the tail).
META_INLINE float gelu_body(float x) {
  float a = abs_of(x);
  a = a > 14.8f ? 14.8f : a;
  float hi = a * a;
  float tail = 0.5f * erfc_fit(a * 0.70710678f, 0.5f * hi, 0.5f * square_low(a, hi));
  return x * (x < 0.0f ? tail : 1.0f - tail);
}

// PyTorch's approximate="tanh" form, 0.5 x (1 + tanh u), computed as
// x sigmoid(2u) (the same function) so that x < 0 does not cancel in 1 + tanh u.
META_INLINE float gelu_tanh_body(float x) {
  float u = 0.7978845608f * (x + 0.044715f * x * x * x);
  return x * sigmoid_body(u + u);
}

META_INLINE float silu_body(float x) { return x * sigmoid_body(x); }

// softplus(z) = max(z, 0) + log(1 + e), e = e^-|z| in (0, 1] (never
// overflows), with log(1 + e) = 2 atanh(s) = 2s (1 + w/3 + w^2/5 + ...),
// s = e / (2 + e) <= 1/3, w = s^2: the series to w^6/13 leaves < 1.4e-8.
// inverse = 1 / beta (exact for beta = 1 and powers of two; else within an ulp).
META_INLINE float softplus_body(float x, float beta, float inverse, float threshold) {
  float z = x * beta;
  float e = exp_body(-abs_of(z));
  float s = e / (2.0f + e);
  float w = s * s;
  float p = 1.0f / 13;
  p = p * w + 1.0f / 11;
  p = p * w + 1.0f / 9;
  p = p * w + 1.0f / 7;
  p = p * w + 1.0f / 5;
  p = p * w + 1.0f / 3;
  p = p * w + 1.0f;
  float y = ((z > 0.0f ? z : 0.0f) + 2.0f * s * p) * inverse;
  return z > threshold ? x : y;
}

META_INLINE float elu_body(float x, float alpha) { return x > 0.0f ? x : alpha * expm1_body(x); }

// atan2(y, x): atan of min/max of the magnitudes on [0, 1] (Cephes' atanf
// polynomial after reducing above tan(pi/8)), then moved to its octant.
// Signed zeros and infinities follow IEEE (atan2(+-0, -0) = +-pi, ...).
META_INLINE float atan2_body(float y, float x) {
  float ax = abs_of(x), ay = abs_of(y);
  float hi = ax > ay ? ax : ay, lo = ax > ay ? ay : ax;
  float a = lo / hi;
  a = hi == 0.0f ? 0.0f : a;
  a = (ax == __builtin_inff() && ay == __builtin_inff()) ? 1.0f : a;
  int reduced = a > 0.41421356f;
  float t = reduced ? (a - 1.0f) / (a + 1.0f) : a;
  float z = t * t;
  float p = 8.05374449538e-2f;
  p = p * z - 1.38776856032e-1f;
  p = p * z + 1.99777106478e-1f;
  p = p * z - 3.33329491539e-1f;
  float r = t + t * z * p;
  r = reduced ? r + 0.785398163f : r;
  r = ay > ax ? 1.57079633f - r : r;
  r = (bits_of(x) >> 31) ? 3.14159265f - r : r;
  r = float_of(bits_of(r) | (bits_of(y) & 0x80000000u));
  return (x != x || y != y) ? x + y : r;
}

META_INLINE float maximum_body(float a, float b) { float m = a >= b ? a : b; return a != a ? a : m; }
META_INLINE float minimum_body(float a, float b) { float m = a <= b ? a : b; return a != a ? a : m; }

// Reductions: LANES separate accumulators per block of BLOCK elements (32
// terms each), summed as a tree (vector adds, not a 32-long scalar chain).
#define LANES 32
#define BLOCK 1024

META_INLINE float lane_total(float *acc) {
  for (int w = LANES / 2; w > 0; w /= 2)
    for (int k = 0; k < w; ++k) acc[k] += acc[k + w];
  return acc[0];
}

META_INLINE double block_sum(const float *x, int64_t n, float shift, int square) {
  double total = 0.0;
  int64_t i = 0;
  for (; i + BLOCK <= n; i += BLOCK) {
    float acc[LANES] = {0};
    for (int64_t j = 0; j < BLOCK; j += LANES) {
      for (int k = 0; k < LANES; ++k) {
        float v = x[i + j + k] - shift;
        acc[k] += square ? v * v : v;
      }
    }
    total += lane_total(acc);
  }
  for (; i < n; ++i) {
    double v = (double)x[i] - shift;
    total += square ? v * v : v;
  }
  return total;
}

META_INLINE float block_prod(const float *x, int64_t n) {
  float acc[LANES];
  for (int k = 0; k < LANES; ++k) acc[k] = 1.0f;
  int64_t i = 0;
  for (; i + LANES <= n; i += LANES)
    for (int k = 0; k < LANES; ++k) acc[k] *= x[i + k];
  float p = 1.0f;
  for (int k = 0; k < LANES; ++k) p *= acc[k];
  for (; i < n; ++i) p *= x[i];
  return p;
}

// Largest |x|; NaN as soon as any element is NaN (a NaN accumulator stays NaN).
META_INLINE float block_maxabs(const float *x, int64_t n) {
  float acc[LANES] = {0};
  int64_t i = 0;
  for (; i + LANES <= n; i += LANES) {
    for (int k = 0; k < LANES; ++k) {
      float v = abs_of(x[i + k]);
      acc[k] = (v > acc[k] || v != v) ? v : acc[k];
    }
  }
  float m = 0.0f;
  for (int k = 0; k < LANES; ++k) m = (acc[k] > m || acc[k] != acc[k]) ? acc[k] : m;
  for (; i < n; ++i) {
    float v = abs_of(x[i]);
    m = (v > m || v != v) ? v : m;
  }
  return m;
}

// Columns of a rows x cols row-major block: out[j] = product (or largest
// magnitude) of column j; caccum adds (x - center[j])^2, x^2 (no center) or
// x (square 0) of up to a block of rows into float acc[j].
META_INLINE void columns_prod(const float *x, int64_t rows, int64_t cols, float *restrict out) {
  for (int64_t j = 0; j < cols; ++j) out[j] = 1.0f;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < cols; ++j) out[j] *= x[r * cols + j];
}

META_INLINE void columns_maxabs(const float *x, int64_t rows, int64_t cols, float *restrict out) {
  for (int64_t j = 0; j < cols; ++j) out[j] = 0.0f;
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t j = 0; j < cols; ++j) {
      float v = abs_of(x[r * cols + j]);
      out[j] = (v > out[j] || v != v) ? v : out[j];
    }
  }
}

META_INLINE void columns_accumulate(const float *x, int64_t rows, int64_t cols, const float *center, int square,
                                    float *restrict acc) {
  if (!square) {
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 0; j < cols; ++j) acc[j] += x[r * cols + j];
  } else if (center) {
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t j = 0; j < cols; ++j) {
        float v = x[r * cols + j] - center[j];
        acc[j] += v * v;
      }
    }
  } else {
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 0; j < cols; ++j) acc[j] += x[r * cols + j] * x[r * cols + j];
  }
}

#define META_AVX512 __attribute__((target("avx512f,avx2,fma")))
#define META_AVX2 __attribute__((target("avx2,fma")))

// One function per target around the same body.
#define META_TARGETS(ret, name, params, body) \
  META_AVX512 ret meta_##name##_avx512 params body \
  META_AVX2 ret meta_##name##_avx2 params body \
  ret meta_##name##_generic params body

#define META_UNARY(name, f) \
  META_TARGETS(void, v##name, (const float *restrict x, float *restrict y, int64_t n), \
               { for (int64_t i = 0; i < n; ++i) y[i] = f(x[i]); })
#define META_BINARY(name, f) \
  META_TARGETS(void, v##name, (const float *restrict a, const float *restrict b, float *restrict y, int64_t n), \
               { for (int64_t i = 0; i < n; ++i) y[i] = f(a[i], b[i]); })

META_UNARY(log1p, log1p_body)
META_UNARY(expm1, expm1_body)
META_UNARY(erf, erf_body)
META_UNARY(gelu, gelu_body)
META_UNARY(gelu_tanh, gelu_tanh_body)
META_UNARY(silu, silu_body)
META_BINARY(atan2, atan2_body)
META_BINARY(maximum, maximum_body)
META_BINARY(minimum, minimum_body)

META_TARGETS(void, vsoftplus, (const float *restrict x, float *restrict y, int64_t n, float beta, float threshold),
             { float inverse = 1.0f / beta;
               for (int64_t i = 0; i < n; ++i) y[i] = softplus_body(x[i], beta, inverse, threshold); })
META_TARGETS(void, velu, (const float *restrict x, float *restrict y, int64_t n, float alpha),
             { for (int64_t i = 0; i < n; ++i) y[i] = elu_body(x[i], alpha); })

// NaN / infinity tests as comparisons (x != x, |x| == inf, |x| < inf) writing
// one byte per element (a bool tensor): vectorised compares and packs, where a
// test on the bit fields per element ran at a third of NumPy's speed.
META_TARGETS(void, vclassify, (const float *restrict x, unsigned char *restrict y, int64_t n, int32_t test), {
  switch (test) {
  case 0: for (int64_t i = 0; i < n; ++i) y[i] = x[i] != x[i]; break;
  case 1: for (int64_t i = 0; i < n; ++i) y[i] = __builtin_fabsf(x[i]) == __builtin_inff(); break;
  default: for (int64_t i = 0; i < n; ++i) y[i] = __builtin_fabsf(x[i]) < __builtin_inff(); break;
  }
})

META_TARGETS(double, rsum, (const float *x, int64_t n), { return block_sum(x, n, 0.0f, 0); })
META_TARGETS(double, rsumsq, (const float *x, int64_t n), { return block_sum(x, n, 0.0f, 1); })
META_TARGETS(double, rsumsqdev, (const float *x, int64_t n, float mean), { return block_sum(x, n, mean, 1); })
META_TARGETS(float, rprod, (const float *x, int64_t n), { return block_prod(x, n); })
META_TARGETS(float, rmaxabs, (const float *x, int64_t n), { return block_maxabs(x, n); })

META_TARGETS(void, cprod, (const float *x, int64_t rows, int64_t cols, float *out),
             { columns_prod(x, rows, cols, out); })
META_TARGETS(void, cmaxabs, (const float *x, int64_t rows, int64_t cols, float *out),
             { columns_maxabs(x, rows, cols, out); })
META_TARGETS(void, caccum, (const float *x, int64_t rows, int64_t cols, const float *center, int square, float *acc),
             { columns_accumulate(x, rows, cols, center, square, acc); })
