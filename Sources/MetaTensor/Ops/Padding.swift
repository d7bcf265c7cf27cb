/// Constant padding, flipping and shifting along axes.
extension Tensor {
  /// This tensor with `widths[i].before` elements of `value` added before and
  /// `widths[i].after` after it along each axis `i` (NumPy's `pad` in
  /// constant mode; one pair per axis), in this tensor's dtype (`value`
  /// converted as `astype` converts). Gradient: the unpadded region of the gradient.
  public func pad(_ widths: [(before: Int, after: Int)], value: Float = 0) throws -> Tensor {
    guard widths.count == rank else {
      throw TensorError("pad: \(widths.count) (before, after) pairs given for a \(rank)-d tensor (give one per axis)")
    }
    var outShape = shape
    for (axis, w) in widths.enumerated() {
      guard w.before >= 0, w.after >= 0 else {
        throw TensorError("pad: negative width (\(w.before), \(w.after)) for axis \(axis)")
      }
      let (grown, overflow) = shape[axis].addingReportingOverflow(w.before)
      let (total, overflow2) = grown.addingReportingOverflow(w.after)
      guard !overflow, !overflow2 else { throw TensorError("pad: shape \(shapeText(shape)) padded is too large") }
      outShape[axis] = total
    }
    _ = try checkedCount(outShape, op: "pad")
    if outShape == shape { return self }
    let region = StridedRegion(starts: widths.map { $0.before }, steps: [Int](repeating: 1, count: rank), counts: shape)
    let node = GradNode.record("pad", self, { c in [try c.grad.slice(region)] })
    switch dtype {
    case .float32: return try padded(outShape, region, node: node, value: value)
    case .float64: return try padded(outShape, region, node: node, value: Double(value))
    case .int64: return try padded(outShape, region, node: nil, value: Int64(converting: value))
    case .bool: return try padded(outShape, region, node: nil, value: value != 0)
    }
  }

  /// A tensor of `outShape` filled with `value`, this tensor written at `region`.
  @inline(__always)
  private func padded<T: TensorElement>(_ outShape: [Int], _ region: StridedRegion, node: GradNode?, value: T) throws -> Tensor {
    try Tensor.make(outShape, of: T.self, node: node) { out in
      guard let dst = out.baseAddress else { return }
      out.initialize(repeating: value)
      let place = Tensor.regionGeometry(region, strides: contiguousStrides(outShape), offset: 0)
      stridedAssign(shape: shape, from: UnsafePointer(pointer(T.self)), strides: strides,
                    to: dst + place.offset, strides: place.strides)
    }
  }

  /// The elements in reverse order along `axes` (all axes when nil): a view
  /// with negative strides, as NumPy's `flip`. Gradient: the gradient flipped.
  public func flip(axes: [Int]? = nil) throws -> Tensor {
    let resolved = try normalizedAxes(axes, op: "flip")
    var region = StridedRegion(starts: [Int](repeating: 0, count: rank),
                               steps: [Int](repeating: 1, count: rank), counts: shape)
    for a in resolved where shape[a] > 1 {
      region.starts[a] = shape[a] - 1
      region.steps[a] = -1
    }
    return try slice(region)
  }

  /// `result[k] = self[k - by]` along `axis`, `fill` where that index is out of
  /// range (a positive shift moves elements towards the end). Differentiable.
  func shifted(by s: Int, axis a: Int, fill: Float) throws -> Tensor {
    let n = shape[a], k = Swift.min(Swift.abs(s), n)
    if k == 0 { return self }
    let kept = try narrow(axis: a, start: s > 0 ? 0 : k, length: n - k)
    var widths = [(before: Int, after: Int)](repeating: (0, 0), count: rank)
    widths[a] = s > 0 ? (k, 0) : (0, k)
    return try kept.pad(widths, value: fill)
  }
}
