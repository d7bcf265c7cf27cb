// im2col / col2im for convolution as matrix multiply (NCHW, one image per call).
//
// conv2d(x, w) = w[F, C*kh*kw] @ im2col(x)[C*kh*kw, outH*outW]; its gradient
// with respect to x is col2im(w^T @ dy). col2im is the exact adjoint of im2col:
// <im2col(x), y> == <x, col2im(y)> for all x, y.

/// Unfolds an input `[planes, height, width]` into the matrix
/// `[planes*kernelH*kernelW, outH*outW]`: row `(c*kernelH + i)*kernelW + j`,
/// column `oh*outW + ow` holds `x[c, oh*strideH - padH + i*dilationH,
/// ow*strideW - padW + j*dilationW]`, or 0 where that falls in the padding.
/// `ldColumns` (default `outH*outW`) is the row stride of `columns`, so a batch's
/// columns can sit side by side in one wider matrix for a single large product.
/// `threads > 1` splits the work over channels on `ThreadPool.shared`.
public func im2col(
  _ g: WindowGeometry, input: UnsafePointer<Float>, columns: UnsafeMutablePointer<Float>,
  ldColumns: Int? = nil, threads: Int = 1
) throws(KernelError) {
  let ld = try columnStride(g, ldColumns)
  forEachPlane(g, threads: threads) { c in
    for ki in 0..<g.kernelH {
      for kj in 0..<g.kernelW {
        let dst = columns + ((c * g.kernelH + ki) * g.kernelW + kj) * ld
        let valid = g.validColumns(offset: kj * g.dilationW)
        for oh in 0..<g.outH {
          let out = dst + oh * g.outW
          let ih = oh * g.strideH - g.padH + ki * g.dilationH
          guard ih >= 0, ih < g.height, !valid.isEmpty else {
            out.update(repeating: 0, count: g.outW)
            continue
          }
          out.update(repeating: 0, count: valid.lowerBound)
          (out + valid.upperBound).update(repeating: 0, count: g.outW - valid.upperBound)
          let src = input + c * g.planeSize + ih * g.width
            + valid.lowerBound * g.strideW - g.padW + kj * g.dilationW
          if g.strideW == 1 {
            (out + valid.lowerBound).update(from: src, count: valid.count)
          } else {
            var s = src
            for ow in valid {
              out[ow] = s.pointee
              s += g.strideW
            }
          }
        }
      }
    }
  }
}

/// The adjoint of `im2col`: adds every column entry back onto the input
/// element it was copied from (entries that came from padding are dropped).
/// Accumulates into `input`; zero it first for a plain fold.
public func col2im(
  _ g: WindowGeometry, columns: UnsafePointer<Float>, input: UnsafeMutablePointer<Float>,
  ldColumns: Int? = nil, threads: Int = 1
) throws(KernelError) {
  let ld = try columnStride(g, ldColumns)
  // Each channel writes only its own input plane, so channels can run in parallel.
  forEachPlane(g, threads: threads) { c in
    for ki in 0..<g.kernelH {
      for kj in 0..<g.kernelW {
        let src = columns + ((c * g.kernelH + ki) * g.kernelW + kj) * ld
        let valid = g.validColumns(offset: kj * g.dilationW)
        guard !valid.isEmpty else { continue }
        for oh in 0..<g.outH {
          let ih = oh * g.strideH - g.padH + ki * g.dilationH
          guard ih >= 0, ih < g.height else { continue }
          let col = src + oh * g.outW
          let base = input + c * g.planeSize + ih * g.width
            + valid.lowerBound * g.strideW - g.padW + kj * g.dilationW
          if g.strideW == 1 {
            for ow in valid { base[ow - valid.lowerBound] += col[ow] }
          } else {
            var dst = base
            for ow in valid {
              dst.pointee += col[ow]
              dst += g.strideW
            }
          }
        }
      }
    }
  }
}

private func columnStride(_ g: WindowGeometry, _ ld: Int?) throws(KernelError) -> Int {
  let ld = ld ?? g.columnCount
  guard ld >= g.columnCount else {
    throw .invalidArgument("column stride \(ld) is smaller than outH*outW = \(g.columnCount)")
  }
  guard !ld.multipliedReportingOverflow(by: g.columnRows).overflow else {
    throw .invalidArgument("column stride \(ld) overflows the column buffer size")
  }
  return ld
}

/// Runs `body(c)` for every plane, in parallel when asked and worth it.
func forEachPlane(_ g: WindowGeometry, threads: Int, _ body: (Int) -> Void) {
  // Each plane is at least a few thousand element moves; below ~64K in total
  // a thread wake-up costs more than the copy.
  let work = g.planes * g.kernelH * g.kernelW * g.columnCount
  if threads > 1, g.planes > 1, work >= 1 << 16 {
    ThreadPool.shared.parallelFor(count: g.planes, threads: threads, body: body)
  } else {
    for c in 0..<g.planes { body(c) }
  }
}
