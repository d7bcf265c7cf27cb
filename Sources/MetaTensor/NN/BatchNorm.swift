/// What `batchNorm` returns: the normalized tensor and the running statistics
/// to use next time (the inputs unchanged in evaluation mode, nil when none
/// were given).
public struct BatchNormResult {
  /// The normalized, scaled and shifted input.
  public let output: Tensor
  /// Updated running mean `[C]` (a constant: no gradient flows into it).
  public let runningMean: Tensor?
  /// Updated running variance `[C]` (a constant: no gradient flows into it).
  public let runningVar: Tensor?
}

/// Batch normalization per channel (axis 1) over `x [N, C, H, W]` (statistics
/// over N, H, W) or `x [N, C]` (over N), with optional per-channel scale
/// `gamma [C]` and shift `beta [C]`.
///
/// In training mode the batch mean and biased variance normalize `x`; they are
/// computed with differentiable ops, so the gradient (of any order) includes
/// the paths through the statistics. When running statistics are given they
/// are updated as in PyTorch: `(1 - momentum) * running + momentum * batch`,
/// using the unbiased variance. In evaluation mode the running statistics
/// normalize `x` and are returned unchanged. Functional: nothing is mutated.
public func batchNorm(
  _ x: Tensor, gamma: Tensor? = nil, beta: Tensor? = nil,
  runningMean: Tensor? = nil, runningVar: Tensor? = nil,
  training: Bool, momentum: Float = 0.1, eps: Float = 1e-5
) throws -> BatchNormResult {
  guard x.rank == 2 || x.rank == 4 else {
    throw TensorError("batchNorm: input must be 2-D [N, C] or 4-D [N, C, H, W], got \(shapeText(x.shape))")
  }
  let channels = x.shape[1]
  for (name, t) in [("gamma", gamma), ("beta", beta), ("runningMean", runningMean), ("runningVar", runningVar)] {
    if let t, t.shape != [channels] {
      throw TensorError("batchNorm: \(name) \(shapeText(t.shape)) does not match the \(channels) channels of input \(shapeText(x.shape))")
    }
  }
  guard (runningMean == nil) == (runningVar == nil) else {
    throw TensorError("batchNorm: runningMean and runningVar must be given together")
  }
  guard eps >= 0, eps.isFinite else { throw TensorError("batchNorm: eps \(eps) must be finite and not negative") }
  guard momentum >= 0, momentum <= 1 else { throw TensorError("batchNorm: momentum \(momentum) must lie in [0, 1]") }

  let axes = x.rank == 4 ? [0, 2, 3] : [0]
  let paramShape = x.rank == 4 ? [1, channels, 1, 1] : [1, channels]
  var output: Tensor
  let newMean: Tensor?, newVar: Tensor?
  if training {
    let perChannel = axes.reduce(1) { $0 * x.shape[$1] }
    guard perChannel > 1 else {
      throw TensorError("batchNorm: training needs more than 1 value per channel, input \(shapeText(x.shape)) has \(perChannel)")
    }
    let mean = try x.mean(axes: axes, keepdims: true)
    let centered = try x - mean
    let variance = try centered.square().mean(axes: axes, keepdims: true)
    // gamma / std is per channel: one multiply over x instead of a divide and a multiply.
    output = try centered * perChannelScale(gamma, std: (variance + eps).sqrt(), paramShape)
    if let runningMean, let runningVar {
      let unbiased = Float(Double(perChannel) / Double(perChannel - 1))
      let keep = 1 - momentum
      newMean = try (keep * runningMean.detached() + momentum * mean.detached().reshape([channels]))
      newVar = try (keep * runningVar.detached() + (momentum * unbiased) * variance.detached().reshape([channels]))
    } else {
      (newMean, newVar) = (nil, nil)
    }
  } else {
    guard let runningMean, let runningVar else {
      throw TensorError("batchNorm: evaluation mode (training: false) needs runningMean and runningVar")
    }
    let mean = try runningMean.reshape(paramShape), variance = try runningVar.reshape(paramShape)
    output = try (x - mean) * perChannelScale(gamma, std: (variance + eps).sqrt(), paramShape)
    (newMean, newVar) = (runningMean, runningVar)
  }
  if let beta { output = try output + beta.reshape(paramShape) }
  return BatchNormResult(output: output, runningMean: newMean, runningVar: newVar)
}

/// `gamma / std` (or `1 / std`) shaped `paramShape`: a small per-channel tensor.
private func perChannelScale(_ gamma: Tensor?, std: Tensor, _ paramShape: [Int]) throws -> Tensor {
  guard let gamma else { return try 1 / std }
  return try gamma.reshape(paramShape) / std
}
