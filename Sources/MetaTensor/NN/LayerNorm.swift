/// Layer normalization, as PyTorch's `F.layer_norm`: each slice of `x` over
/// its trailing axes `normalizedShape` (which must equal `x`'s last
/// dimensions) is centred by its mean and divided by `sqrt(variance + eps)`
/// (biased variance), then scaled by `weight` and shifted by `bias` (both of
/// shape `normalizedShape`, optional). Composed of differentiable ops, so
/// gradients of any order flow to `x`, `weight` and `bias`. NaN in a slice
/// makes that slice NaN and leaves the others alone.
public func layerNorm(
  _ x: Tensor, normalizedShape: [Int], weight: Tensor? = nil, bias: Tensor? = nil, eps: Float = 1e-5
) throws -> Tensor {
  let k = normalizedShape.count
  guard k >= 1, k <= x.rank, Array(x.shape.suffix(k)) == normalizedShape else {
    throw TensorError("layer_norm: normalized_shape \(shapeText(normalizedShape)) must be the last dimensions of the input \(shapeText(x.shape))")
  }
  for (name, t) in [("weight", weight), ("bias", bias)] {
    if let t, t.shape != normalizedShape {
      throw TensorError("layer_norm: \(name) \(shapeText(t.shape)) does not match normalized_shape \(shapeText(normalizedShape))")
    }
  }
  guard eps >= 0, eps.isFinite else { throw TensorError("layer_norm: eps must be finite and not negative (got \(eps))") }
  var y = x
  // An empty slice has no statistics (0/0); an empty input has nothing to normalize.
  if x.count > 0 {
    let axes = Array((x.rank - k)..<x.rank)
    let centered = try x - x.mean(axes: axes, keepdims: true)
    let variance = try centered.square().mean(axes: axes, keepdims: true)
    y = try centered / (variance + eps).sqrt()
  }
  if let weight { y = try y * weight }
  if let bias { y = try y + bias }
  return y
}
