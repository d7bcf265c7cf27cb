// Low-level float32 kernels for MetaKernels.
//
// Every SIMD entry point has a portable twin; `meta_cpu_level()` tells the
// caller which ones it may run. The SIMD bodies are compiled with per-function
// `target` attributes (no global -mavx2), so the library loads and runs on any
// x86-64 (or non-x86) CPU and only calls AVX2/AVX-512 code after a run-time check.
#ifndef CMETAKERNELS_H
#define CMETAKERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Instruction-set levels, in increasing order of capability.
enum {
  META_CPU_GENERIC = 0,
  META_CPU_AVX2_FMA = 1,
  META_CPU_AVX512 = 2,
};

/// The best level this CPU and OS support (checks OS-saved YMM/ZMM state too).
int meta_cpu_level(void);
/// The CPUs in this process's affinity mask (taskset, cpusets, MPI core binding); 0 if unknown.
int meta_affinity_cores(void);

/// Spin-wait hint (x86 `pause`): lets a sibling hyperthread run and saves power
/// while a thread polls for work.
static inline void meta_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

// ---------------------------------------------------------------------------
// Packed micro-kernels (BLIS style).
//
// Compute one MR x NR tile: C[0..mr, 0..nr) = alpha * Ap * Bp + beta * C, where
// Ap is kc groups of MR consecutive floats (one column of an MR-row panel per
// step) and Bp is kc groups of NR consecutive floats. Panels are zero padded to
// full MR / NR, so only the store honours mr <= MR, nr <= NR. When beta == 0, C
// is not read (NaN/Inf in C do not leak through), as in BLAS.
// ---------------------------------------------------------------------------

#define META_AVX2_MR 6
#define META_AVX2_NR 16
#define META_AVX512_MR 12
#define META_AVX512_NR 32

void meta_sgemm_ukernel_avx2_6x16(int64_t kc, const float *a, const float *b, float *c,
                                  int64_t ldc, float alpha, float beta, int64_t mr, int64_t nr);
void meta_sgemm_ukernel_generic_6x16(int64_t kc, const float *a, const float *b, float *c,
                                     int64_t ldc, float alpha, float beta, int64_t mr, int64_t nr);
void meta_sgemm_ukernel_avx512_12x32(int64_t kc, const float *a, const float *b, float *c,
                                     int64_t ldc, float alpha, float beta, int64_t mr, int64_t nr);

// ---------------------------------------------------------------------------
// Direct (unpacked) kernels for small products, where packing costs more than it saves.
// ---------------------------------------------------------------------------

/// C = alpha * A * B + beta * C with B row-contiguous along n (element (p, j) at
/// b[p * ldb + j]); A and C take general strides: A(i, p) = a[i * rsa + p * csa],
/// C(i, j) = c[i * rsc + j * csc]. Covers A and A^T with plain B, and (by
/// transposing the whole product) A^T * B^T.
void meta_sgemm_small_nn_avx2(int64_t m, int64_t n, int64_t k, float alpha,
                              const float *a, int64_t rsa, int64_t csa,
                              const float *b, int64_t ldb, float beta,
                              float *c, int64_t rsc, int64_t csc);
void meta_sgemm_small_nn_generic(int64_t m, int64_t n, int64_t k, float alpha,
                                 const float *a, int64_t rsa, int64_t csa,
                                 const float *b, int64_t ldb, float beta,
                                 float *c, int64_t rsc, int64_t csc);
void meta_sgemm_small_nn_avx512(int64_t m, int64_t n, int64_t k, float alpha,
                                const float *a, int64_t rsa, int64_t csa,
                                const float *b, int64_t ldb, float beta,
                                float *c, int64_t rsc, int64_t csc);

/// C = alpha * A * B^T + beta * C where both A (m x k) and the stored B (n x k)
/// are row-contiguous along k: each C element is a dot product of two rows.
void meta_sgemm_small_nt_avx2(int64_t m, int64_t n, int64_t k, float alpha,
                              const float *a, int64_t lda, const float *b, int64_t ldb,
                              float beta, float *c, int64_t ldc);
void meta_sgemm_small_nt_generic(int64_t m, int64_t n, int64_t k, float alpha,
                                 const float *a, int64_t lda, const float *b, int64_t ldb,
                                 float beta, float *c, int64_t ldc);

// ---------------------------------------------------------------------------
// Element-wise float32 functions (vmath.c): y[i] = f(x[i]) for i < n; x and y
// must not overlap. A few ULP from the exact result; IEEE limits for
// +-inf, NaN, +-0 and subnormals. `_avx2` needs META_CPU_AVX2_FMA or better,
// `_avx512` needs META_CPU_AVX512.
// ---------------------------------------------------------------------------

