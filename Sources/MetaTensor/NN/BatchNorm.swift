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
  let operands = [x, gamma, beta, runningMean, runningVar].compactMap { $0 }
  if operands.contains(where: { $0.dtype != .float32 }) {
    return try batchNormFloating(x, gamma: gamma, beta: beta, runningMean: runningMean, runningVar: runningVar,
                                 training: training, momentum: momentum, eps: eps, dtype: windowDType(operands, op: "batch_norm"))
  }

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

/// `batchNorm` in float64 (any operand float64 promotes the others; int64
/// and bool are an error): the same formulas composed of differentiable ops
/// (mean and biased variance over the reduced axes), so gradients of every
/// order flow through the statistics and come out float64. The float32 path
/// above runs fused kernels instead. The checks are the caller's.
private func batchNormFloating(
  _ x: Tensor, gamma: Tensor?, beta: Tensor?, runningMean: Tensor?, runningVar: Tensor?,
  training: Bool, momentum: Float, eps: Float, dtype: DType
) throws -> BatchNormResult {
  let channels = x.shape[1]
  let axes = x.rank == 4 ? [0, 2, 3] : [0]
  let perChannel = x.count / Swift.max(channels, 1)
  let x = try x.astype(dtype)
  let epsilon = try Tensor(shape: [], elements: [Double(eps)]).astype(dtype)
  @inline(__always) func perChannelShape(_ t: Tensor) throws -> Tensor {
    try t.astype(dtype).reshape(x.rank == 4 ? [1, channels, 1, 1] : [1, channels])
  }
  var y: Tensor, newMean = runningMean, newVar = runningVar
  if training {
    guard perChannel > 1 else {
      throw TensorError("batch_norm: training needs more than 1 value per channel, input \(shapeText(x.shape)) has \(perChannel)")
    }
    let mean = try x.mean(axes: axes, keepdims: true)
    let centered = try x - mean
    let variance = try centered.square().mean(axes: axes, keepdims: true)
    y = try centered / (variance + epsilon).sqrt()
    if let runningMean, let runningVar {
      let keep = Double(1 - momentum), rate = Double(momentum), unbiased = Double(perChannel) / Double(perChannel - 1)
      let scalar = { (v: Double) in try Tensor(shape: [], elements: [v]).astype(dtype) }
      newMean = try scalar(keep) * runningMean.detached().astype(dtype) + scalar(rate) * mean.detached().reshape([channels])
      newVar = try scalar(keep) * runningVar.detached().astype(dtype)
        + scalar(rate * unbiased) * variance.detached().reshape([channels])
    }
  } else {
    guard let runningMean, let runningVar else {
      throw TensorError("batch_norm: evaluation mode (training: false) needs running_mean and running_var")
    }
    y = try (x - perChannelShape(runningMean)) / (perChannelShape(runningVar) + epsilon).sqrt()
  }
  if let gamma { y = try y * perChannelShape(gamma) }
  if let beta { y = try y + perChannelShape(beta) }
  return BatchNormResult(output: y, runningMean: newMean, runningVar: newVar)
}
