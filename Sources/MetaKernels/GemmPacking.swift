// Packing of A and B blocks into the micro-kernel's panel layout. Transposes
// are absorbed here: each case reads its source in the direction that is
// contiguous in memory, so no transposed copy of a whole matrix is ever made.

/// Packs the `mc x kc` block of op(A) whose top-left element is `a` into
/// `mr`-row panels: panel q holds rows `q*mr ..< q*mr+mr` as `kc` groups of
/// `mr` floats, zero padded to a full panel.
/// `a` points at op(A)(0, 0) of the block; op(A)(i, p) is `a[i*lda + p]`, or
/// `a[p*lda + i]` when `trans`.
@inline(__always)
func packA(
  trans: Bool, a: UnsafePointer<Float>, lda: Int, mc: Int, kc: Int, mr: Int,
  into dst: UnsafeMutablePointer<Float>
) {
  var i0 = 0
  var panel = dst
  while i0 < mc {
    let rows = min(mr, mc - i0)
    if trans {
      // Column p of op(A) is row p of the stored matrix: `rows` contiguous floats.
      for p in 0..<kc {
        let src = a + p * lda + i0
        let out = panel + p * mr
        copyFloats(out, src, rows)
      }
      if rows < mr { zeroLanes(rows..<mr, kc: kc, stride: mr, in: panel) }
    } else {
      // Row i of op(A) is contiguous; it becomes lane i of the panel.
      interleaveRows(a + i0 * lda, ld: lda, rows: rows, kc: kc, stride: mr, into: panel)
      if rows < mr { zeroLanes(rows..<mr, kc: kc, stride: mr, in: panel) }
    }
    panel += mr * kc
    i0 += mr
  }
}

/// Packs the `kc x nc` block of op(B) whose top-left element is `b` into
/// `nr`-column panels: panel q holds columns `q*nr ..< q*nr+nr` as `kc` groups
/// of `nr` floats, zero padded. op(B)(p, j) is `b[p*ldb + j]`, or `b[j*ldb + p]`
/// when `trans`.
@inline(__always)
func packB(
  trans: Bool, b: UnsafePointer<Float>, ldb: Int, kc: Int, nc: Int, nr: Int,
  into dst: UnsafeMutablePointer<Float>
) {
  var j0 = 0
  var panel = dst
  while j0 < nc {
    let cols = min(nr, nc - j0)
    if trans {
      // Column j of op(B) is row j of the stored matrix; it becomes lane j.
      interleaveRows(b + j0 * ldb, ld: ldb, rows: cols, kc: kc, stride: nr, into: panel)
      if cols < nr { zeroLanes(cols..<nr, kc: kc, stride: nr, in: panel) }
    } else {
      for p in 0..<kc {
        let out = panel + p * nr
        copyFloats(out, b + p * ldb + j0, cols)
      }
      if cols < nr { zeroLanes(cols..<nr, kc: kc, stride: nr, in: panel) }
    }
    panel += nr * kc
    j0 += nr
  }
}

/// Copies `count` floats. The packed paths copy one panel row (6, 12, 16 or 32
/// floats) per call, too short for `memmove`'s call and dispatch to pay off, so
/// those widths are moved as unaligned SIMD values.
@inline(__always)
private func copyFloats(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, _ count: Int) {
  let d = UnsafeMutableRawPointer(dst), s = UnsafeRawPointer(src)
  switch count {
  case 16:
    d.storeBytes(of: s.loadUnaligned(as: SIMD16<Float>.self), as: SIMD16<Float>.self)
  case 32:
    d.storeBytes(of: s.loadUnaligned(as: SIMD16<Float>.self), as: SIMD16<Float>.self)
    (d + 64).storeBytes(of: (s + 64).loadUnaligned(as: SIMD16<Float>.self), as: SIMD16<Float>.self)
  case 12:
    d.storeBytes(of: s.loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
    (d + 32).storeBytes(of: (s + 32).loadUnaligned(as: SIMD4<Float>.self), as: SIMD4<Float>.self)
  case 6:
    d.storeBytes(of: s.loadUnaligned(as: SIMD4<Float>.self), as: SIMD4<Float>.self)
    (d + 16).storeBytes(of: (s + 16).loadUnaligned(as: SIMD2<Float>.self), as: SIMD2<Float>.self)
  default:
    dst.update(from: src, count: count)
  }
}

/// Writes element `p` of source row `r` (rows `ld` apart) to `dst[p*stride + r]`
/// for `r < rows`, `p < kc`: the transposing half of packing. Four rows by four
/// columns at a time, as a 4x4 register transpose, so both the loads and the
/// stores are 16-byte vectors instead of single floats.
@inline(__always)
private func interleaveRows(
  _ src: UnsafePointer<Float>, ld: Int, rows: Int, kc: Int, stride: Int,
  into dst: UnsafeMutablePointer<Float>
) {
  var r = 0
  while r + 4 <= rows {
    let s0 = UnsafeRawPointer(src + r * ld), s1 = UnsafeRawPointer(src + (r + 1) * ld)
    let s2 = UnsafeRawPointer(src + (r + 2) * ld), s3 = UnsafeRawPointer(src + (r + 3) * ld)
    var p = 0
    while p + 4 <= kc {
      let o = 4 &* p
      let v0 = s0.loadUnaligned(fromByteOffset: o, as: SIMD4<Float>.self)
      let v1 = s1.loadUnaligned(fromByteOffset: o, as: SIMD4<Float>.self)
      let v2 = s2.loadUnaligned(fromByteOffset: o, as: SIMD4<Float>.self)
      let v3 = s3.loadUnaligned(fromByteOffset: o, as: SIMD4<Float>.self)
      let out = UnsafeMutableRawPointer(dst + (p &* stride &+ r))
      let step = 4 &* stride
      out.storeBytes(of: SIMD4(v0[0], v1[0], v2[0], v3[0]), as: SIMD4<Float>.self)
      (out + step).storeBytes(of: SIMD4(v0[1], v1[1], v2[1], v3[1]), as: SIMD4<Float>.self)
      (out + 2 * step).storeBytes(of: SIMD4(v0[2], v1[2], v2[2], v3[2]), as: SIMD4<Float>.self)
      (out + 3 * step).storeBytes(of: SIMD4(v0[3], v1[3], v2[3], v3[3]), as: SIMD4<Float>.self)
      p += 4
    }
    for q in p..<kc {
      let out = dst + q * stride + r
      out[0] = src[r * ld + q]
      out[1] = src[(r + 1) * ld + q]
      out[2] = src[(r + 2) * ld + q]
      out[3] = src[(r + 3) * ld + q]
    }
    r += 4
  }
  while r < rows {
    let row = src + r * ld
    var out = dst + r
    for p in 0..<kc {
      out.pointee = row[p]
      out += stride
    }
    r += 1
  }
}

/// Zeroes lanes `lanes` of every packed step (the padding of an edge panel).
/// Lane-major with a stride, so it stays a plain store loop rather than a
/// `memset` call per step for a handful of floats.
@inline(__always)
private func zeroLanes(_ lanes: Range<Int>, kc: Int, stride: Int, in panel: UnsafeMutablePointer<Float>) {
  for lane in lanes {
    var out = panel + lane
    for _ in 0..<kc {
      out.pointee = 0
      out += stride
    }
  }
}
