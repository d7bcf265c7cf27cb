/// Reductions over axes (negative allowed, `nil` meaning all), with `keepdims`.
extension Tensor {
  /// Shape after reducing `axes` with `keepdims` semantics (size 1 kept).
  func keptShape(_ axes: [Int]) -> [Int] {
    var s = shape
    for a in axes { s[a] = 1 }
    return s
  }

  func finalShape(_ axes: [Int], keepdims: Bool) -> [Int] {
    keepdims ? keptShape(axes) : shape.indices.filter { !axes.contains($0) }.map { shape[$0] }
  }

  /// The reduction's loop layout: operand 0 is this tensor, operand 1 the
  /// kept-shape output (stride 0 along `axes`). A whole-tensor reduction may
  /// visit elements in any order, so its axes go largest stride first: a
  /// transposed or permuted dense tensor then reads as one contiguous run.
  private func reductionLayout(_ axes: [Int], outShape: [Int]) -> Layout {
    var outStrides = contiguousStrides(outShape)
    for a in axes { outStrides[a] = 0 }
    guard axes.count == rank else { return Layout(shape: shape) { SIMD4(strides[$0], outStrides[$0], 0, 0) } }
    let order = (0..<rank).sorted { strides[$0] > strides[$1] }
    return Layout(shape: order.map { shape[$0] }) { SIMD4(strides[order[$0]], 0, 0, 0) }
  }

  /// Max or min over `axes` into a tensor of the kept shape (no graph).
  /// NaN wins: `pickExtreme` keeps a NaN on either side, and contiguous runs
  /// go through `extremeRun`.
  @inline(__always)
  private func extremeElements(_ axes: [Int], wantMax: Bool) throws -> Tensor {
    let outShape = keptShape(axes)
    @inline(__always) func pick(_ a: Float, _ b: Float) -> Float { pickExtreme(a, b, wantMax: wantMax) }
    // Literal flags, so each SIMD loop is compiled for one comparison.
    @inline(__always) func run(_ p: UnsafePointer<Float>, _ n: Int, _ start: Float) -> Float {
      wantMax ? extremeRun(p, n, start, wantMax: true) : extremeRun(p, n, start, wantMax: false)
    }
    return try Tensor.make(outShape) { out in
      out.initialize(repeating: wantMax ? -.infinity : .infinity)
      guard let dst = out.baseAddress, count > 0 else { return }
      let src = UnsafePointer(storage.base + offset)
      if isContiguous && axes.count == rank {
        dst[0] = run(src, count, dst[0])
        return
      }
      let layout = reductionLayout(axes, outShape: outShape)
      let n = layout.inner, si = layout.innerStride(0), so = layout.innerStride(1)
      layout.forEachRow(start: .zero) { o in
        let a = src + o[0], d = dst + o[1]
        if so == 0 && si == 1 {
          d[0] = run(a, n, d[0])
        } else if so == 0 {
          var acc = d[0]
          for i in 0..<n { acc = pick(acc, a[i &* si]) }
          d[0] = acc
        } else if si == 1 && so == 1 {
          for i in 0..<n { d[i] = pick(d[i], a[i]) }
        } else {
          for i in 0..<n { d[i &* so] = pick(d[i &* so], a[i &* si]) }
        }
      }
    }
  }

