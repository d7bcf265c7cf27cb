/// Squared Euclidean distances between the rows of `a [N, D]` and `b [M, D]`,
/// as an `[N, M]` tensor (prototypical networks compare query embeddings
/// with class prototypes this way).
///
/// Computed as `|a|² + |b|² - 2 a bᵀ` — one matrix product instead of an
/// `[N, M, D]` difference tensor — and clamped at 0, since rounding can make
/// the expansion slightly negative for nearly equal rows. Differentiable to
/// any order (the clamp passes the gradient wherever the value is not negative).
public func pairwiseSquaredDistances(_ a: Tensor, _ b: Tensor) throws -> Tensor {
  guard a.rank == 2, b.rank == 2 else {
    throw TensorError("pairwise_distances: inputs must be 2-D [N, D] and [M, D], got \(shapeText(a.shape)) and \(shapeText(b.shape))")
  }
  guard a.shape[1] == b.shape[1] else {
    throw TensorError("pairwise_distances: feature sizes differ: \(shapeText(a.shape)) and \(shapeText(b.shape))")
  }
  let aa = try a.square().sum(axes: [1], keepdims: true)  // [N, 1]
  let bb = try b.square().sum(axes: [1]).reshape([1, b.shape[0]])  // [1, M]
  let cross = try a.matmul(b.T)  // [N, M]
  return try (aa + bb - 2 * cross).clamp(min: 0)
}