void meta_vexp_avx512(const float *x, float *y, int64_t n);
void meta_vexp_avx2(const float *x, float *y, int64_t n);
void meta_vexp_generic(const float *x, float *y, int64_t n);
void meta_vlog_avx512(const float *x, float *y, int64_t n);
void meta_vlog_avx2(const float *x, float *y, int64_t n);
void meta_vlog_generic(const float *x, float *y, int64_t n);
void meta_vtanh_avx512(const float *x, float *y, int64_t n);
void meta_vtanh_avx2(const float *x, float *y, int64_t n);
void meta_vtanh_generic(const float *x, float *y, int64_t n);
void meta_vsigmoid_avx512(const float *x, float *y, int64_t n);
void meta_vsigmoid_avx2(const float *x, float *y, int64_t n);
void meta_vsigmoid_generic(const float *x, float *y, int64_t n);

// ---------------------------------------------------------------------------
// The op set's element-wise functions and reductions (vmath_more.c), each in
// `_avx512`, `_avx2` and `_generic` forms as above. Element-wise: y[i] =
// f(x[i]) (or f(a[i], b[i])), buffers not overlapping; a few ULP from the
// exact result, IEEE limits for +-inf, NaN, +-0. Reductions of x[0..<n]: sums accumulate per lane
// over blocks of 1024 and in double across blocks; rmaxabs is NaN if any
// element is.
// ---------------------------------------------------------------------------

#define META_VUNARY_DECL(name) \
  void meta_v##name##_avx512(const float *x, float *y, int64_t n); \
  void meta_v##name##_avx2(const float *x, float *y, int64_t n); \
  void meta_v##name##_generic(const float *x, float *y, int64_t n);
META_VUNARY_DECL(log1p)
META_VUNARY_DECL(expm1)
META_VUNARY_DECL(erf)
META_VUNARY_DECL(gelu)
META_VUNARY_DECL(gelu_tanh)
META_VUNARY_DECL(silu)
#undef META_VUNARY_DECL

#define META_VBINARY_DECL(name) \
  void meta_v##name##_avx512(const float *a, const float *b, float *y, int64_t n); \
  void meta_v##name##_avx2(const float *a, const float *b, float *y, int64_t n); \
  void meta_v##name##_generic(const float *a, const float *b, float *y, int64_t n);
/// atan2(a[i], b[i]) (a is y, b is x).
META_VBINARY_DECL(atan2)
/// The larger (smaller) of a[i] and b[i]; NaN if either is.
META_VBINARY_DECL(maximum)
META_VBINARY_DECL(minimum)
#undef META_VBINARY_DECL

/// log(1 + e^(beta x)) / beta, or x where beta x > threshold.
/// y[i] = 1 where x[i] is NaN (test 0), +-inf (test 1) or finite (test 2), else 0.
void meta_vclassify_avx512(const float *x, unsigned char *y, int64_t n, int32_t test);
void meta_vclassify_avx2(const float *x, unsigned char *y, int64_t n, int32_t test);
void meta_vclassify_generic(const float *x, unsigned char *y, int64_t n, int32_t test);
void meta_vsoftplus_avx512(const float *x, float *y, int64_t n, float beta, float threshold);
void meta_vsoftplus_avx2(const float *x, float *y, int64_t n, float beta, float threshold);
void meta_vsoftplus_generic(const float *x, float *y, int64_t n, float beta, float threshold);
/// x where x > 0, else alpha (e^x - 1).
void meta_velu_avx512(const float *x, float *y, int64_t n, float alpha);
void meta_velu_avx2(const float *x, float *y, int64_t n, float alpha);
void meta_velu_generic(const float *x, float *y, int64_t n, float alpha);

