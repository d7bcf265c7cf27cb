// The branch-free scalar bodies of the vectorised element-wise functions
// (exp, log, tanh, sigmoid and their helpers), shared by vmath.c and
// vmath_more.c. Each is written with selects, bit tricks and no libm calls,
// so that a plain loop over it vectorises under each file's target attributes.
#ifndef META_VMATH_BODY_H
#define META_VMATH_BODY_H

#include <stdint.h>
#include <string.h>

#define META_INLINE static inline __attribute__((always_inline))

META_INLINE uint32_t bits_of(float f) { uint32_t u; memcpy(&u, &f, sizeof u); return u; }
META_INLINE float float_of(uint32_t u) { float f; memcpy(&f, &u, sizeof f); return f; }

// Nearest integer value of |x| < 2^22 by the 1.5 * 2^23 trick (no conversion).
META_INLINE float round_integer(float x) { return (x + 12582912.0f) - 12582912.0f; }

// 2^n for integer-valued n in -126...127, built in the exponent field.
META_INLINE float two_to(float n) { return float_of((bits_of(n + 8388735.0f) & 0xFFu) << 23); }

// ln 2 split so that k * LN2_HI is exact for |k| < 256.
#define LN2_HI 0.693145751953125f
#define LN2_LO 1.428606765330187e-06f

META_INLINE float exp_body(float x) {
  // Clamp so 2^k is a product of two normal factors down to e^-104 (below
  // the least subnormal); NaN lanes compute on 0 and are patched at the end.
  float t = x < -104.0f ? -104.0f : (x > 88.8f ? 88.8f : x);
  t = x != x ? 0.0f : t;
  float k = round_integer(t * 1.44269504f);
  float r = (t - k * LN2_HI) - k * LN2_LO;  // |r| <= ln2 / 2
  // Taylor series of e^r to degree 7: remainder r^8/8! < 5e-9 for |r| <= 0.347.
  float p = 1.0f / 5040;
  p = p * r + 1.0f / 720;
  p = p * r + 1.0f / 120;
  p = p * r + 1.0f / 24;
  p = p * r + 1.0f / 6;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  // 2^k = 2^h * 2^(k-h): one rounding, even for subnormal results.
  float h = round_integer(k * 0.5f);
  float y = p * two_to(h) * two_to(k - h);
  y = x > 88.72283f ? __builtin_inff() : y;
  y = x < -103.98f ? 0.0f : y;
  return x != x ? x : y;
}

// e^t for t in [0, 18.2], tanh's range: no overflow, underflow or NaN fix-ups
// (a NaN t still gives NaN), and a degree-6 Taylor series (remainder r^7/7!
// < 1.3e-7, damped by tanh's sensitivity to e^2a, which is below 0.8).
META_INLINE float exp_for_tanh(float t) {
  float k = round_integer(t * 1.44269504f);
  float r = (t - k * LN2_HI) - k * LN2_LO;
  float p = 1.0f / 720;
  p = p * r + 1.0f / 120;
  p = p * r + 1.0f / 24;
  p = p * r + 1.0f / 6;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  return p * two_to(k);
}

META_INLINE float tanh_body(float x) {
  uint32_t sign = bits_of(x) & 0x80000000u;
  float a = float_of(bits_of(x) & 0x7FFFFFFFu);
  // Near 0, 1 - 2/(e^2a + 1) cancels: use a least-squares fit of
  // (tanh a - a) / a^3 as a polynomial in a^2 on [0, 0.625] (8e-8 relative).
  float z = a * a;
  float p = -0.005798100028f;
  p = p * z + 0.02072028071f;
  p = p * z + -0.05376379937f;
  p = p * z + 0.1333171874f;
  p = p * z + -0.3333329260f;
  float near = a + a * z * p;
  // tanh rounds to 1 from a = 9.1 on; NaN stays NaN through the clamp.
  float c = a > 9.1f ? 9.1f : a;
  float far = 1.0f - 2.0f / (exp_for_tanh(c + c) + 1.0f);
  float y = a < 0.625f ? near : far;
  return float_of(bits_of(y) | sign);
}

META_INLINE float sigmoid_body(float x) {
  float e = exp_body(x < 0 ? x : -x);  // e^-|x| in (0, 1]: never overflows
  float positive = 1.0f / (1.0f + e);
  return x < 0 ? e * positive : positive;
}

META_INLINE float log_body(float x) {
  // Subnormals are scaled into the normal range first.
  int tiny = x < 1.17549435e-38f;
  float xs = tiny ? x * 8388608.0f : x;
  float adjust = tiny ? -23.0f : 0.0f;
  // x = 2^k * m with m in [sqrt(1/2), sqrt(2)): shift the exponent boundary.
  uint32_t u = bits_of(xs) + (0x3F800000u - 0x3F3504F3u);
  float k = float_of((u >> 23) | 0x4B000000u) - 8388735.0f + adjust;
  float m = float_of((u & 0x7FFFFFu) + 0x3F3504F3u);
  // log m = 2 atanh(s), s = (m - 1) / (m + 1): 2s (1 + w/3 + w^2/5 + ...), w = s^2 <= 0.0295.
  float f = m - 1.0f;
  float s = f / (2.0f + f);
  float w = s * s;
  float q = 2.0f / 9;
  q = q * w + 2.0f / 7;
  q = q * w + 2.0f / 5;
  q = q * w + 2.0f / 3;
  float log_m = s + s + s * (w * q);
  float y = k * LN2_HI + (log_m + k * LN2_LO);
  y = x == __builtin_inff() ? x : y;
  y = x == 0.0f ? -__builtin_inff() : y;
  y = x < 0.0f ? __builtin_nanf("") : y;
  return x != x ? x : y;
}

#endif
