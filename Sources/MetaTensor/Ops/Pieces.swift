/// PyTorch's forms of splitting and expanding: `split` by a piece size,
/// `chunk`, `expand` with -1, and `gather` with an index smaller than the input.
extension Tensor {
  /// Pieces of `size` along `axis` (the last one smaller when the extent is
  /// not a multiple; one empty piece for an empty axis), as PyTorch's
  /// `split` with an integer. Views; differentiable.
  public func split(size: Int, axis: Int = 0) throws -> [Tensor] {
    let a = try normalizedAxis(axis, op: "split")
    guard size > 0 else { throw TensorError("split: piece size must be positive, got \(size)") }
    let n = shape[a]
    let pieces = Swift.max((n + size - 1) / size, 1)
    let sizes = (0..<pieces).map { Swift.min(size, n - $0 * size) }
    return try split(sizes: sizes, axis: a)
  }

  /// `chunks` pieces of equal size along `axis` (the last smaller), fewer when
  /// the extent does not allow so many, as PyTorch's `chunk`: the piece
  /// size is `ceil(extent / chunks)`. Views; differentiable.
  public func chunk(_ chunks: Int, axis: Int = 0) throws -> [Tensor] {
    let a = try normalizedAxis(axis, op: "chunk")
    guard chunks > 0 else { throw TensorError("chunk: number of chunks must be positive, got \(chunks)") }
    let n = shape[a]
    if n == 0 { return try split(sizes: [Int](repeating: 0, count: chunks), axis: a) }
    return try split(size: (n + chunks - 1) / chunks, axis: a)
  }

  /// `expand` where -1 in `target` keeps this tensor's extent on that axis
  /// (counted from the end; only for axes this tensor has).
  public func expand(keeping target: [Int]) throws -> Tensor {
    guard target.count >= rank else {
      throw TensorError("expand: target \(shapeText(target)) has fewer axes than \(shapeText(shape))")
    }
    let lead = target.count - rank
    var resolved = target
    for (i, d) in target.enumerated() where d == -1 {
      guard i >= lead else {
        throw TensorError("expand: -1 at position \(i) of \(shapeText(target)) is a new leading axis (give its size)")
      }
      resolved[i] = shape[i - lead]
    }
    return try expand(resolved)
  }

  /// PyTorch's `gather`: `indices` has this tensor's rank and extents no
  /// larger than its own except along `axis`; the result has the shape of
  /// `indices`. Differentiable in `self` (the gradient scatter-adds).
  public func gather(narrowingTo indices: Tensor, axis: Int) throws -> Tensor {
    let a = try normalizedAxis(axis, op: "gather")
    guard indices.rank == rank else {
      throw TensorError("gather: index of shape \(shapeText(indices.shape)) has \(indices.rank) axes, the input \(shapeText(shape)) has \(rank)")
    }
    var source = self
    for d in 0..<rank where d != a && indices.shape[d] != shape[d] {
      guard indices.shape[d] < shape[d] else {
        throw TensorError("gather: index of shape \(shapeText(indices.shape)) is larger than the input \(shapeText(shape)) on axis \(d)")
      }
      source = try source.narrow(axis: d, start: 0, length: indices.shape[d])
    }
    return try source.gather(indices, axis: a)
  }
}
