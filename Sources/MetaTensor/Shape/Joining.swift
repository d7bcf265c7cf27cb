/// Joining and splitting along an axis, tiling and repeating.
extension Tensor {
  /// Joins tensors along an existing `axis`; all other extents must agree.
  /// Mixed dtypes are promoted to one, as `torch.cat` does.
  public static func concat(_ tensors: [Tensor], axis: Int = 0) throws -> Tensor {
    guard var first = tensors.first else { throw TensorError("concat: no tensors given") }
    var tensors = tensors
    if tensors.contains(where: { $0.dtype != first.dtype }) {
      let common = tensors.dropFirst().reduce(first.dtype) { DType.promoted($0, $1.dtype) }
      tensors = try tensors.map { try $0.astype(common) }
      first = tensors[0]
    }
    let a = try first.normalizedAxis(axis, op: "concat")
    var outShape = first.shape
    outShape[a] = 0
    for t in tensors {
      var expected = first.shape
      expected[a] = t.rank == first.rank ? t.shape[a] : -1
      guard t.shape == expected else {
        throw TensorError("concat: shapes \(shapeText(first.shape)) and \(shapeText(t.shape)) differ outside axis \(axis)")
      }
      outShape[a] += t.shape[a]
    }
    _ = try checkedCount(outShape, op: "concat")
    if tensors.count == 1 { return first }
    let sizes = tensors.map { $0.shape[a] }
    let node = GradNode.record("concat", tensors) { c in
      var start = 0
      return try sizes.enumerated().map { i, size in
        defer { start += size }
        return c.needsGrad[i] ? try c.grad.narrow(axis: a, start: start, length: size) : nil
      }
    }
    return try make(outShape, dtype: first.dtype, node: node) { dst in
      let outStrides = contiguousStrides(outShape), size = first.dtype.size
      var start = 0
      for t in tensors {
        stridedAssign(dtype: t.dtype, shape: t.shape, from: t.elementAddress, strides: t.strides,
                      to: dst + start * outStrides[a] * size, strides: outStrides)
        start += t.shape[a]
      }
    }
  }

  /// Joins same-shaped tensors along a new `axis`.
  public static func stack(_ tensors: [Tensor], axis: Int = 0) throws -> Tensor {
    guard let first = tensors.first else { throw TensorError("stack: no tensors given") }
    for t in tensors where t.shape != first.shape {
      throw TensorError("stack: shapes \(shapeText(first.shape)) and \(shapeText(t.shape)) differ")
    }
    let a = try first.normalizedAxis(axis, op: "stack", inserting: true)
    return try concat(tensors.map { try $0.unsqueeze(a) }, axis: a)
  }

  /// Splits along `axis` into pieces of the given sizes (which must sum to
  /// the axis' extent). Views; differentiable.
  public func split(sizes: [Int], axis: Int = 0) throws -> [Tensor] {
    let a = try normalizedAxis(axis, op: "split")
    var total = 0
    for size in sizes where size >= 0 && total <= shape[a] { total += Swift.min(size, shape[a] + 1) }
    guard sizes.allSatisfy({ $0 >= 0 }), total == shape[a] else {
      throw TensorError("split: sizes \(sizes) do not add up to \(shape[a]) (axis \(axis) of \(shapeText(shape)))")
    }
    var start = 0
    return try sizes.map { size in
      defer { start += size }
      return try narrow(axis: a, start: start, length: size)
    }
  }

  /// Splits along `axis` into `parts` equal pieces.
  public func split(parts: Int, axis: Int = 0) throws -> [Tensor] {
    let a = try normalizedAxis(axis, op: "split")
    guard parts > 0, shape[a] % parts == 0 else {
      throw TensorError("split: axis \(axis) of size \(shape[a]) cannot be split into \(parts) equal parts")
    }
    return try split(sizes: [Int](repeating: shape[a] / parts, count: parts), axis: a)
  }

  /// Repeats the whole tensor `reps[i]` times along axis `i` (NumPy's `tile`;
  /// shorter `reps` apply to trailing axes, longer ones add leading axes).
  public func tile(_ reps: [Int]) throws -> Tensor {
    guard reps.allSatisfy({ $0 >= 0 }) else { throw TensorError("tile: negative repetitions \(reps)") }
    let r = Swift.max(rank, reps.count)
    let base = [Int](repeating: 1, count: r - rank) + shape
    let times = [Int](repeating: 1, count: r - reps.count) + reps
    // [a, b] tiled by [p, q]: view as [1, a, 1, b], broadcast to [p, a, q, b], merge pairs.
    var interleaved: [Int] = [], expanded: [Int] = []
    for i in 0..<r {
      interleaved += [1, base[i]]
      expanded += [times[i], base[i]]
    }
    _ = try checkedCount(expanded, op: "tile")
    let result = (0..<r).map { times[$0] * base[$0] }  // bounded by the check above
    return try reshape(interleaved).expand(expanded).reshape(result)
  }

  /// Repeats each element `count` times along `axis` (NumPy's `repeat`).
  public func repeatElements(_ count: Int, axis: Int) throws -> Tensor {
    guard count >= 0 else { throw TensorError("repeat: negative count \(count)") }
    let a = try normalizedAxis(axis, op: "repeat")
    var inserted = shape, expanded = shape, result = shape
    inserted.insert(1, at: a + 1)
    expanded.insert(count, at: a + 1)
    _ = try checkedCount(expanded, op: "repeat")
    result[a] *= count
    return try reshape(inserted).expand(expanded).reshape(result)
  }
}
