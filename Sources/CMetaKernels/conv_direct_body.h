// Body of the direct convolution kernels (conv_direct.c), included once per
// instruction-set level with these macros defined:
//   CD_VEC     vector type (clang ext_vector_type) of CD_LANES floats
//   CD_LANES   floats per vector (16 divides every `ldw`, so any level fits)
//   CD_NV      vectors of output channels per register tile
//   CD_R       positions (forward) or kernel rows (weight gradient) per tile
//   CD_ATTR    function attributes (target)
//   CD_FWD, CD_WGRAD  the exported names
// Accumulators: CD_R x CD_NV vectors, plus CD_NV weight vectors and one
// broadcast, sized per level to fit the register file without spills.

// Unaligned vector load and store (memcpy compiles to one vmovups).
CD_ATTR static inline __attribute__((always_inline)) CD_VEC CD_NAME(load)(const float *p) {
  CD_VEC v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}

CD_ATTR static inline __attribute__((always_inline)) void CD_NAME(store)(float *p, CD_VEC v) {
  __builtin_memcpy(p, &v, sizeof v);
}

// One forward tile: `nv` (constant after inlining) vectors of channels
// starting at `o0`, for the positions whose input windows start at xs[r].
CD_ATTR static inline __attribute__((always_inline)) void CD_NAME(fwd_tile)(
    const int nv, const float *const *xs, int64_t rows, const int64_t *koff, int64_t k,
    const float *wt, int64_t ldw, int64_t o0, int64_t nout, const float *bias,
    float *out, const int64_t *obase, int64_t ostride) {
  CD_VEC acc[CD_R][CD_NV];
  for (int v = 0; v < nv; ++v) {
    CD_VEC b = (CD_VEC)0.0f;
    if (bias) {
      float t[CD_LANES];
      for (int l = 0; l < CD_LANES; ++l) {
        int64_t o = o0 + v * CD_LANES + l;
        t[l] = o < nout ? bias[o] : 0.0f;
      }
      b = CD_NAME(load)(t);
    }
    for (int r = 0; r < CD_R; ++r) acc[r][v] = b;
  }
  const float *w = wt + o0;
  for (int64_t p = 0; p < k; ++p) {
    CD_VEC wv[CD_NV];
    for (int v = 0; v < nv; ++v) wv[v] = CD_NAME(load)(w + v * CD_LANES);
    int64_t off = koff[p];
    for (int r = 0; r < CD_R; ++r) {
      CD_VEC x = (CD_VEC)(xs[r][off]);
      for (int v = 0; v < nv; ++v) acc[r][v] = acc[r][v] + x * wv[v];
    }
    w += ldw;
  }
  int64_t live = nout - o0 < nv * CD_LANES ? nout - o0 : nv * CD_LANES;
  for (int64_t r = 0; r < rows; ++r) {
    float t[CD_NV * CD_LANES];
    for (int v = 0; v < nv; ++v) CD_NAME(store)(t + v * CD_LANES, acc[r][v]);
    float *dst = out + obase[r] + o0 * ostride;
    for (int64_t o = 0; o < live; ++o) dst[o * ostride] = t[o];
  }
}