/// Sum, sum of squares, sum of (x - mean)^2, product, largest |x|.
double meta_rsum_avx512(const float *x, int64_t n);
double meta_rsum_avx2(const float *x, int64_t n);
double meta_rsum_generic(const float *x, int64_t n);
double meta_rsumsq_avx512(const float *x, int64_t n);
double meta_rsumsq_avx2(const float *x, int64_t n);
double meta_rsumsq_generic(const float *x, int64_t n);
double meta_rsumsqdev_avx512(const float *x, int64_t n, float mean);
double meta_rsumsqdev_avx2(const float *x, int64_t n, float mean);
double meta_rsumsqdev_generic(const float *x, int64_t n, float mean);
float meta_rprod_avx512(const float *x, int64_t n);
float meta_rprod_avx2(const float *x, int64_t n);
float meta_rprod_generic(const float *x, int64_t n);
float meta_rmaxabs_avx512(const float *x, int64_t n);
float meta_rmaxabs_avx2(const float *x, int64_t n);
float meta_rmaxabs_generic(const float *x, int64_t n);
/// Columns of a rows x cols row-major block x: out[j] = product / largest
/// |x| of column j; caccum adds sum over rows of (x - center[j])^2 (x^2 when
/// center is NULL; x itself when square is 0) into acc[j].
void meta_cprod_avx512(const float *x, int64_t rows, int64_t cols, float *out);
void meta_cprod_avx2(const float *x, int64_t rows, int64_t cols, float *out);
void meta_cprod_generic(const float *x, int64_t rows, int64_t cols, float *out);
void meta_cmaxabs_avx512(const float *x, int64_t rows, int64_t cols, float *out);
void meta_cmaxabs_avx2(const float *x, int64_t rows, int64_t cols, float *out);
void meta_cmaxabs_generic(const float *x, int64_t rows, int64_t cols, float *out);
void meta_caccum_avx512(const float *x, int64_t rows, int64_t cols, const float *center, int square, float *acc);
void meta_caccum_avx2(const float *x, int64_t rows, int64_t cols, const float *center, int square, float *acc);
void meta_caccum_generic(const float *x, int64_t rows, int64_t cols, const float *center, int square, float *acc);

// ---------------------------------------------------------------------------
// Pooling.

/// 2x2 max pooling at stride 2 of one `height x width` plane (`height/2 x
/// width/2` outputs): each output the window's largest input (the first on
/// ties; the first NaN if any), `idx` its flat position `ih*width + iw`.
/// `height*width` must fit in int32_t.
void meta_maxpool2x2_plane(const float *x, int64_t height, int64_t width,
                           float *out, int32_t *idx);

// ---------------------------------------------------------------------------
// Direct convolution over a zero-padded input (conv_direct.c). Kernel row p
// of output position q reads x[xbase[q] + koff[p]]. `wt` is the weight matrix
// transposed, [k, ldw] (ldw a multiple of 16, zero past the live channels);
// `gt` likewise holds the output gradient as [npos, ldw]. `_avx2` needs
// META_CPU_AVX2_FMA or better, `_avx512` needs META_CPU_AVX512.
// ---------------------------------------------------------------------------

/// out[obase[q] + o*ostride] = bias[o] (0 when bias is NULL)
///   + sum over p < k of wt[p*ldw + o] * x[xbase[q] + koff[p]], for q < npos, o < nout.
void meta_conv_direct_fwd_avx512(const float *x, const int64_t *xbase, const int64_t *obase, int64_t npos,
                                 const int64_t *koff, int64_t k, const float *wt, int64_t ldw,
                                 int64_t nout, const float *bias, float *out, int64_t ostride);
void meta_conv_direct_fwd_avx2(const float *x, const int64_t *xbase, const int64_t *obase, int64_t npos,
                               const int64_t *koff, int64_t k, const float *wt, int64_t ldw,
                               int64_t nout, const float *bias, float *out, int64_t ostride);
void meta_conv_direct_fwd_generic(const float *x, const int64_t *xbase, const int64_t *obase, int64_t npos,
                                  const int64_t *koff, int64_t k, const float *wt, int64_t ldw,
                                  int64_t nout, const float *bias, float *out, int64_t ostride);
/// dwt[p*ldw + o] += sum over q < npos (in order) of x[xbase[q] + koff[p]] * gt[q*ldw + o],
/// for p < k, o < ldw.
void meta_conv_direct_wgrad_avx512(const float *x, const int64_t *xbase, int64_t npos, const int64_t *koff,
                                   int64_t k, const float *gt, int64_t ldw, float *dwt);
void meta_conv_direct_wgrad_avx2(const float *x, const int64_t *xbase, int64_t npos, const int64_t *koff,
                                 int64_t k, const float *gt, int64_t ldw, float *dwt);
void meta_conv_direct_wgrad_generic(const float *x, const int64_t *xbase, int64_t npos, const int64_t *koff,
                                    int64_t k, const float *gt, int64_t ldw, float *dwt);

// ---------------------------------------------------------------------------
// Layout.

/// dst[c*dst_stride + r] = src[r*src_stride + c] for r < rows, c < cols, in
/// 4x4 vector blocks. dst_stride may be negative (reversing the column order);
/// the two regions must not overlap.
void meta_transpose_f32(const float *src, int64_t rows, int64_t cols, int64_t src_stride,
                        float *dst, int64_t dst_stride);

#ifdef __cplusplus
}
#endif

#endif