  /// Sum over `axes` into a tensor of the kept shape (no graph), accurate as
  /// NumPy's: contiguous runs are summed pairwise (`pairwiseSum`), and runs
  /// are combined per output element in Double, so the error does not grow
  /// with the number of rows or with a strided layout.
  private func sumElements(_ axes: [Int]) throws -> Tensor {
    let outShape = keptShape(axes)
    return try Tensor.make(outShape) { out in
      out.initialize(repeating: 0)
      guard let dst = out.baseAddress, count > 0 else { return }
      let src = UnsafePointer(storage.base + offset)
      if isContiguous && axes.count == rank {
        dst[0] = pairwiseSum(src, count)
        return
      }
      let layout = reductionLayout(axes, outShape: outShape)
      let n = layout.inner, si = layout.innerStride(0), so = layout.innerStride(1)
      let dense = si == 1 && so == 1
      withUnsafeTemporaryAllocation(of: Double.self, capacity: out.count) { acc in
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: dense ? out.count / n : 0) { visits in
          guard let total = acc.baseAddress else { return }
          acc.initialize(repeating: 0)
          visits.initialize(repeating: 0)
          layout.forEachRow(start: .zero) { o in
            let a = src + o[0], d = total + o[1]
            if so == 0 && si == 1 {
              d[0] += Double(pairwiseSum(a, n))
            } else if so == 0 {
              var s = 0.0
              for i in 0..<n { s += Double(a[i &* si]) }
              d[0] += s
            } else if dense {
              // Rows add into their output row in float, moved into the
              // Double totals every `rowsPerFlush` visits of that row.
              let p = dst + o[1], r = Swift.min(o[1] / n, visits.count - 1)
              for i in 0..<n { p[i] += a[i] }
              visits[r] += 1
              if visits[r] == rowsPerFlush {
                visits[r] = 0
                for i in 0..<n { d[i] += Double(p[i]); p[i] = 0 }
              }
            } else {
              for i in 0..<n { d[i &* so] += Double(a[i &* si]) }
            }
          }
          // dst holds the float rows not yet moved (0 on the other paths).
          for i in 0..<out.count { dst[i] = Float(total[i] + Double(dst[i])) }
        }
      }
    }
  }

  /// Sum over `axes` (all by default).
  public func sum(axes: [Int]? = nil, keepdims: Bool = false) throws -> Tensor {
    if dtype != .float32 { return try typedSum(axes: axes, keepdims: keepdims) }
    if axes == nil && !keepdims && isContiguous {
      // Whole-tensor sum: one fold, straight into a 0-d result (no axis bookkeeping).
      let inputShape = shape
      // A 0-d gradient expands to any shape directly (one view node, not two).
      let node = GradNode.record("sum", self, { c in [try c.grad.expand(inputShape)] })
      let total = pairwiseSum(storage.base + offset, count)
      return try Tensor.make([], strides: [], node: node) { $0[0] = total }
    }
    let resolved = try normalizedAxes(axes, op: "sum")
    let inputShape = shape, kept = keptShape(resolved)
    let node = GradNode.record("sum", self, { c in [try c.grad.reshape(kept).expand(inputShape)] })
    let raw = try sumElements(resolved)
    let target = finalShape(resolved, keepdims: keepdims)
    return Tensor(shape: target, strides: contiguousStrides(target), offset: 0, storage: raw.storage, node: node)
  }

  /// Mean over `axes` (all by default); NaN for an empty reduction.
  public func mean(axes: [Int]? = nil, keepdims: Bool = false) throws -> Tensor {
    if !dtype.isFloatingPoint { return try astype(.float32).mean(axes: axes, keepdims: keepdims) }
    let resolved = try normalizedAxes(axes, op: "mean")
    let n = resolved.reduce(1) { $0 * shape[$1] }
    return try sum(axes: resolved, keepdims: keepdims) / Float(n)
  }

  /// Maximum over `axes`; the gradient is shared equally between tied maxima.
  /// NaN propagates (as NumPy and PyTorch): a NaN element makes its result
  /// NaN, and the gradient goes to the NaN elements.
  public func max(axes: [Int]? = nil, keepdims: Bool = false) throws -> Tensor {
    if dtype != .float32 { return try typedExtremum(axes, keepdims: keepdims, op: "max") }
    return try extremum(axes, keepdims: keepdims, op: "max", wantMax: true)
  }

  /// Minimum over `axes`; the gradient is shared equally between tied minima.
  /// NaN propagates as in `max`.
  public func min(axes: [Int]? = nil, keepdims: Bool = false) throws -> Tensor {
    if dtype != .float32 { return try typedExtremum(axes, keepdims: keepdims, op: "min") }
    return try extremum(axes, keepdims: keepdims, op: "min", wantMax: false)
  }

  private func extremum(_ axes: [Int]?, keepdims: Bool, op: String, wantMax: Bool) throws -> Tensor {
    let resolved = try normalizedAxes(axes, op: op)
    guard resolved.allSatisfy({ shape[$0] > 0 }) else {
      throw TensorError("\(op): zero-size reduction over shape \(shapeText(shape))")
    }
    let inputShape = shape, kept = keptShape(resolved)
    let node = GradNode.record(op, self, { c in
      // A constant mask of the winners (ties split the gradient; a NaN
      // result is won by the NaN elements, as PyTorch).
      let winners = try c.inputs[0].compare(c.output.detached().reshape(kept), op: op) {
        $0 == $1 || ($0 != $0 && $1 != $1)
      }
      let share = try winners / winners.sum(axes: resolved, keepdims: true)
      return [try c.grad.reshape(kept).expand(inputShape) * share]
    })
    let raw = try extremeElements(resolved, wantMax: wantMax)
    let target = finalShape(resolved, keepdims: keepdims)
    return Tensor(shape: target, strides: contiguousStrides(target), offset: 0, storage: raw.storage, node: node)
  }

  /// `log(sum(exp(x)))` over `axes`, computed stably by shifting by the maximum.
  public func logsumexp(axes: [Int]? = nil, keepdims: Bool = false) throws -> Tensor {
    if !dtype.isFloatingPoint { return try floating().logsumexp(axes: axes, keepdims: keepdims) }
    let resolved = try normalizedAxes(axes, op: "logsumexp")
    // The shift is a constant: the result does not depend on it, so it needs
    // no gradient; non-finite maxima shift by 0 instead (as PyTorch: +inf
    // gives +inf, all -inf gives -inf), and so does an empty reduction,
    // whose sum of no terms is 0 and log -inf.
    let shift = resolved.contains { shape[$0] == 0 }
      ? try Tensor.zeros(keptShape(resolved))
      : try detached().max(axes: resolved, keepdims: true).mapFloating({ $0.isFinite ? $0 : 0 }, { $0.isFinite ? $0 : 0 })
    let kept = try (self - shift).exp().sum(axes: resolved, keepdims: true).log() + shift
    return keepdims ? kept : try kept.reshape(finalShape(resolved, keepdims: false))
  }

  /// Index of the maximum along `axis` (of the flattened tensor when nil), as
  /// an int64 tensor; the first index wins ties. NaN counts as the maximum
  /// (the first NaN's index, as NumPy and PyTorch). Not differentiable.
  public func argmax(axis: Int? = nil, keepdims: Bool = false) throws -> Tensor {
    try argExtremum(axis: axis, keepdims: keepdims, op: "argmax") { $0 > $1 || ($0 != $0 && $1 == $1) }
  }

  /// Index of the minimum along `axis` (of the flattened tensor when nil);
  /// NaN counts as the minimum, as in `argmax`.
  public func argmin(axis: Int? = nil, keepdims: Bool = false) throws -> Tensor {
    try argExtremum(axis: axis, keepdims: keepdims, op: "argmin") { $0 < $1 || ($0 != $0 && $1 == $1) }
  }

  private func argExtremum(axis: Int?, keepdims: Bool, op: String,
                           _ better: (Float, Float) -> Bool) throws -> Tensor {
    if dtype != .float32 { return try typedArgExtremum(axis: axis, keepdims: keepdims, op: op) }
    guard let axis else {
      let flat = try detached().reshape([count])
      let r = try flat.argExtremum(axis: 0, keepdims: false, op: op, better)
      return keepdims ? try r.reshape([Int](repeating: 1, count: rank)) : r
    }
    let a = try normalizedAxis(axis, op: op)
    guard shape[a] > 0 else { throw TensorError("\(op): zero-size axis \(axis) in shape \(shapeText(shape))") }
    // Move the axis last so each result element scans one strided row.
    var order = Array(0..<rank)
    order.remove(at: a)
    order.append(a)
    let moved = try detached().permute(order)
    let n = shape[a], step = strides[a]
    let outer = Array(moved.shape.dropLast())
    let starts = Tensor(shape: outer, strides: Array(moved.strides.dropLast()), offset: offset, storage: storage)
    let result = try Tensor.make(outer, of: Int64.self) { out in
      // Walk the result positions; each start offset comes from the strided layout.
      let base = UnsafePointer(storage.base)
      var position = 0
      let layout = Layout(shape: outer) { SIMD4(starts.strides[$0], 0, 0, 0) }
      layout.forEachRow(start: SIMD4(offset, 0, 0, 0)) { o in
        let inner = layout.inner, s = layout.innerStride(0)
        for r in 0..<inner {
          let row = base + o[0] + r * s
          var best = 0
          for i in 1..<n where better(row[i * step], row[best * step]) { best = i }
          out[position] = Int64(best)
          position += 1
        }
      }
    }
    return keepdims ? try result.unsqueeze(a) : result
  }

  /// Sums broadcast axes away so the result has shape `target` (the backward
  /// of broadcasting). `target` must broadcast to this tensor's shape.
  public func sumToShape(_ target: [Int]) throws -> Tensor {
    if target == shape { return self }
    guard target.count <= rank, try broadcastShapes(target, shape, op: "sumToShape") == shape else {
      throw TensorError("sumToShape: shape \(shapeText(target)) does not broadcast to \(shapeText(shape))")
    }
    if dtype == .float32, let rows = leadingRowCount(summingTo: target) { return try sumLeadingRows(rows, into: target) }
    let lead = rank - target.count
    var axes = Array(0..<lead)
    for (i, d) in target.enumerated() where d == 1 && shape[lead + i] != 1 { axes.append(lead + i) }
    return try sum(axes: axes, keepdims: true).reshape(target)
  }
}