CD_ATTR void CD_FWD(const float *x, const int64_t *xbase, const int64_t *obase, int64_t npos,
                    const int64_t *koff, int64_t k, const float *wt, int64_t ldw, int64_t nout,
                    const float *bias, float *out, int64_t ostride) {
  for (int64_t q = 0; q < npos; q += CD_R) {
    int64_t rows = npos - q < CD_R ? npos - q : CD_R;
    // Missing positions of the last tile repeat the last one (computed, not stored).
    const float *xs[CD_R];
    for (int r = 0; r < CD_R; ++r) xs[r] = x + xbase[q + (r < rows ? r : rows - 1)];
    for (int64_t o0 = 0; o0 < nout; o0 += CD_NV * CD_LANES) {
      int64_t left = (nout - o0 + CD_LANES - 1) / CD_LANES;
      int nv = left < CD_NV ? (int)left : CD_NV;
      switch (nv) {
#if CD_NV >= 4
        case 4: CD_NAME(fwd_tile)(4, xs, rows, koff, k, wt, ldw, o0, nout, bias, out, obase + q, ostride); break;
#endif
#if CD_NV >= 3
        case 3: CD_NAME(fwd_tile)(3, xs, rows, koff, k, wt, ldw, o0, nout, bias, out, obase + q, ostride); break;
#endif
        case 2: CD_NAME(fwd_tile)(2, xs, rows, koff, k, wt, ldw, o0, nout, bias, out, obase + q, ostride); break;
        default: CD_NAME(fwd_tile)(1, xs, rows, koff, k, wt, ldw, o0, nout, bias, out, obase + q, ostride); break;
      }
    }
  }
}

// One weight-gradient tile: kernel rows p0 ..< p0+rows, `nv` vectors of
// channels from `o0`, summed over all positions in order.
CD_ATTR static inline __attribute__((always_inline)) void CD_NAME(wgrad_tile)(
    const int nv, const float *x, const int64_t *xbase, int64_t npos, const int64_t *koff,
    int64_t p0, int64_t rows, const float *gt, int64_t ldw, int64_t o0, float *dwt) {
  int64_t off[CD_R];
  for (int r = 0; r < CD_R; ++r) off[r] = koff[p0 + (r < rows ? r : rows - 1)];
  CD_VEC acc[CD_R][CD_NV];
  for (int r = 0; r < CD_R; ++r)
    for (int v = 0; v < nv; ++v) acc[r][v] = (CD_VEC)0.0f;
  const float *g = gt + o0;
  for (int64_t q = 0; q < npos; ++q) {
    CD_VEC gv[CD_NV];
    for (int v = 0; v < nv; ++v) gv[v] = CD_NAME(load)(g + v * CD_LANES);
    const float *xq = x + xbase[q];
    for (int r = 0; r < CD_R; ++r) {
      CD_VEC xv = (CD_VEC)(xq[off[r]]);
      for (int v = 0; v < nv; ++v) acc[r][v] = acc[r][v] + xv * gv[v];
    }
    g += ldw;
  }
  for (int64_t r = 0; r < rows; ++r) {
    float *d = dwt + (p0 + r) * ldw + o0;
    for (int v = 0; v < nv; ++v) CD_NAME(store)(d + v * CD_LANES, CD_NAME(load)(d + v * CD_LANES) + acc[r][v]);
  }
}

CD_ATTR void CD_WGRAD(const float *x, const int64_t *xbase, int64_t npos, const int64_t *koff,
                      int64_t k, const float *gt, int64_t ldw, float *dwt) {
  for (int64_t o0 = 0; o0 < ldw; o0 += CD_NV * CD_LANES) {
    int64_t left = (ldw - o0) / CD_LANES;
    int nv = left < CD_NV ? (int)left : CD_NV;
    for (int64_t p0 = 0; p0 < k; p0 += CD_R) {
      int64_t rows = k - p0 < CD_R ? k - p0 : CD_R;
      switch (nv) {
#if CD_NV >= 4
        case 4: CD_NAME(wgrad_tile)(4, x, xbase, npos, koff, p0, rows, gt, ldw, o0, dwt); break;
#endif
#if CD_NV >= 3
        case 3: CD_NAME(wgrad_tile)(3, x, xbase, npos, koff, p0, rows, gt, ldw, o0, dwt); break;
#endif
        case 2: CD_NAME(wgrad_tile)(2, x, xbase, npos, koff, p0, rows, gt, ldw, o0, dwt); break;
        default: CD_NAME(wgrad_tile)(1, x, xbase, npos, koff, p0, rows, gt, ldw, o0, dwt); break;
      }
    }
  }
}
