/// `exp(x) / sum(exp(x))` along `axis` (negative counts from the end).
///
/// Numerically stable: the row maximum is subtracted first as a constant
/// (softmax does not depend on it, so cutting its gradient is exact), so no
/// `exp` overflows. Built from differentiable ops: derivatives of any order.
public func softmax(_ x: Tensor, axis: Int = -1) throws -> Tensor {
  let a = try x.normalizedAxis(axis, op: "softmax")
  guard x.shape[a] > 0 else { return x }
  let shift = try finiteShift(x, axis: a)
  let e = try (x - shift).exp()
  return try e / e.sum(axes: [a], keepdims: true)
}

/// `log(softmax(x))` along `axis`, computed as `x - logsumexp(x)` so that
/// large logits neither overflow nor lose the small probabilities' precision.
public func logSoftmax(_ x: Tensor, axis: Int = -1) throws -> Tensor {
  let a = try x.normalizedAxis(axis, op: "log_softmax")
  guard x.shape[a] > 0 else { return x }
  let shift = try finiteShift(x, axis: a)
  let shifted = try x - shift
  return try shifted - shifted.exp().sum(axes: [a], keepdims: true).log()
}

/// The detached maximum along `a` (kept as a size-1 axis), with a -inf
/// maximum (an all -inf row) replaced by 0. A +inf maximum is kept, as
/// PyTorch: `inf - inf` makes that whole row NaN (`softmax([inf, 1])` is
/// `[nan, nan]`), where a shift of 0 would give `[nan, 0]`.
private func finiteShift(_ x: Tensor, axis a: Int) throws -> Tensor {
  let m = try x.detached().max(axes: [a], keepdims: true)
  // -inf and NaN both fail `m > -inf` (a NaN row is NaN either way);
  // select avoids the NaN of 0 * inf.
  return try Tensor.select(try m.gt(-Float.infinity), m, Tensor(0))
}
