/// The fused ops behind `batchNorm`: training-mode normalization by the batch
/// statistics (one recorded op) and the per-channel affine map of evaluation
/// mode. Their forwards are the raw loops of `BatchNormKernels.swift`.

/// What the training op's backward needs from its forward: small per-channel
/// arrays (no tensors, so the graph holds no reference to its own output).
struct BatchStatistics {
  let layout: ChannelLayout
  /// The mean the forward subtracted (Float, as the kernels use it).
  let mean: [Float]
  /// `1 / sqrt(variance + eps)`.
  let invstd: [Double]
  let eps: Float
}

/// Training-mode batch norm of `x` (2-D or 4-D, more than one value per
/// channel, checked by the caller) as one recorded op "batch_norm" on
/// `x`, `gamma` and `beta` (those given). Also returns the batch mean and
/// biased variance per channel, untracked, for the running statistics.
func batchNormTraining(
  _ x: Tensor, gamma: Tensor?, beta: Tensor?, eps: Float
) throws -> (output: Tensor, mean: [Double], variance: [Double]) {
  let layout = ChannelLayout(x.shape)
  let channels = layout.channels
  let gammas = gamma?.scalars ?? [Float](repeating: 1, count: channels)
  let shift = beta?.scalars ?? [Float](repeating: 0, count: channels)
  var inputs = [x]
  if let gamma { inputs.append(gamma) }
  if let beta { inputs.append(beta) }
  let (hasGamma, hasBeta) = (gamma != nil, beta != nil)
  return try x.withContiguousBuffer(op: "batch_norm") { xs in
    guard let xp = xs.baseAddress else {
      throw TensorError("batch_norm: input \(shapeText(x.shape)) has no elements")
    }
    let (mean, variance) = channelMoments(xp, layout)
    let invstd = variance.map { 1 / ($0 + Double(eps)).squareRoot() }
    let stats = BatchStatistics(layout: layout, mean: mean.map { Float($0) }, invstd: invstd, eps: eps)
    let scale = (0..<channels).map { Float(Double(gammas[$0]) * invstd[$0]) }
    let output = try Tensor.custom("batch_norm", shape: x.shape, inputs: inputs, fill: { out in
      guard let yp = out.baseAddress else { return }
      channelAffine(xp, yp, layout, mean: stats.mean, scale: scale, shift: shift)
    }, backward: { c in
      let gammaInput = hasGamma ? c.inputs[1] : nil
      let (dx, dgamma, dbeta) = try batchNormGradients(c, gamma: gammaInput, stats)
      var grads: [Tensor?] = [c.needsGrad[0] ? dx : nil]
      if hasGamma { grads.append(dgamma) }
      if hasBeta { grads.append(dbeta) }
      return grads
    })
    return (output, mean, variance)
  }
}

/// Gradients of the training op for x, gamma and beta (dx nil when x's is
/// not needed). Fused loops when no graph is wanted (a first-order sweep
/// detaches everything); recorded ops (`BatchNormGradientOps.swift`)
/// otherwise, so that gradients of gradients stay exact.
private func batchNormGradients(
  _ c: BackwardContext, gamma: Tensor?, _ stats: BatchStatistics
) throws -> (dx: Tensor?, dgamma: Tensor, dbeta: Tensor) {
  let x = c.inputs[0]
  if isBuildingGraph(c) {
    return try recordedBatchNormGradients(x: x, gamma: gamma, grad: c.grad, needsInput: c.needsGrad[0], stats: stats)
  }
  let layout = stats.layout, channels = layout.channels
  return try withBuffers(c.grad, x) { gp, xp in
    let (sumG, sumGD) = gradientSums(gp, xp, layout, mean: stats.mean)
    let dgamma = try Tensor(shape: [channels], scalars: (0..<channels).map { Float(sumGD[$0] * stats.invstd[$0]) })
    let dbeta = try Tensor(shape: [channels], scalars: sumG.map { Float($0) })
    guard c.needsGrad[0] else { return (nil, dgamma, dbeta) }
    let gammas = gamma?.scalars ?? [Float](repeating: 1, count: channels)
    return (try fusedInputGradient(gp, xp, shape: x.shape, stats, gammas: gammas, sumG: sumG, sumGD: sumGD), dgamma, dbeta)
  }
}

/// `(x - mean) * scale + shift` per channel (axis 1) of a 2-D or 4-D `x`,
/// with `mean`, `scale`, `shift` of shape `[C]`: one pass over `x`. Linear in
/// `x`, so its input gradient is the same op on the incoming gradient (with
/// no mean or shift); the others are per-channel sums. Differentiable to any order.
func channelAffine(_ x: Tensor, mean: Tensor, scale: Tensor, shift: Tensor) throws -> Tensor {
  let layout = ChannelLayout(x.shape)
  let (m, s, b) = (mean.scalars, scale.scalars, shift.scalars)
  return try x.withContiguousBuffer(op: "batch_norm") { xs in
    try Tensor.custom("channel_affine", shape: x.shape, inputs: [x, mean, scale, shift], fill: { out in
      guard let xp = xs.baseAddress, let yp = out.baseAddress else { return }
      channelAffine(xp, yp, layout, mean: m, scale: s, shift: b)
    }, backward: { c in
      let (x, mean, scale) = (c.inputs[0], c.inputs[1], c.inputs[2])
      let channels = layout.channels
      let axes = x.rank == 4 ? [0, 2, 3] : [0]
      let paramShape = x.rank == 4 ? [1, channels, 1, 1] : [1, channels]
      let zeros = try Tensor.zeros([channels])
      let sumG = c.needsGrad[1] || c.needsGrad[3] ? try c.grad.sum(axes: axes) : nil
      return [
        try c.needsGrad[0] ? channelAffine(c.grad, mean: zeros, scale: scale, shift: zeros) : nil,
        try c.needsGrad[1] ? -(sumG ?? zeros) * scale : nil,
        try c.needsGrad[2] ? (c.grad * (x - mean.reshape(paramShape))).sum(axes: axes) : nil,
        c.needsGrad[3] ? sumG : nil,
      ]
    })
  }
}