extension Tensor {
  /// When this tensor is contiguous and non-empty and `target` (without its
  /// leading 1s) is a suffix of its shape, the number of rows of
  /// `target.count` elements to add up: the backward of a bias add or of
  /// `expand` over leading axes.
  fileprivate func leadingRowCount(summingTo target: [Int]) -> Int? {
    var first = 0
    while first < target.count && target[first] == 1 { first += 1 }
    let kept = target.count - first
    guard kept <= rank, count > 0, isContiguous else { return nil }
    var m = 1
    for i in 0..<kept {
      guard target[first + i] == shape[rank - kept + i] else { return nil }
      m &*= target[first + i]
    }
    // A whole-tensor sum (m == 1) is better served by the vector fold.
    return m > 1 ? count / m : nil
  }

  /// Sum of `rows` consecutive blocks shaped `target`, recorded as a "sum"
  /// whose gradient expands back to this tensor's shape.
  fileprivate func sumLeadingRows(_ rows: Int, into target: [Int]) throws -> Tensor {
    let inputShape = shape
    let node = GradNode.record("sum", self, { c in [try c.grad.expand(inputShape)] })
    let src = UnsafePointer(storage.base + offset)
    let m = count / rows
    return try Tensor.make(target, node: node) { out in
      guard let dst = out.baseAddress else { return }
      dst.update(from: src, count: m)
      if rows <= rowsPerFlush {
        for r in 1..<Swift.max(rows, 1) {
          let row = src + r &* m
          for i in 0..<m { dst[i] += row[i] }
        }
        return
      }
      // Many rows: float partial sums moved into Double totals every
      // `rowsPerFlush` rows (a float running sum over many rows drifts).
      withUnsafeTemporaryAllocation(of: Double.self, capacity: m) { acc in
        guard let total = acc.baseAddress else { return }
        acc.initialize(repeating: 0)
        for r in 1..<rows {
          let row = src + r &* m
          for i in 0..<m { dst[i] += row[i] }
          if r % rowsPerFlush == 0 {
            for i in 0..<m { total[i] += Double(dst[i]); dst[i] = 0 }
          }
        }
        for i in 0..<m { dst[i] = Float(total[i] + Double(dst[i])) }
      }
    }
  }
}

