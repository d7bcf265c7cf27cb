/// Shape arithmetic shared by the ops: broadcasting, axis normalisation.

/// NumPy broadcasting of two shapes, or a `TensorError` naming `op`.
func broadcastShapes(_ a: [Int], _ b: [Int], op: String) throws -> [Int] {
  if a == b { return a }
  let rank = max(a.count, b.count)
  try checkRank(rank, op: op)
  var out = [Int](repeating: 1, count: rank)
  for i in 0..<rank {
    let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
    let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
    if da == db || db == 1 {
      out[i] = da
    } else if da == 1 {
      out[i] = db
    } else {
      throw TensorError("\(op): shapes \(shapeText(a)) and \(shapeText(b)) cannot broadcast")
    }
  }
  return out
}

extension Tensor {
  /// Strides that read this tensor as if broadcast to `shape` (0 on broadcast
  /// axes). The caller has checked that the shapes broadcast.
  func broadcastStrides(to target: [Int]) -> [Int] {
    var result = [Int](repeating: 0, count: target.count)
    let lead = target.count - shape.count
    for i in 0..<shape.count where shape[i] != 1 {
      result[lead + i] = strides[i]
    }
    return result
  }

  /// Maps a possibly negative axis into `0..<rank` (or `0...rank` when
  /// `inserting`, for unsqueeze/stack), naming `op` in the error.
  func normalizedAxis(_ axis: Int, op: String, inserting: Bool = false) throws -> Int {
    let limit = inserting ? rank + 1 : rank
    let resolved = axis < 0 ? axis + limit : axis
    guard resolved >= 0, resolved < limit else {
      throw TensorError("\(op): axis \(axis) out of range for a \(rank)-d tensor")
    }
    return resolved
  }

  /// Sorted, de-duplicated axes; nil means all axes.
  func normalizedAxes(_ axes: [Int]?, op: String) throws -> [Int] {
    guard let axes else { return Array(0..<rank) }
    var seen = [Bool](repeating: false, count: rank)
    for axis in axes {
      let a = try normalizedAxis(axis, op: op)
      guard !seen[a] else { throw TensorError("\(op): axis \(axis) repeated") }
      seen[a] = true
    }
    return (0..<rank).filter { seen[$0] }
  }
}

/// An iteration space over up to four operands with the same shape but their
/// own strides, with size-1 axes dropped and adjacent axes merged wherever
/// every operand steps through them as one. Always has at least one axis.
/// Strides live in one flat `[Int]` (4 per axis) and offsets in a `SIMD4<Int>`:
/// nested arrays would cost allocations and generic-metadata lookups per op.
struct Layout {
  private(set) var shape: [Int]
  private(set) var strides: [Int]

  /// `stride(axis)` gives each operand's stride along `axis` of `fullShape`.
  @inline(__always)
  init(shape fullShape: [Int], stride: (Int) -> SIMD4<Int>) {
    var shape: [Int] = []
    var strides: [Int] = []
    shape.reserveCapacity(fullShape.count)
    strides.reserveCapacity(4 * fullShape.count)
    var last = SIMD4<Int>(repeating: 0)
    for axis in 0..<fullShape.count where fullShape[axis] != 1 {
      let n = fullShape[axis], s = stride(axis)
      if !shape.isEmpty && last == s &* n {
        shape[shape.count - 1] *= n
      } else {
        shape.append(n)
        strides += [0, 0, 0, 0]
      }
      let base = strides.count - 4
      for k in 0..<4 { strides[base + k] = s[k] }
      last = s
    }
    if shape.isEmpty {
      shape = [1]
      strides = [0, 0, 0, 0]
    }
    self.shape = shape
    self.strides = strides
  }

  /// Length of the innermost axis (the loop the kernels vectorise).
  var inner: Int { shape[shape.count - 1] }
  /// Innermost stride of operand `k`.
  func innerStride(_ k: Int) -> Int { strides[strides.count - 4 + k] }

  /// Calls `body` once per innermost row with each operand's offset
  /// (starting from `start`).
  @inline(__always)
  func forEachRow(start: SIMD4<Int>, _ body: (SIMD4<Int>) -> Void) {
    let outer = shape.count - 1
    if outer == 0 { body(start); return }
    var offsets = start
    var index = [Int](repeating: 0, count: outer)
    var rows = 1
    for d in 0..<outer { rows *= shape[d] }
    for _ in 0..<rows {
      body(offsets)
      var d = outer - 1
      while d >= 0 {
        let step = SIMD4(strides[4 * d], strides[4 * d + 1], strides[4 * d + 2], strides[4 * d + 3])
        index[d] += 1
        offsets &+= step
        if index[d] < shape[d] { break }
        offsets &-= step &* shape[d]
        index[d] = 0
        d -= 1
      }
    }
  }
}

extension Tensor {
  /// This tensor's stride along `axis` of a broadcast result of rank
  /// `outRank` (0 where this tensor has no such axis or extent 1).
  @inline(__always)
  func broadcastStride(_ axis: Int, rank outRank: Int) -> Int {
    let i = axis - (outRank - rank)
    return i >= 0 && shape[i] != 1 ? strides[i] : 0
  }
}

/// Dense row-major copy of a strided array.
@inline(__always)
func stridedCopy<T>(shape: [Int], from src: UnsafePointer<T>, strides: [Int], to dst: UnsafeMutablePointer<T>) {
  stridedAssign(shape: shape, from: src, strides: strides, to: dst, strides: contiguousStrides(shape))
}

/// Copies a strided array into a strided destination of the same shape.
@inline(__always)
func stridedAssign<T>(shape: [Int], from src: UnsafePointer<T>, strides srcStrides: [Int],
                      to dst: UnsafeMutablePointer<T>, strides dstStrides: [Int]) {
  if shape.contains(0) { return }
  let layout = Layout(shape: shape) { SIMD4(srcStrides[$0], dstStrides[$0], 0, 0) }
  let n = layout.inner, ss = layout.innerStride(0), ds = layout.innerStride(1)
  layout.forEachRow(start: .zero) { o in
    let s = src + o[0], d = dst + o[1]
    if ss == 1 && ds == 1 {
      d.update(from: s, count: n)
    } else {
      for i in 0..<n { d[i &* ds] = s[i &* ss] }
    }
  }
}
