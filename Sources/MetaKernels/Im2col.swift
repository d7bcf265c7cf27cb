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
  let taps = TapRanges(g)
  let (outW, count) = (g.outW, g.columnCount)
  forEachPlane(g, threads: threads) { c in
    let plane = input + c &* g.planeSize
    for ki in 0..<g.kernelH {
      let rows = taps.rows[ki]
      for kj in 0..<g.kernelW {
        let dst = columns + ((c &* g.kernelH &+ ki) &* g.kernelW &+ kj) &* ld
        let valid = taps.columns[kj]
        guard !valid.isEmpty, !rows.isEmpty else {
          zeroRow(dst, count)  // the tap reads only padding
          continue
        }
        // Output rows reading padding rows are zero in one run each; inside
        // rows get zeros only at the padding columns, so nothing is written twice.
        zeroRow(dst, rows.lowerBound &* outW)
        zeroRow(dst + rows.upperBound &* outW, count &- rows.upperBound &* outW)
        if valid.count < outW {
          let right = outW &- valid.upperBound
          var edge = dst + rows.lowerBound &* outW
          for _ in 0..<rows.count {
            zeroRow(edge, valid.lowerBound)
            zeroRow(edge + valid.upperBound, right)
            edge += outW
          }
        }
        let out = dst + (rows.lowerBound &* outW &+ valid.lowerBound)
        let src = plane + (taps.firstInputRow(rows, ki, g) &* g.width &+ taps.shifts[kj])
        if g.strideW == 1 {
          copyBlock(out, outW, src, g.strideH &* g.width, rows: rows.count, width: valid.count)
        } else {
          for r in 0..<rows.count {
            var (o, s) = (out + r &* outW, src + r &* g.strideH &* g.width)
            for _ in 0..<valid.count {
              o.pointee = s.pointee
              o += 1
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
  let taps = TapRanges(g)
  let outW = g.outW
  forEachPlane(g, threads: threads) { c in
    let plane = input + c &* g.planeSize
    for ki in 0..<g.kernelH {
      let rows = taps.rows[ki]
      for kj in 0..<g.kernelW {
        let valid = taps.columns[kj]
        guard !valid.isEmpty, !rows.isEmpty else { continue }
        let tap = (c &* g.kernelH &+ ki) &* g.kernelW &+ kj
        let col = columns + (tap &* ld &+ rows.lowerBound &* outW &+ valid.lowerBound)
        let base = plane + (taps.firstInputRow(rows, ki, g) &* g.width &+ taps.shifts[kj])
        if g.strideW == 1 {
          addBlock(base, g.strideH &* g.width, col, outW, rows: rows.count, width: valid.count)
        } else {
          for r in 0..<rows.count {
            var (d, s) = (base + r &* g.strideH &* g.width, col + r &* outW)
            for _ in 0..<valid.count {
              d.pointee += s.pointee
              d += g.strideW
              s += 1
            }
          }
        }
      }
    }
  }
}

/// Per kernel tap, the output rows and columns that read inside the image,
/// computed once per call: the divisions behind them cost more than a whole
/// 3-float row move when redone for every tap of every plane.
private struct TapRanges {
  /// `rows[ki]`: the output rows of kernel row `ki` that read an input row.
  let rows: [Range<Int>]
  /// `columns[kj]`: likewise for kernel column `kj`.
  let columns: [Range<Int>]
  /// `shifts[kj]`: the input column read by output column `columns[kj].lowerBound`.
  let shifts: [Int]

  init(_ g: WindowGeometry) {
    rows = (0..<g.kernelH).map { validRows(g, offset: $0 * g.dilationH) }
    let columns = (0..<g.kernelW).map { g.validColumns(offset: $0 * g.dilationW) }
    self.columns = columns
    shifts = (0..<g.kernelW).map { columns[$0].lowerBound * g.strideW - g.padW + $0 * g.dilationW }
  }

  /// The input row read by output row `rows.lowerBound` of kernel row `ki`.
  @inline(__always)
  func firstInputRow(_ rows: Range<Int>, _ ki: Int, _ g: WindowGeometry) -> Int {
    rows.lowerBound &* g.strideH &- g.padH &+ ki &* g.dilationH
  }
}

/// The output rows `oh` whose input row `oh*strideH - padH + offset` lies
/// inside `0..<height`, for a kernel tap at `offset = ki * dilationH`
/// (the row counterpart of `WindowGeometry.validColumns`).
private func validRows(_ g: WindowGeometry, offset: Int) -> Range<Int> {
  let shift = offset - g.padH  // input row of oh = 0
  let lo = shift >= 0 ? 0 : (-shift + g.strideH - 1) / g.strideH
  let last = g.height - 1 - shift  // oh * strideH <= last
  let hi = last < 0 ? 0 : min(g.outH, last / g.strideH + 1)
  return min(lo, g.outH)..<max(min(lo, g.outH), hi)
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
