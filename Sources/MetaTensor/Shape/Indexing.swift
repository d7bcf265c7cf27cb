/// One component of a NumPy-style basic index such as `t[0, 1:3, :, None]`.
public enum TensorIndex: Equatable, Sendable {
  /// A single position (negative counts from the end); removes the axis.
  case index(Int)
  /// Python slice semantics: defaults, negative bounds, clamping, negative steps.
  case slice(start: Int?, stop: Int?, step: Int?)
  /// The whole axis (`:`).
  case all
  /// Inserts a size-1 axis (`None` / `np.newaxis`).
  case newAxis
}

/// A rectangular strided region of a tensor: per axis a start, step and count.
struct StridedRegion: Equatable {
  var starts: [Int]
  var steps: [Int]
  var counts: [Int]
}

extension Tensor {
  /// The tensor indexed by `indices` (a view; differentiable).
  public subscript(_ indices: TensorIndex...) -> Tensor {
    get throws { try indexed(indices) }
  }

  /// The tensor indexed by `indices` (a view; differentiable). Axes not
  /// mentioned are kept whole.
  public func indexed(_ indices: [TensorIndex]) throws -> Tensor {
    let (region, finalShape) = try resolve(indices, op: "index")
    return try slice(region).reshape(finalShape)
  }

  /// A copy of this tensor with the region `indices` replaced by `value`
  /// (broadcast to the region's shape). Differentiable in both.
  public func replacing(_ indices: [TensorIndex], with value: Tensor) throws -> Tensor {
    let (region, finalShape) = try resolve(indices, op: "index assignment")
    // The value takes this tensor's dtype (as NumPy's assignment casts).
    let value = try value.astype(dtype)
    let fitted = try value.detached().expand(finalShape).reshape(region.counts)
    let node = GradNode.record("replace", self, value, { c in
      [try c.needsGrad[0] ? c.grad.replacing(indices, with: Tensor(0)) : nil,
       try c.needsGrad[1] ? c.grad.indexed(indices).sumToShape(c.inputs[1].shape) : nil]
    })
    let dense = contiguousStrides(shape)
    return try Tensor.make(shape, dtype: dtype, node: node) { dst in
      stridedAssign(dtype: dtype, shape: shape, from: elementAddress, strides: strides, to: dst, strides: dense)
      let target = Tensor.regionGeometry(region, strides: dense, offset: 0)
      stridedAssign(dtype: dtype, shape: region.counts, from: fitted.elementAddress, strides: fitted.strides,
                    to: dst + target.offset * dtype.size, strides: target.strides)
    }
  }

  /// Turns indices into a strided region over every axis plus the final shape
  /// (indexed axes dropped, new axes inserted).
  private func resolve(_ indices: [TensorIndex], op: String) throws -> (StridedRegion, [Int]) {
    let consuming = indices.filter { $0 != .newAxis }.count
    guard consuming <= rank else {
      throw TensorError("\(op): \(consuming) indices for a \(rank)-d tensor of shape \(shapeText(shape))")
    }
    var region = StridedRegion(starts: [], steps: [], counts: [])
    var finalShape: [Int] = []
    var axis = 0
    for index in indices + [TensorIndex](repeating: .all, count: rank - consuming) {
      switch index {
      case .newAxis:
        finalShape.append(1)
        continue
      case .all:
        region.starts.append(0); region.steps.append(1); region.counts.append(shape[axis])
        finalShape.append(shape[axis])
      case .index(let i):
        let n = shape[axis]
        let resolved = i < 0 ? i + n : i
        guard resolved >= 0, resolved < n else {
          throw TensorError("\(op): index \(i) out of range for axis \(axis) of size \(n)")
        }
        region.starts.append(resolved); region.steps.append(1); region.counts.append(1)
      case .slice(let start, let stop, let step):
        let (s, st, c) = try sliceBounds(start: start, stop: stop, step: step, size: shape[axis], op: op)
        region.starts.append(s); region.steps.append(st); region.counts.append(c)
        finalShape.append(c)
      }
      axis += 1
    }
    try checkRank(finalShape.count, op: op)
    return (region, finalShape)
  }

