// Moves of short float rows (3–30 floats: one output row of a small
// convolution) as unaligned SIMD loads and stores. At these lengths a
// `memcpy`/`memset` call's dispatch costs more than the move; the loops are
// written so LLVM cannot turn them back into such calls (overlapping final
// vectors instead of a scalar tail loop).

/// `dst[0..<n] = src[0..<n]`; the two must not overlap.
@inline(__always)
func copyRow(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, _ n: Int) {
  let d = UnsafeMutableRawPointer(dst), s = UnsafeRawPointer(src)
  if n >= 8 {
    var i = 0
    while i &+ 8 <= n {
      (d + 4 &* i).storeBytes(of: (s + 4 &* i).loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
      i &+= 8
    }
    // The last 8 floats again, overlapping what was written: same values.
    if i < n {
      let t = 4 &* (n &- 8)
      (d + t).storeBytes(of: (s + t).loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
    }
  } else if n >= 4 {
    d.storeBytes(of: s.loadUnaligned(as: SIMD4<Float>.self), as: SIMD4<Float>.self)
    let t = 4 &* (n &- 4)
    (d + t).storeBytes(of: (s + t).loadUnaligned(as: SIMD4<Float>.self), as: SIMD4<Float>.self)
  } else {
    if n > 0 { dst[0] = src[0] }
    if n > 1 { dst[1] = src[1] }
    if n > 2 { dst[2] = src[2] }
  }
}

/// `dst[0..<n] = 0`.
@inline(__always)
func zeroRow(_ dst: UnsafeMutablePointer<Float>, _ n: Int) {
  let d = UnsafeMutableRawPointer(dst)
  if n >= 8 {
    var i = 0
    while i &+ 8 <= n {
      (d + 4 &* i).storeBytes(of: SIMD8<Float>(), as: SIMD8<Float>.self)
      i &+= 8
    }
    if i < n { (d + 4 &* (n &- 8)).storeBytes(of: SIMD8<Float>(), as: SIMD8<Float>.self) }
  } else if n >= 4 {
    d.storeBytes(of: SIMD4<Float>(), as: SIMD4<Float>.self)
    (d + 4 &* (n &- 4)).storeBytes(of: SIMD4<Float>(), as: SIMD4<Float>.self)
  } else {
    if n > 0 { dst[0] = 0 }
    if n > 1 { dst[1] = 0 }
    if n > 2 { dst[2] = 0 }
  }
}

/// `dst[0..<n] += src[0..<n]`; the two must not overlap.
@inline(__always)
func addRow(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, _ n: Int) {
  let d = UnsafeMutableRawPointer(dst), s = UnsafeRawPointer(src)
  var i = 0
  while i &+ 8 <= n {
    let o = 4 &* i
    let sum = (d + o).loadUnaligned(as: SIMD8<Float>.self) + (s + o).loadUnaligned(as: SIMD8<Float>.self)
    (d + o).storeBytes(of: sum, as: SIMD8<Float>.self)
    i &+= 8
  }
  if i &+ 4 <= n {
    let o = 4 &* i
    let sum = (d + o).loadUnaligned(as: SIMD4<Float>.self) + (s + o).loadUnaligned(as: SIMD4<Float>.self)
    (d + o).storeBytes(of: sum, as: SIMD4<Float>.self)
    i &+= 4
  }
  while i < n {
    dst[i] += src[i]
    i &+= 1
  }
}

/// Copies a `rows x width` block: row `r` from `src + r*srcStride` to
/// `dst + r*dstStride`.
@inline(__always)
func copyBlock(
  _ dst: UnsafeMutablePointer<Float>, _ dstStride: Int, _ src: UnsafePointer<Float>, _ srcStride: Int,
  rows: Int, width: Int
) {
  forEachRow(dst, dstStride, src, srcStride, rows: rows, width: width, copyRow)
}

/// Adds a `rows x width` block: row `r` of `src` (rows `srcStride` apart)
/// onto row `r` of `dst` (rows `dstStride` apart); they must not overlap.
@inline(__always)
func addBlock(
  _ dst: UnsafeMutablePointer<Float>, _ dstStride: Int, _ src: UnsafePointer<Float>, _ srcStride: Int,
  rows: Int, width: Int
) {
  forEachRow(dst, dstStride, src, srcStride, rows: rows, width: width, addRow)
}

/// Runs `move(dstRow, srcRow, width)` over the rows of a block. The narrow
/// widths of small images get their own loops with the width a constant, so
/// each row is a few straight moves.
@inline(__always)
private func forEachRow(
  _ dst: UnsafeMutablePointer<Float>, _ dstStride: Int, _ src: UnsafePointer<Float>, _ srcStride: Int,
  rows: Int, width: Int, _ move: (UnsafeMutablePointer<Float>, UnsafePointer<Float>, Int) -> Void
) {
  @inline(__always)
  func run(_ w: Int) {
    var (d, s) = (dst, src)
    for _ in 0..<rows {
      move(d, s, w)
      d += dstStride
      s += srcStride
    }
  }
  switch width {
  case 1: run(1)
  case 2: run(2)
  case 3: run(3)
  case 4: run(4)
  case 5: run(5)
  case 6: run(6)
  case 7: run(7)
  default: run(width)
  }
}

/// Lays `count` matrices of `rows x cols` (matrix `i` at `src + i*srcStride`,
/// rows `cols` apart) side by side as one `rows x (count*cols)` matrix at
/// `dst`: row `r` of `dst` is row `r` of matrix 0, then of matrix 1, ...
/// Used to turn a group of images' NCHW gradients into one wide operand.
/// Sizes must be non-negative and the buffers large enough (unchecked).
public func gatherBlocks(
  _ src: UnsafePointer<Float>, srcStride: Int, count: Int, rows: Int, cols: Int,
  into dst: UnsafeMutablePointer<Float>
) {
  let width = count * cols
  for i in 0..<count {
    let block = src + i * srcStride
    for r in 0..<rows { copyRow(dst + r * width + i * cols, block + r * cols, cols) }
  }
}

/// The inverse of `gatherBlocks`: splits `src`, a `rows x (count*cols)`
/// matrix, into `count` matrices of `rows x cols` at `dst + i*dstStride`.
/// Sizes must be non-negative and the buffers large enough (unchecked).
public func scatterBlocks(
  _ src: UnsafePointer<Float>, count: Int, rows: Int, cols: Int,
  into dst: UnsafeMutablePointer<Float>, dstStride: Int
) {
  let width = count * cols
  for i in 0..<count {
    let block = dst + i * dstStride
    for r in 0..<rows { copyRow(block + r * cols, src + r * width + i * cols, cols) }
  }
}
