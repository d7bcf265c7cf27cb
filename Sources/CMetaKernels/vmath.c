// Element-wise exp, log, tanh and sigmoid over float32 arrays.
//
// Each function is a branch-free scalar body (selects, bit tricks, no libm
// calls, no float->int conversions) that the compiler vectorises: the
// `_avx2` loops are compiled for AVX2+FMA (8 lanes, fused polynomial steps),
// the `_generic` twins for the baseline ISA (SSE2 on x86-64). The caller picks
// one with meta_cpu_level(). Results of the two may differ in the last bit
// (FMA contraction) but both stay within the documented error bounds.
#include "CMetaKernels.h"
#include "vmath_body.h"

#define META_VMATH(name, body)                                                              \
  __attribute__((target("avx512f,avx2,fma"))) void meta_v##name##_avx512(                  \
      const float *restrict x, float *restrict y, int64_t n) {                              \
    for (int64_t i = 0; i < n; ++i) y[i] = body(x[i]);                                      \
  }                                                                                         \
  __attribute__((target("avx2,fma"))) void meta_v##name##_avx2(const float *restrict x,    \
                                                              float *restrict y, int64_t n) { \
    for (int64_t i = 0; i < n; ++i) y[i] = body(x[i]);                                      \
  }                                                                                         \
  void meta_v##name##_generic(const float *restrict x, float *restrict y, int64_t n) {      \
    for (int64_t i = 0; i < n; ++i) y[i] = body(x[i]);                                      \
  }

META_VMATH(exp, exp_body)
META_VMATH(log, log_body)
META_VMATH(tanh, tanh_body)
META_VMATH(sigmoid, sigmoid_body)