/// The larger (`wantMax`) or smaller of `acc` and `x`, NaN on either side
/// winning (a NaN `acc` fails both tests and stays).
@inline(__always)
private func pickExtreme(_ acc: Float, _ x: Float, wantMax: Bool) -> Float {
  (wantMax ? x > acc : x < acc) || x != x ? x : acc
}

/// Max or min of `n` contiguous floats and `start`, NaN propagating: 16
/// lanes at a time, each lane a compare-and-select (which drops NaN), plus
/// an integer test of the bits for NaN (|bits| > 0x7f800000, read off the
/// sign of |bits| + 0x007fffff), then the tail. Written per lane with
/// `wantMax` a literal at each call: SIMD masks and closures here compiled
/// to loops 2-4x slower.
@inline(__always)
private func extremeRun(_ p: UnsafePointer<Float>, _ n: Int, _ start: Float, wantMax: Bool) -> Float {
  var acc = start
  var i = 0
  if n >= 16 {
    var v = UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    var nanBits = SIMD16<UInt32>()
    while i + 16 <= n {
      let x = UnsafeRawPointer(p + i).loadUnaligned(as: SIMD16<Float>.self)
      for k in 0..<16 { v[k] = wantMax ? (x[k] > v[k] ? x[k] : v[k]) : (x[k] < v[k] ? x[k] : v[k]) }
      nanBits |= (unsafeBitCast(x, to: SIMD16<UInt32>.self) & 0x7fff_ffff) &+ 0x007f_ffff
      i += 16
    }
    if (nanBits & 0x8000_0000) != .zero { return .nan }
    for k in 0..<16 { acc = pickExtreme(acc, v[k], wantMax: wantMax) }
  }
  while i < n { acc = pickExtreme(acc, p[i], wantMax: wantMax); i += 1 }
  return acc
}

