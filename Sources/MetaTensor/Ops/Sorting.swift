/// Sorting along an axis: `sort`, `argsort`, `topk`, for every dtype. Stable
/// (equal elements keep their order, -0 and 0 are equal), with NaN after
/// every number as in NumPy and PyTorch (so first when descending); false
/// before true. Indices are int64 tensors.
extension Tensor {
  /// The values sorted along `axis` and, for each, its index in the input.
  /// The values are differentiable (their gradient scatters back to where
  /// each came from); the indices are a constant.
  public func sort(axis: Int = -1, descending: Bool = false) throws -> (values: Tensor, indices: Tensor) {
    let order = try sortedOrder(axis: axis, descending: descending, keep: nil, op: "sort")
    return (try gatherAlong(order, axis: axis), order)
  }

  /// The indices that sort this tensor along `axis` (see `sort`).
  public func argsort(axis: Int = -1, descending: Bool = false) throws -> Tensor {
    try sortedOrder(axis: axis, descending: descending, keep: nil, op: "argsort")
  }

  /// The `k` largest (or, with `largest: false`, smallest) elements along
  /// `axis`, in sorted order, and their indices.
  public func topk(_ k: Int, axis: Int = -1, largest: Bool = true) throws -> (values: Tensor, indices: Tensor) {
    let order = try sortedOrder(axis: axis, descending: largest, keep: k, op: "topk")
    return (try gatherAlong(order, axis: axis), order)
  }

  /// `gather` along `axis`, treating a 0-d tensor as one element.
  private func gatherAlong(_ indices: Tensor, axis: Int) throws -> Tensor {
    if rank == 0 { return try reshape([1]).gather(indices.reshape([1]), axis: 0).reshape([]) }
    return try gather(indices, axis: axis)
  }

  /// The first `keep` (all when nil) positions of each run along `axis` in
  /// sorted order, shaped as this tensor with that axis' extent `keep`.
  private func sortedOrder(axis: Int, descending: Bool, keep: Int?, op: String) throws -> Tensor {
    if rank == 0 {
      // One element: position 0 (topk's k must be 1).
      guard axis == 0 || axis == -1 else { throw TensorError("\(op): axis \(axis) out of range for a 0-d tensor") }
      guard keep == nil || keep == 1 else {
        throw TensorError("\(op): k = \(keep ?? 0) is out of range for a 0-d tensor (it has one element)")
      }
      return try Tensor(shape: [], elements: [Int64(0)])
    }
    let a = try normalizedAxis(axis, op: op)
    let n = shape[a], k = keep ?? n
    guard k >= 0, k <= n else {
      throw TensorError("\(op): k = \(k) is out of range for axis \(axis) of size \(n)")
    }
    guard n <= Int(UInt32.max) else { throw TensorError("\(op): axis \(axis) has \(n) elements (at most 2^32 - 1)") }
    var order = Array(0..<rank)
    order.remove(at: a)
    order.append(a)
    let moved = try detached().permute(order)
    let rows = moved.isContiguous ? moved : try moved.contiguousCopy()
    var outShape = moved.shape
    outShape[rank - 1] = k
    let runs = n == 0 ? 0 : rows.count / n
    let result = try Tensor.make(outShape, of: Int64.self) { out in
      guard let dst = out.baseAddress, k > 0 else { return }
      if rows.dtype == .float32 {
        let src = UnsafePointer(rows.pointer(Float.self))
        var sorter = RowSorter(capacity: n)
        for r in 0..<runs {
          if k < n / 16 {
            sorter.selectFirst(k, of: src + r &* n, count: n, descending: descending)
          } else {
            sorter.sort(src + r &* n, count: n, descending: descending)
          }
          for j in 0..<k { dst[r &* k &+ j] = Int64(sorter.index(j)) }
        }
        return
      }
      // Other dtypes: 64-bit order-preserving keys, sorted with their positions.
      let keys = rows.sortKeys(descending: descending)
      var pairs: [(UInt64, Int)] = []
      pairs.reserveCapacity(n)
      for r in 0..<runs {
        pairs.removeAll(keepingCapacity: true)
        for i in 0..<n { pairs.append((keys[r &* n &+ i], i)) }
        pairs.sort { $0 < $1 }
        for j in 0..<k { dst[r &* k &+ j] = Int64(pairs[j].1) }
      }
    }
    var inverse = [Int](repeating: 0, count: rank)
    for (i, axis) in order.enumerated() { inverse[axis] = i }
    return try result.permute(inverse)
  }
}

