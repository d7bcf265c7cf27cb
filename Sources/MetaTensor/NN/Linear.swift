/// The functional forms of a dense layer and of the negative log-likelihood
/// loss, with PyTorch's conventions.

/// `x @ weightᵀ + bias` with `weight` shaped [out, in] (PyTorch's
/// `F.linear`): `x` is [..., in] and the result [..., out]; `bias`, if given,
/// is [out]. One matmul node (no transpose view), differentiable to any order.
public func linear(_ x: Tensor, _ weight: Tensor, bias: Tensor? = nil) throws -> Tensor {
  guard weight.rank == 2 else {
    throw TensorError("linear: weight must be 2-D [out, in], got \(shapeText(weight.shape))")
  }
  let (outputs, inputs) = (weight.shape[0], weight.shape[1])
  guard x.rank >= 1, x.shape[x.rank - 1] == inputs else {
    throw TensorError("linear: input \(shapeText(x.shape)) does not end in \(inputs), the in-features of weight \(shapeText(weight.shape)) ([out, in])")
  }
  if let bias, bias.shape != [outputs] {
    throw TensorError("linear: bias \(shapeText(bias.shape)) does not match the \(outputs) out-features of weight \(shapeText(weight.shape)) (expected [\(outputs)])")
  }
  // One floating dtype for both (integers compute in float32, as `/` does).
  let (input, w, _) = try Tensor.promoteFloating(x, weight)
  let rows = try input.reshape([x.shape.dropLast().reduce(1, *), inputs])  // not -1: in-features may be 0
  var result = try Tensor.product(rows, w, false, true).reshape(Array(x.shape.dropLast()) + [outputs])
  if let bias { result = try result + bias }
  return result
}

/// The negative log-likelihood of class `labels [N]` (whole numbers in
/// `0..<C`) under log-probabilities `logProbabilities [N, C]` (for example
/// from `logSoftmax`), averaged over the batch (PyTorch's `nll_loss`).
/// Differentiable in the log-probabilities to any order.
public func nllLoss(_ logProbabilities: Tensor, _ labels: Tensor) throws -> Tensor {
  let (n, _) = try checkClassification(logProbabilities, labels, op: "nll_loss")
  guard n > 0 else { throw TensorError("nll_loss: empty batch (log-probabilities \(shapeText(logProbabilities.shape)))") }
  let picked = try logProbabilities.gather(labels.detached().reshape([n, 1]), axis: 1)
  return try -picked.sum() / Float(n)
}