/// Sum of `n` contiguous floats, pairwise as NumPy's: blocks of up to 512
/// summed in 32 lanes (16 elements per lane), block vectors combined
/// pairwise, then one horizontal sum and the scalar tail, so the rounding
/// error grows as log n rather than n (1M copies of 0.1 sum to 100000, not
/// 100060), at the speed of a plain vector fold.
private func pairwiseSum(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
  let whole = n & ~31
  var s = pairwiseLanes(p, whole).sum()
  for i in whole..<n { s += p[i] }
  return s
}

/// The 8-lane pairwise sum of `n` floats, `n` a multiple of 32.
private func pairwiseLanes(_ p: UnsafePointer<Float>, _ n: Int) -> SIMD8<Float> {
  if n <= 512 { return blockLanes(p, n) }
  let half = (n / 2) & ~31
  return pairwiseLanes(p, half) + pairwiseLanes(p + half, n - half)
}

@inline(__always)
private func blockLanes(_ p: UnsafePointer<Float>, _ n: Int) -> SIMD8<Float> {
  var v0 = SIMD8<Float>(), v1 = v0, v2 = v0, v3 = v0
  var i = 0
  while i < n {
    let r = UnsafeRawPointer(p + i)
    v0 += r.loadUnaligned(as: SIMD8<Float>.self)
    v1 += r.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
    v2 += r.loadUnaligned(fromByteOffset: 64, as: SIMD8<Float>.self)
    v3 += r.loadUnaligned(fromByteOffset: 96, as: SIMD8<Float>.self)
    i += 32
  }
  return (v0 + v1) + (v2 + v3)
}

/// Rows summed elementwise in float, then moved into Double totals every
/// this many rows: the error stays that of 16 float additions however many
/// rows there are (PyTorch's cascade sum does the like; NumPy adds rows
/// naively), at ~15% over a plain float loop where all-Double costs 2x.
private let rowsPerFlush = 16
