/// Inverted dropout, as PyTorch's `F.dropout`: in training each element of
/// `x` is kept with probability `1 - p` and scaled by `1 / (1 - p)`, else
/// zeroed, so the expected output is `x`; out of training (or with `p` = 0)
/// the result is `x` itself and nothing is drawn. The mask is a constant drawn
/// from `rng` in row-major order, so the gradient is `x`'s times the same
/// mask, to any order. `p` = 1 gives `x * 0` (NaN and inf still propagate,
/// as in PyTorch). `p` outside [0, 1] (NaN included) is an error.
public func dropout(_ x: Tensor, p: Float, training: Bool, using rng: inout RandomState) throws -> Tensor {
  guard p >= 0, p <= 1 else { throw TensorError("dropout: p must be in [0, 1] (got \(p))") }
  guard training, p > 0 else { return x }
  if p == 1 { return try x * Tensor(0) }
  let keep = 1 - Double(p)
  let scale = Float(1 / keep)
  let mask = try Tensor.make(x.shape) { out in
    for i in 0..<out.count { out[i] = rng.uniformDouble() < keep ? scale : 0 }
  }
  return try x * mask
}
