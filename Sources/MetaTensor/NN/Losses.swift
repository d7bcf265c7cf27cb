/// Loss functions and metrics for classification and regression.

/// Cross entropy between `logits [N, C]` and class `labels [N]` (whole numbers
/// in `0..<C` stored as floats): the mean (or, with `mean: false`, the sum)
/// over the batch of `-logSoftmax(logits)[i, labels[i]]`. Differentiable in
/// `logits` to any order; a label that is not a whole number in range throws
/// an error naming it.
public func crossEntropy(_ logits: Tensor, _ labels: Tensor, mean: Bool = true) throws -> Tensor {
  let (n, _) = try checkClassification(logits, labels, op: "cross_entropy")
  if mean && n == 0 { throw TensorError("cross_entropy: empty batch (logits \(shapeText(logits.shape)))") }
  let picked = try logSoftmax(logits, axis: 1).gather(labels.detached().reshape([n, 1]), axis: 1)
  let total = try -picked.sum()
  return mean ? try total / Float(n) : total
}

/// Mean squared error `mean((prediction - target)²)`.
///
/// The shapes must be equal: no broadcasting. Broadcasting would silently turn
/// the classic mistake of a `[N, 1]` prediction against an `[N]` target into an
/// `[N, N]` matrix of every pairing, a loss that trains but is wrong.
public func mse(_ prediction: Tensor, _ target: Tensor) throws -> Tensor {
  guard prediction.shape == target.shape else {
    // Scores [..., C] against int64 labels [...]: a classification task given mse.
    let labels = target.dtype == .int64 && prediction.rank == target.rank + 1
      && Array(prediction.shape.dropLast()) == target.shape
    let hint = labels ? "the targets look like class labels: use cross_entropy (loss: cross_entropy)"
      : "mse does not broadcast; reshape one of them"
    throw TensorError("mse: prediction \(shapeText(prediction.shape)) and target \(shapeText(target.shape)) have different shapes (\(hint))")
  }
  guard prediction.count > 0 else { throw TensorError("mse: empty tensors \(shapeText(prediction.shape))") }
  let n = prediction.count
  // One node instead of four (sub, square, sum, div): MAML differentiates
  // through this twice per task. The value and the first-order gradient
  // round exactly as the composed form did.
  let node = GradNode.record("mse", prediction, target, { c in
    let scaled = try (c.grad / Float(n)) * (2 * (c.inputs[0] - c.inputs[1]))
    return [c.needsGrad[0] ? scaled : nil, c.needsGrad[1] ? try -scaled : nil]
  })
  let squares = try (prediction.detached() - target.detached()).square()
  let mean = try squares.sum() / Float(n)
  return mean.withNode(node)
}

/// Binary cross entropy of `logits` against `targets` in [0, 1] of the same
/// shape, averaged (or summed with `mean: false`):
/// `max(x, 0) - x*t + log1p(exp(-|x|))`, which never overflows. Gradients
/// `sigmoid(x) - t` for the logits (also at x = 0, where the formula's kinks
/// cancel) and `-x` for the targets, differentiable to any order.
public func binaryCrossEntropyWithLogits(_ logits: Tensor, _ targets: Tensor, mean: Bool = true) throws -> Tensor {
  let op = "binary_cross_entropy_with_logits"
  guard logits.shape == targets.shape else {
    throw TensorError("\(op): logits \(shapeText(logits.shape)) and targets \(shapeText(targets.shape)) have different shapes")
  }
  if mean && logits.count == 0 { throw TensorError("\(op): empty tensors \(shapeText(logits.shape))") }
  // Targets may be int64 or bool labels: both operands in one floating dtype.
  let (logits, targets, _) = try Tensor.promoteFloating(logits, targets)
  let scale = logits.constant(mean ? 1 / Double(logits.count) : 1)
  let node = GradNode.record(op, logits, targets, { c in
    let (x, t) = (c.inputs[0], c.inputs[1])
    let g = try c.grad * scale
    return [try c.needsGrad[0] ? g * (x.sigmoid() - t) : nil, try c.needsGrad[1] ? g * -x : nil]
  })
  let (x, t) = (logits.detached(), targets.detached())
  let elementwise = try x.relu() - x * t + (-x.abs()).exp().log1p()
  return try (mean ? elementwise.mean() : elementwise.sum()).withNode(node)
}

/// The fraction of rows of `logits [N, C]` whose largest entry (the first on
/// ties) is at `labels[i]`, as a 0-d tensor. A metric: not differentiable.
public func accuracy(_ logits: Tensor, _ labels: Tensor) throws -> Tensor {
  let (n, _) = try checkClassification(logits, labels, op: "accuracy")
  guard n > 0 else { throw TensorError("accuracy: empty batch (logits \(shapeText(logits.shape)))") }
  return try logits.detached().argmax(axis: 1).eq(labels.detached()).mean()
}

/// Checks `logits [N, C]` against `labels [N]` of whole numbers in `0..<C`;
/// returns (N, C).
func checkClassification(_ logits: Tensor, _ labels: Tensor, op: String) throws -> (Int, Int) {
  guard logits.rank == 2 else {
    throw TensorError("\(op): logits must be 2-D [N, C], got \(shapeText(logits.shape))")
  }
  let (n, classes) = (logits.shape[0], logits.shape[1])
  guard labels.shape == [n] else {
    throw TensorError("\(op): labels \(shapeText(labels.shape)) do not match logits \(shapeText(logits.shape)) (expected [\(n)])")
  }
  guard classes > 0 || n == 0 else { throw TensorError("\(op): logits \(shapeText(logits.shape)) have no classes") }
  for (i, v) in labels.elements(as: Double.self).enumerated() where !(v >= 0 && v < Double(classes) && v == v.rounded()) {
    throw TensorError("\(op): label \(classIndexText(v)) at position \(i) is not a class index in 0..<\(classes)")
  }
  return (n, classes)
}

/// A would-be class index as the user wrote it: `7`, not `7.0`, for a whole
/// number (labels are int64), else as is (`0.5`, `nan`).
func classIndexText(_ v: Double) -> String {
  v == v.rounded() && Swift.abs(v) < 1e15 ? String(Int64(v)) : "\(v)"
}
