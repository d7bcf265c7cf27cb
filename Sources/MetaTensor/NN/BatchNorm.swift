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
/// In training mode the batch mean and biased variance normalize `x`, in one
/// fused op (`batchNormTraining`) whose gradient, of any order, includes the
/// paths through the statistics. When running statistics are given they
/// are updated as in PyTorch: `(1 - momentum) * running + momentum * batch`,
/// using the unbiased variance. In evaluation mode the running statistics
/// normalize `x` and are returned unchanged. Functional: nothing is mutated.
public func batchNorm(
  _ x: Tensor, gamma: Tensor? = nil, beta: Tensor? = nil,
  runningMean: Tensor? = nil, runningVar: Tensor? = nil,
  training: Bool, momentum: Float = 0.1, eps: Float = 1e-5
) throws -> BatchNormResult {
  guard x.rank == 2 || x.rank == 4 else {
    throw TensorError("batch_norm: input must be 2-D [N, C] or 4-D [N, C, H, W], got \(shapeText(x.shape))")
  }
  let channels = x.shape[1]
  for (name, t) in [("gamma", gamma), ("beta", beta), ("running_mean", runningMean), ("running_var", runningVar)] {
    if let t, t.shape != [channels] {
      throw TensorError("batch_norm: \(name) \(shapeText(t.shape)) does not match the \(channels) channels of input \(shapeText(x.shape))")
    }
  }
  guard (runningMean == nil) == (runningVar == nil) else {
    throw TensorError("batch_norm: running_mean and running_var must be given together")
  }
  guard eps >= 0, eps.isFinite else { throw TensorError("batch_norm: eps \(eps) must be finite and not negative") }
  guard momentum >= 0, momentum <= 1 else { throw TensorError("batch_norm: momentum \(momentum) must lie in [0, 1]") }

  if training {
    let perChannel = x.shape.enumerated().reduce(1) { $1.offset == 1 ? $0 : $0 * $1.element }
    guard perChannel > 1 else {
      throw TensorError("batch_norm: training needs more than 1 value per channel, input \(shapeText(x.shape)) has \(perChannel)")
    }
    let (output, mean, variance) = try batchNormTraining(x, gamma: gamma, beta: beta, eps: eps)
    guard let runningMean, let runningVar else {
      return BatchNormResult(output: output, runningMean: nil, runningVar: nil)
    }
    let unbiased = Float(Double(perChannel) / Double(perChannel - 1))
    let keep = 1 - momentum
    let batchMean = try Tensor(shape: [channels], scalars: mean.map { Float($0) })
    let batchVar = try Tensor(shape: [channels], scalars: variance.map { Float($0) })
    return BatchNormResult(
      output: output,
      runningMean: try keep * runningMean.detached() + momentum * batchMean,
      runningVar: try keep * runningVar.detached() + (momentum * unbiased) * batchVar)
  }
  guard let runningMean, let runningVar else {
    throw TensorError("batch_norm: evaluation mode (training: false) needs running_mean and running_var")
  }
  // gamma / std is per channel: one multiply over x instead of a divide and a multiply.
  let std = try (runningVar + eps).sqrt()
  let scale = try gamma.map { try $0 / std } ?? (1 / std)
  let output = try channelAffine(x, mean: runningMean, scale: scale, shift: beta ?? Tensor.zeros([channels]))
  return BatchNormResult(output: output, runningMean: runningMean, runningVar: runningVar)
}
