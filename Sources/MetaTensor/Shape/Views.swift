/// Shape-changing ops that share storage where the layout allows it.
extension Tensor {
  /// A view with new geometry over the same storage, recorded as `op`.
  @inline(__always)
  func view(_ shape: [Int], _ strides: [Int], offset: Int? = nil, op: String,
            backward: @autoclosure () -> BackwardRule) -> Tensor {
    Tensor(shape: shape, strides: strides, offset: offset ?? self.offset, storage: storage,
           node: GradNode.record(op, self, backward()))
  }

  /// The same elements, contiguous (a copy only when needed).
  public func contiguous() throws -> Tensor {
    if isContiguous { return self }
    let node = GradNode.record("contiguous", self, { c in [c.grad] })
    if dtype != .float32 {
      let copy = try contiguousCopy()
      return Tensor(shape: shape, strides: copy.strides, offset: 0, storage: copy.storage, node: node)
    }
    return try Tensor.make(shape, node: node) { copyElements(to: $0) }
  }

  /// The same elements in row-major order with a new shape; one extent may be
  /// -1 (inferred). A view when the layout allows, else a copy.
  public func reshape(_ newShape: [Int]) throws -> Tensor {
    var target = newShape
    let inferred = newShape.indices.filter { newShape[$0] == -1 }
    guard inferred.count <= 1 else { throw TensorError("reshape: more than one -1 in \(shapeText(newShape))") }
    if let i = inferred.first {
      var rest = newShape
      rest[i] = 1
      let known = try checkedCount(rest, op: "reshape")
      guard known != 0, count % known == 0 else {
        throw TensorError("reshape: cannot reshape \(shapeText(shape)) into \(shapeText(newShape))")
      }
      target[i] = count / known
    }
    guard try checkedCount(target, op: "reshape") == count else {
      throw TensorError("reshape: cannot reshape \(shapeText(shape)) (\(count) elements) into \(shapeText(newShape))")
    }
    if target == shape { return self }
    let originalShape = shape
    if let strides = viewStrides(for: target) {
      return view(target, strides, op: "reshape", backward: { c in [try c.grad.reshape(originalShape)] })
    }
    let source = try contiguous()
    return source.view(target, contiguousStrides(target), op: "reshape",
                       backward: { c in [try c.grad.reshape(originalShape)] })
  }

  /// Strides for reading this tensor as `target` without copying: when it is
  /// contiguous, or when only size-1 axes are added or removed.
  private func viewStrides(for target: [Int]) -> [Int]? {
    if isContiguous { return contiguousStrides(target) }
    let kept = shape.indices.filter { shape[$0] != 1 }
    guard kept.map({ shape[$0] }) == target.filter({ $0 != 1 }) else { return nil }
    var result = [Int](repeating: 0, count: target.count)
    var next = 0
    for i in target.indices where target[i] != 1 {
      result[i] = strides[kept[next]]
      next += 1
    }
    return result
  }

  /// Axes reordered: result axis `i` is input axis `axes[i]`.
  public func permute(_ axes: [Int]) throws -> Tensor {
    guard axes.count == rank else {
      throw TensorError("permute: \(axes.count) axes given for a \(rank)-d tensor")
    }
    let resolved = try axes.map { try normalizedAxis($0, op: "permute") }
    guard Set(resolved).count == rank else { throw TensorError("permute: axes \(axes) are not a permutation") }
    if resolved == Array(0..<rank) { return self }
    var inverse = [Int](repeating: 0, count: rank)
    for (i, a) in resolved.enumerated() { inverse[a] = i }
    return view(resolved.map { shape[$0] }, resolved.map { strides[$0] }, op: "permute",
                backward: { c in [try c.grad.permute(inverse)] })
  }

  /// Swaps two axes.
  public func transpose(_ a: Int, _ b: Int) throws -> Tensor {
    var axes = Array(0..<rank)
    let (i, j) = (try normalizedAxis(a, op: "transpose"), try normalizedAxis(b, op: "transpose"))
    axes.swapAt(i, j)
    return try permute(axes)
  }

  /// All axes reversed (the matrix transpose for 2-D).
  public var T: Tensor {
    let axes = Array((0..<rank).reversed())
    if rank < 2 { return self }
    return view(axes.map { shape[$0] }, axes.map { strides[$0] }, op: "transpose", backward: { c in [c.grad.T] })
  }

  /// Broadcast to `target` without copying (NumPy's `broadcast_to`).
  public func expand(_ target: [Int]) throws -> Tensor {
    let result = try broadcastShapes(shape, target, op: "expand")
    guard result == target else {
      throw TensorError("expand: shape \(shapeText(shape)) cannot be broadcast to \(shapeText(target))")
    }
    if target == shape { return self }
    _ = try checkedCount(target, op: "expand")
    let originalShape = shape
    return view(target, broadcastStrides(to: target), op: "expand",
                backward: { c in [try c.grad.sumToShape(originalShape)] })
  }

  /// Inserts a size-1 axis at `axis` (negative counts from the end of the result).
  public func unsqueeze(_ axis: Int) throws -> Tensor {
    let a = try normalizedAxis(axis, op: "unsqueeze", inserting: true)
    try checkRank(rank + 1, op: "unsqueeze")
    var s = shape
    s.insert(1, at: a)
    return try reshape(s)
  }

  /// Removes size-1 axes: the given one, or all of them.
  public func squeeze(_ axis: Int? = nil) throws -> Tensor {
    if let axis {
      let a = try normalizedAxis(axis, op: "squeeze")
      guard shape[a] == 1 else {
        throw TensorError("squeeze: axis \(axis) of shape \(shapeText(shape)) has size \(shape[a]), not 1")
      }
      var s = shape
      s.remove(at: a)
      return try reshape(s)
    }
    return try reshape(shape.filter { $0 != 1 })
  }

  /// Merges axes `start...end` into one (all axes by default).
  public func flatten(from start: Int = 0, to end: Int = -1) throws -> Tensor {
    if rank == 0 { return try reshape([1]) }
    let s = try normalizedAxis(start, op: "flatten"), e = try normalizedAxis(end, op: "flatten")
    guard s <= e else { throw TensorError("flatten: start axis \(start) is after end axis \(end)") }
    let merged = shape[s...e].reduce(1, *)
    return try reshape(Array(shape[..<s]) + [merged] + Array(shape[(e + 1)...]))
  }
}
