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

  /// Folds `op` over `axes` into a tensor of the kept shape (no graph).
  /// `lanes` and `horizontal` give the same fold on 8 lanes at a time, used
  /// for contiguous runs (faster, and more accurate for sums).
  @inline(__always)
  private func reduceElements(
    _ axes: [Int], initial: Float, _ op: (Float, Float) -> Float,
    lanes: (SIMD8<Float>, SIMD8<Float>) -> SIMD8<Float>, horizontal: (SIMD8<Float>) -> Float
  ) throws -> Tensor {
    let outShape = keptShape(axes)
    @inline(__always) func fold(_ p: UnsafePointer<Float>, _ n: Int, _ start: Float) -> Float {
      foldRun(p, n, start, initial: initial, op, lanes: lanes, horizontal: horizontal)
    }
    return try Tensor.make(outShape) { out in
      out.initialize(repeating: initial)
      guard let dst = out.baseAddress, count > 0 else { return }
      if isContiguous && axes.count == rank {
        dst[0] = fold(storage.base + offset, count, initial)
        return
      }
      var outStrides = contiguousStrides(outShape)
      for a in axes { outStrides[a] = 0 }
      let layout = Layout(shape: shape) { SIMD4(strides[$0], outStrides[$0], 0, 0) }
      let n = layout.inner, si = layout.innerStride(0), so = layout.innerStride(1)
      let src = UnsafePointer(storage.base + offset)
      layout.forEachRow(start: .zero) { o in
        let a = src + o[0], d = dst + o[1]
        if so == 0 && si == 1 {
          d[0] = fold(a, n, d[0])
        } else if so == 0 {
          var acc = d[0]
          for i in 0..<n { acc = op(acc, a[i &* si]) }
          d[0] = acc
        } else if si == 1 && so == 1 {
          for i in 0..<n { d[i] = op(d[i], a[i]) }
        } else {
          for i in 0..<n { d[i &* so] = op(d[i &* so], a[i &* si]) }
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
      let total = foldRun(storage.base + offset, count, 0, initial: 0, { $0 + $1 },
                          lanes: { $0 + $1 }, horizontal: { $0.sum() })
      return try Tensor.make([], strides: [], node: node) { $0[0] = total }
    }
    let resolved = try normalizedAxes(axes, op: "sum")
    let inputShape = shape, kept = keptShape(resolved)
    let node = GradNode.record("sum", self, { c in [try c.grad.reshape(kept).expand(inputShape)] })
    let raw = try reduceElements(resolved, initial: 0, { $0 + $1 }, lanes: { $0 + $1 }, horizontal: { $0.sum() })
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
  public func max(axes: [Int]? = nil, keepdims: Bool = false) throws -> Tensor {
    if dtype != .float32 { return try typedExtremum(axes, keepdims: keepdims, op: "max") }
    return try extremum(axes, keepdims: keepdims, op: "max", initial: -.infinity, { $1 > $0 ? $1 : $0 },
                 lanes: { pointwiseMax($0, $1) }, horizontal: { $0.max() })
  }

  /// Minimum over `axes`; the gradient is shared equally between tied minima.
  public func min(axes: [Int]? = nil, keepdims: Bool = false) throws -> Tensor {
    if dtype != .float32 { return try typedExtremum(axes, keepdims: keepdims, op: "min") }
    return try extremum(axes, keepdims: keepdims, op: "min", initial: .infinity, { $1 < $0 ? $1 : $0 },
                 lanes: { pointwiseMin($0, $1) }, horizontal: { $0.min() })
  }

  @inline(__always)
  private func extremum(
    _ axes: [Int]?, keepdims: Bool, op: String, initial: Float, _ pick: (Float, Float) -> Float,
    lanes: (SIMD8<Float>, SIMD8<Float>) -> SIMD8<Float>, horizontal: (SIMD8<Float>) -> Float
  ) throws -> Tensor {
    let resolved = try normalizedAxes(axes, op: op)
    guard resolved.allSatisfy({ shape[$0] > 0 }) else {
      throw TensorError("\(op): zero-size reduction over shape \(shapeText(shape))")
    }
    let inputShape = shape, kept = keptShape(resolved)
    let node = GradNode.record(op, self, { c in
      // A constant mask of the winners (ties split the gradient).
      let winners = try c.inputs[0].compare(c.output.detached().reshape(kept), op: "max") { $0 == $1 }
      let share = try winners / winners.sum(axes: resolved, keepdims: true)
      return [try c.grad.reshape(kept).expand(inputShape) * share]
    })
    let raw = try reduceElements(resolved, initial: initial, pick, lanes: lanes, horizontal: horizontal)
    let target = finalShape(resolved, keepdims: keepdims)
    return Tensor(shape: target, strides: contiguousStrides(target), offset: 0, storage: raw.storage, node: node)
  }

  /// `log(sum(exp(x)))` over `axes`, computed stably by shifting by the maximum.
  public func logsumexp(axes: [Int]? = nil, keepdims: Bool = false) throws -> Tensor {
    let resolved = try normalizedAxes(axes, op: "logsumexp")
    // The shift is a constant: the result does not depend on it, so it needs
    // no gradient; non-finite maxima (all -inf) shift by 0 instead.
    let shift = try detached().max(axes: resolved, keepdims: true).mapElements { $0.isFinite ? $0 : 0 }
    let kept = try (self - shift).exp().sum(axes: resolved, keepdims: true).log() + shift
    return keepdims ? kept : try kept.reshape(finalShape(resolved, keepdims: false))
  }

  /// Index of the maximum along `axis` (of the flattened tensor when nil), as
  /// an int64 tensor; the first index wins ties. Not differentiable.
  public func argmax(axis: Int? = nil, keepdims: Bool = false) throws -> Tensor {
    try argExtremum(axis: axis, keepdims: keepdims, op: "argmax") { $0 > $1 }
  }

  /// Index of the minimum along `axis` (of the flattened tensor when nil).
  public func argmin(axis: Int? = nil, keepdims: Bool = false) throws -> Tensor {
    try argExtremum(axis: axis, keepdims: keepdims, op: "argmin") { $0 < $1 }
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
      for r in 1..<Swift.max(rows, 1) {
        let row = src + r &* m
        for i in 0..<m { dst[i] += row[i] }
      }
    }
  }
}

/// `op` folded over `n` contiguous floats from `start`: 16 at a time in two
/// 8-lane accumulators seeded with `initial` (faster, and more accurate for
/// sums), then the tail one by one.
@inline(__always)
private func foldRun(
  _ p: UnsafePointer<Float>, _ n: Int, _ start: Float, initial: Float, _ op: (Float, Float) -> Float,
  lanes: (SIMD8<Float>, SIMD8<Float>) -> SIMD8<Float>, horizontal: (SIMD8<Float>) -> Float
) -> Float {
  var acc = start
  var i = 0
  if n >= 16 {
    var v0 = SIMD8<Float>(repeating: initial), v1 = v0
    while i + 16 <= n {
      v0 = lanes(v0, UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self))
      v1 = lanes(v1, UnsafeRawPointer(p + i + 8).loadUnaligned(as: SIMD8<Float>.self))
      i += 16
    }
    acc = op(acc, horizontal(lanes(v0, v1)))
  }
  while i < n { acc = op(acc, p[i]); i += 1 }
  return acc
}
