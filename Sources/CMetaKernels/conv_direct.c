// Direct ("indirect GEMM") convolution over a zero-padded input: a kernel
// row's input element sits at a fixed offset from each output position's
// window start, so no column matrix is built. One body (conv_direct_body.h)
// is instantiated per instruction-set level with its own tile shape.
#include "CMetaKernels.h"

#define CD_CAT2(a, b) a##_##b
#define CD_CAT(a, b) CD_CAT2(a, b)

// Portable level: 4-lane vectors (SSE2 on x86-64, NEON on arm64), 8 + 2 + 1 registers.
typedef float cd_v4 __attribute__((ext_vector_type(4)));
#define CD_VEC cd_v4
#define CD_LANES 4
#define CD_NV 2
#define CD_R 4
#define CD_ATTR
#define CD_NAME(x) CD_CAT(cd_generic, x)
#define CD_FWD meta_conv_direct_fwd_generic
#define CD_WGRAD meta_conv_direct_wgrad_generic
#include "conv_direct_body.h"
#undef CD_VEC
#undef CD_LANES
#undef CD_NV
#undef CD_R
#undef CD_ATTR
#undef CD_NAME
#undef CD_FWD
#undef CD_WGRAD

#if defined(__x86_64__) || defined(__i386__)
// AVX2: 6 x 2 ymm accumulators (the 6x16 sgemm tile), 2 weight vectors, 1 broadcast.
typedef float cd_v8 __attribute__((ext_vector_type(8)));
#define CD_VEC cd_v8
#define CD_LANES 8
#define CD_NV 2
#define CD_R 6
#define CD_ATTR __attribute__((target("avx2,fma")))
#define CD_NAME(x) CD_CAT(cd_avx2, x)
#define CD_FWD meta_conv_direct_fwd_avx2
#define CD_WGRAD meta_conv_direct_wgrad_avx2
#include "conv_direct_body.h"
#undef CD_VEC
#undef CD_LANES
#undef CD_NV
#undef CD_R
#undef CD_ATTR
#undef CD_NAME
#undef CD_FWD
#undef CD_WGRAD

// AVX-512: 6 x 4 zmm accumulators (64 channels), 4 weight vectors, 1 broadcast.
typedef float cd_v16 __attribute__((ext_vector_type(16)));
#define CD_VEC cd_v16
#define CD_LANES 16
#define CD_NV 4
#define CD_R 6
#define CD_ATTR __attribute__((target("avx512f,avx2,fma")))
#define CD_NAME(x) CD_CAT(cd_avx512, x)
#define CD_FWD meta_conv_direct_fwd_avx512
#define CD_WGRAD meta_conv_direct_wgrad_avx512
#include "conv_direct_body.h"
#else
// Other architectures: the wider levels are the portable one.
void meta_conv_direct_fwd_avx2(const float *x, const int64_t *xbase, const int64_t *obase, int64_t npos,
                               const int64_t *koff, int64_t k, const float *wt, int64_t ldw,
                               int64_t nout, const float *bias, float *out, int64_t ostride) {
  meta_conv_direct_fwd_generic(x, xbase, obase, npos, koff, k, wt, ldw, nout, bias, out, ostride);
}
void meta_conv_direct_fwd_avx512(const float *x, const int64_t *xbase, const int64_t *obase, int64_t npos,
                                 const int64_t *koff, int64_t k, const float *wt, int64_t ldw,
                                 int64_t nout, const float *bias, float *out, int64_t ostride) {
  meta_conv_direct_fwd_generic(x, xbase, obase, npos, koff, k, wt, ldw, nout, bias, out, ostride);
}
void meta_conv_direct_wgrad_avx2(const float *x, const int64_t *xbase, int64_t npos, const int64_t *koff,
                                 int64_t k, const float *gt, int64_t ldw, float *dwt) {
  meta_conv_direct_wgrad_generic(x, xbase, npos, koff, k, gt, ldw, dwt);
}
void meta_conv_direct_wgrad_avx512(const float *x, const int64_t *xbase, int64_t npos, const int64_t *koff,
                                   int64_t k, const float *gt, int64_t ldw, float *dwt) {
  meta_conv_direct_wgrad_generic(x, xbase, npos, koff, k, gt, ldw, dwt);
}
#endif