  /// Offset and strides of `region` read through strides `strides` from `offset`.
  static func regionGeometry(_ region: StridedRegion, strides: [Int], offset: Int) -> (offset: Int, strides: [Int]) {
    var newOffset = offset
    var newStrides = strides
    for axis in strides.indices where region.counts[axis] > 0 {
      newOffset += region.starts[axis] * strides[axis]
      // With fewer than two elements the step is never taken; skipping the
      // product keeps huge steps from overflowing.
      newStrides[axis] = region.counts[axis] > 1 ? strides[axis] * region.steps[axis] : strides[axis]
    }
    return (newOffset, newStrides)
  }

  /// The strided region as a view (differentiable: its backward scatters).
  func slice(_ region: StridedRegion) throws -> Tensor {
    if region.counts == shape && region.steps.allSatisfy({ $0 == 1 }) { return self }
    let g = Tensor.regionGeometry(region, strides: strides, offset: offset)
    let inputShape = shape
    return view(region.counts, g.strides, offset: g.offset, op: "slice",
                backward: { c in [try c.grad.scatter(into: inputShape, region)] })
  }

  /// Zeros of `shape` with this tensor written into `region` (the backward of
  /// `slice`, whose own backward is `slice`).
  func scatter(into target: [Int], _ region: StridedRegion) throws -> Tensor {
    let node = GradNode.record("slice_backward", self, { c in [try c.grad.slice(region)] })
    _ = try checkedCount(target, op: "slice")
    return try Tensor.make(target, dtype: dtype, node: node) { dst in
      zeroFill(dst, count: target.reduce(1, *), dtype: dtype)
      let place = Tensor.regionGeometry(region, strides: contiguousStrides(target), offset: 0)
      stridedAssign(dtype: dtype, shape: region.counts, from: elementAddress, strides: strides,
                    to: dst + place.offset * dtype.size, strides: place.strides)
    }
  }

  /// Elements `start ..< start + length` along `axis` (a view).
  public func narrow(axis: Int, start: Int, length: Int) throws -> Tensor {
    let a = try normalizedAxis(axis, op: "narrow")
    guard start >= 0, length >= 0, start <= shape[a], length <= shape[a] - start else {
      throw TensorError("narrow: range \(start)..<\(start + length) out of bounds for axis \(axis) of size \(shape[a])")
    }
    var region = StridedRegion(starts: [Int](repeating: 0, count: rank),
                               steps: [Int](repeating: 1, count: rank), counts: shape)
    region.starts[a] = start
    region.counts[a] = length
    return try slice(region)
  }
}

/// Python's slice arithmetic: (first index, step, element count).
func sliceBounds(start: Int?, stop: Int?, step: Int?, size n: Int, op: String) throws -> (Int, Int, Int) {
  let step = step ?? 1
  guard step != 0 else { throw TensorError("\(op): slice step cannot be zero") }
  func clampIndex(_ i: Int, low: Int, high: Int) -> Int {
    let resolved = i < 0 ? i + n : i  // i < 0 and n >= 0: cannot overflow
    return Swift.min(Swift.max(resolved, low), high)
  }
  if step > 0 {
    let s = start.map { clampIndex($0, low: 0, high: n) } ?? 0
    let e = stop.map { clampIndex($0, low: 0, high: n) } ?? n
    let span = e - s
    return (s, step, span > 0 ? (span - 1) / step + 1 : 0)
  }
  let s = start.map { clampIndex($0, low: -1, high: n - 1) } ?? n - 1
  let e = stop.map { clampIndex($0, low: -1, high: n - 1) } ?? -1
  let span = s - e
  // step < 0 here; -step overflows only for Int.min, which any span fits in one step of.
  let magnitude = step == Int.min ? Int.max : -step
  return (s, step, span > 0 ? (span - 1) / magnitude + 1 : 0)
}