extension Tensor {
  /// For a contiguous float64, int64 or bool tensor, a key per element whose
  /// unsigned order is the elements' order (NaN last, -0 equal to 0), complemented
  /// when `descending`.
  fileprivate func sortKeys(descending: Bool) -> [UInt64] {
    let flip: UInt64 = descending ? ~0 : 0
    switch dtype {
    case .float64:
      return elements(as: Double.self).map { x in
        let v: Double = x.isNaN ? .nan : (x == 0 ? 0 : x)
        let bits = v.bitPattern
        return (bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63)) ^ flip
      }
    case .int64: return elements(as: Int64.self).map { (UInt64(bitPattern: $0) ^ (1 << 63)) ^ flip }
    default: return elements(as: Bool.self).map { ($0 ? 1 : 0) ^ flip }
    }
  }
}

/// Stable sorting of float rows by key: an LSD radix sort on the keys'
/// 32-bit images (four passes of 8 bits) for long rows, a comparison sort
/// of (key, index) pairs for short ones. Buffers are reused across rows.
private struct RowSorter {
  private var keys: [UInt32], indices: [UInt32], spareKeys: [UInt32], spareIndices: [UInt32]
  private var pairs: [UInt64]
  private var useRadix = false

  init(capacity n: Int) {
    keys = [UInt32](repeating: 0, count: n)
    indices = keys; spareKeys = keys; spareIndices = keys
    pairs = []
  }

  /// Position `j` of the last sorted row.
  func index(_ j: Int) -> Int { useRadix ? Int(indices[j]) : Int(pairs[j] & 0xFFFF_FFFF) }

  /// An unsigned key whose order is the floats' order: NaN last, -0 equal to 0.
  @inline(__always)
  static func key(_ x: Float, descending: Bool) -> UInt32 {
    let v: Float = x.isNaN ? .nan : (x == 0 ? 0 : x)
    let bits = v.bitPattern
    let ordered = bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
    return descending ? ~ordered : ordered
  }

  /// The first `k` positions of the row in sorted order (small `k`): one pass
  /// keeping the `k` least (key, index) pairs in a max-heap, then sorting them.
  mutating func selectFirst(_ k: Int, of row: UnsafePointer<Float>, count n: Int, descending: Bool) {
    useRadix = false
    pairs.removeAll(keepingCapacity: true)
    guard k > 0 else { return }
    for i in 0..<n {
      let pair = UInt64(Self.key(row[i], descending: descending)) << 32 | UInt64(i)
      if pairs.count < k {
        pairs.append(pair)
        var c = pairs.count - 1
        while c > 0 && pairs[(c - 1) / 2] < pairs[c] { pairs.swapAt(c, (c - 1) / 2); c = (c - 1) / 2 }
      } else if pair < pairs[0] {
        pairs[0] = pair
        var p = 0
        while true {
          let l = 2 * p + 1, r = l + 1
          var largest = p
          if l < k && pairs[l] > pairs[largest] { largest = l }
          if r < k && pairs[r] > pairs[largest] { largest = r }
          if largest == p { break }
          pairs.swapAt(p, largest)
          p = largest
        }
      }
    }
    pairs.sort()
  }

  mutating func sort(_ row: UnsafePointer<Float>, count n: Int, descending: Bool) {
    useRadix = n > 256
    if !useRadix {
      pairs.removeAll(keepingCapacity: true)
      for i in 0..<n { pairs.append(UInt64(Self.key(row[i], descending: descending)) << 32 | UInt64(i)) }
      pairs.sort()
      return
    }
    for i in 0..<n {
      keys[i] = Self.key(row[i], descending: descending)
      indices[i] = UInt32(i)
    }
    for shift in stride(from: 0, to: 32, by: 8) {
      var counts = [Int](repeating: 0, count: 257)
      for i in 0..<n { counts[Int((keys[i] >> UInt32(shift)) & 0xFF) + 1] += 1 }
      if counts[1...].contains(n) { continue }  // every key has this byte: nothing moves
      for b in 1..<257 { counts[b] += counts[b - 1] }
      for i in 0..<n {
        let bucket = Int((keys[i] >> UInt32(shift)) & 0xFF)
        let to = counts[bucket]
        counts[bucket] = to + 1
        spareKeys[to] = keys[i]
        spareIndices[to] = indices[i]
      }
      swap(&keys, &spareKeys)
      swap(&indices, &spareIndices)
    }
  }
}
