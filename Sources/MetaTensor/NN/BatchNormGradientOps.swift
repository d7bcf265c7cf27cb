/// Batch norm's backward as recorded ops, for when the gradient is itself
/// differentiated (MAML's inner step is built with a graph). Spelled out in
/// generic ops, that gradient is ~15 passes over the activation, and the
/// outer backward runs ~30 more through them. Here dx and dγ are one fused op
/// each (dβ is a plain sum), and their own backward rules are closed forms:
/// fused loops when no further graph is wanted, generic differentiable ops
/// when it is (third order and beyond), so every order stays exact.
///
/// Per channel, over its M values, with r = 1/sqrt(σ² + eps), x̂ = (x - μ) r,
/// ḡ = mean(g) and c = mean(g x̂), the first-order rule is
///   dx = γ r (g - ḡ - x̂ c),   dγ = Σ g x̂,   dβ = Σ g.
/// For cotangents u (of dx) and a (of dγ), with ū = mean(u), s = mean(u x̂)
/// and K = mean(u g) - ū ḡ - c s, their derivatives are
///   through dx:  ∂g = γ r (u - ū - x̂ s),   ∂γ = M r K,
///                ∂x = γ r² (c ū + s ḡ - c u - s g + x̂ (2 c s - K));
///   through dγ:  ∂g = a x̂,   ∂x = a r (g - ḡ - x̂ c).
/// (∂x uses ∂x̂/∂x = r (I - 11ᵀ/M - x̂x̂ᵀ/M) and ∂r/∂x = -r² x̂ / M.)

/// dx (when `needsInput`), dγ and dβ of the training op for output gradient
/// `g`, recorded on `x`, `g` and `gamma` (nil: γ = 1).
func recordedBatchNormGradients(
  x: Tensor, gamma: Tensor?, grad g: Tensor, needsInput: Bool, stats: BatchStatistics
) throws -> (dx: Tensor?, dgamma: Tensor, dbeta: Tensor) {
  let layout = stats.layout
  let dbeta = try g.sum(axes: x.rank == 4 ? [0, 2, 3] : [0])
  let gammas = gamma?.scalars ?? [Float](repeating: 1, count: layout.channels)
  // Σg and Σ g (x - μ) of these values: the backward rules' fused paths reuse them.
  let (sums, dx) = try withBuffers(g, x) { gp, xp in
    let sums = gradientSums(gp, xp, layout, mean: stats.mean)
    let dx = needsInput
      ? try fusedInputGradient(gp, xp, shape: x.shape, stats, gammas: gammas, sumG: sums.sum, sumGD: sums.dot) : nil
    return (sums, dx)
  }
  let dgamma = try Tensor(shape: [layout.channels], scalars: (0..<layout.channels).map { Float(sums.dot[$0] * stats.invstd[$0]) })
    .recorded(as: "batch_norm_dgamma", inputs: [x, g]) { c in try gammaGradientBackward(c, stats, gSums: sums) }
  let inputs = gamma.map { [x, g, $0] } ?? [x, g]
  let recordedDx = dx?.recorded(as: "batch_norm_dx", inputs: inputs) { c in
    try inputGradientBackward(c, stats, gSums: sums)
  }
  return (recordedDx, dgamma, dbeta)
}

/// Whether a backward rule must build a graph (some enclosing differentiation
/// will differentiate its result); a plain sweep hands rules detached tensors.
func isBuildingGraph(_ c: BackwardContext) -> Bool {
  c.grad.requiresGrad || c.inputs.contains(where: \.requiresGrad)
}

/// `body` on the contiguous elements of `a` and `b`.
func withBuffers<R>(
  _ a: Tensor, _ b: Tensor, _ body: (UnsafePointer<Float>, UnsafePointer<Float>) throws -> R
) throws -> R {
  try a.withContiguousBuffer(op: "batch_norm") { ab in
    try b.withContiguousBuffer(op: "batch_norm") { bb in
      guard let ap = ab.baseAddress, let bp = bb.baseAddress else {
        throw TensorError("batch_norm: gradient of an input with no elements")
      }
      return try body(ap, bp)
    }
  }
}

/// `body` on the contiguous elements of `a`, `b` and `c`.
private func withBuffers<R>(
  _ a: Tensor, _ b: Tensor, _ c: Tensor,
  _ body: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>) throws -> R
) throws -> R {
  try withBuffers(a, b) { ap, bp in
    try c.withContiguousBuffer(op: "batch_norm") { cb in
      guard let cp = cb.baseAddress else { throw TensorError("batch_norm: gradient of an input with no elements") }
      return try body(ap, bp, cp)
    }
  }
}

/// dx = γ r (g - ḡ - x̂ c) in one pass, from the per-channel sums Σg and Σ g (x - μ).
func fusedInputGradient(
  _ gp: UnsafePointer<Float>, _ xp: UnsafePointer<Float>, shape: [Int], _ stats: BatchStatistics,
  gammas: [Float], sumG: [Double], sumGD: [Double]
) throws -> Tensor {
  let m = Double(stats.layout.perChannel)
  var gScale = [Float](), dScale = [Float](), constant = [Float]()
  for ch in 0..<stats.layout.channels {
    let r = stats.invstd[ch], s = Double(gammas[ch]) * r
    gScale.append(Float(s))
    dScale.append(Float(-s * r * r * sumGD[ch] / m))
    constant.append(Float(-s * sumG[ch] / m))
  }
  return try Tensor.make(shape) { out in
    guard let dp = out.baseAddress else { return }
    batchNormInputGradient(gp, xp, dp, stats.layout, mean: stats.mean, gScale: gScale, dScale: dScale, constant: constant)
  }
}

/// x̂ and r of `x` in generic differentiable ops (keepdims shapes), for the
/// rules that must build a graph.
private struct GenericStatistics {
  let axes: [Int]
  let paramShape: [Int]
  let xhat: Tensor
  let invstd: Tensor

  init(_ x: Tensor, eps: Float) throws {
    axes = x.rank == 4 ? [0, 2, 3] : [0]
    paramShape = x.rank == 4 ? [1, x.shape[1], 1, 1] : [1, x.shape[1]]
    let centered = try x - x.mean(axes: axes, keepdims: true)
    invstd = try 1 / (centered.square().mean(axes: axes, keepdims: true) + eps).sqrt()
    xhat = try centered * invstd
  }

  func mean(_ t: Tensor) throws -> Tensor { try t.mean(axes: axes, keepdims: true) }

  /// v - mean(v) - x̂ mean(v x̂): the first-order rule's bracket, with v for g.
  func project(_ v: Tensor) throws -> Tensor { try v - mean(v) - xhat * mean(v * xhat) }
}

/// Backward of dγ (inputs x, g; cotangent a of shape [C]); `gSums` are Σg
/// and Σ g (x - μ) of the inputs' values. ∂x has the first-order rule's form
/// with a in place of γ.
private func gammaGradientBackward(
  _ c: BackwardContext, _ stats: BatchStatistics, gSums: (sum: [Double], dot: [Double])
) throws -> [Tensor?] {
  let (x, g) = (c.inputs[0], c.inputs[1])
  if isBuildingGraph(c) {
    let t = try GenericStatistics(x, eps: stats.eps)
    let a = try c.grad.reshape(t.paramShape)
    return [try c.needsGrad[0] ? a * t.invstd * t.project(g) : nil, try c.needsGrad[1] ? a * t.xhat : nil]
  }
  let layout = stats.layout, a = c.grad.scalars
  return try withBuffers(g, x) { gp, xp in
    let dx = c.needsGrad[0]
      ? try fusedInputGradient(gp, xp, shape: x.shape, stats, gammas: a, sumG: gSums.sum, sumGD: gSums.dot) : nil
    let dg: Tensor? = c.needsGrad[1] ? try Tensor.make(x.shape) { out in
      guard let dp = out.baseAddress else { return }
      let scale = (0..<layout.channels).map { Float(Double(a[$0]) * stats.invstd[$0]) }
      channelAffine(xp, dp, layout, mean: stats.mean, scale: scale, shift: [Float](repeating: 0, count: layout.channels))
    } : nil
    return [dx, dg]
  }
}

/// Backward of dx (inputs x, g and γ if given; cotangent u shaped like x);
/// `gSums` are Σg and Σ g (x - μ) of the inputs' values. ∂g has the
/// first-order rule's form with u in place of g.
private func inputGradientBackward(
  _ c: BackwardContext, _ stats: BatchStatistics, gSums: (sum: [Double], dot: [Double])
) throws -> [Tensor?] {
  let (x, g, u) = (c.inputs[0], c.inputs[1], c.grad)
  let gamma = c.inputs.count > 2 ? c.inputs[2] : nil
  if isBuildingGraph(c) {
    let t = try GenericStatistics(x, eps: stats.eps)
    let (ub, s) = (try t.mean(u), try t.mean(u * t.xhat))
    let (gb, cc) = (try t.mean(g), try t.mean(g * t.xhat))
    let k = try t.mean(u * g) - ub * gb - cc * s
    let gr = try gamma.map { try $0.reshape(t.paramShape) * t.invstd } ?? t.invstd
    var grads: [Tensor?] = [
      try c.needsGrad[0]
        ? gr * t.invstd * (cc * ub + s * gb - cc * u - s * g + t.xhat * (2 * cc * s - k)) : nil,
      try c.needsGrad[1] ? gr * (u - ub - t.xhat * s) : nil,   // project(u), its means already at hand
    ]
    if gamma != nil {
      let m = Float(stats.layout.perChannel)
      grads.append(try c.needsGrad[2] ? (m * t.invstd * k).reshape([stats.layout.channels]) : nil)
    }
    return grads
  }
  let layout = stats.layout, channels = layout.channels, m = Double(layout.perChannel)
  let gammas = gamma?.scalars ?? [Float](repeating: 1, count: channels)
  return try withBuffers(u, g, x) { up, gp, xp in
    let (sumU, sumUD) = gradientSums(up, xp, layout, mean: stats.mean)
    let sumUG = productSums(up, gp, layout)
    var k = [Double](), uScale = [Float](), gScale = [Float](), dScale = [Float](), constant = [Float]()
    for ch in 0..<channels {
      let r = stats.invstd[ch], gr2 = Double(gammas[ch]) * r * r
      let (uMean, s) = (sumU[ch] / m, r * sumUD[ch] / m)
      let (gMean, cc) = (gSums.sum[ch] / m, r * gSums.dot[ch] / m)
      k.append(sumUG[ch] / m - uMean * gMean - cc * s)
      uScale.append(Float(-gr2 * cc))
      gScale.append(Float(-gr2 * s))
      dScale.append(Float(gr2 * r * (2 * cc * s - k[ch])))
      constant.append(Float(gr2 * (cc * uMean + s * gMean)))
    }
    var grads: [Tensor?] = [
      c.needsGrad[0] ? try Tensor.make(x.shape) { out in
        guard let dp = out.baseAddress else { return }
        batchNormSecondInputGradient(up, gp, xp, dp, layout, mean: stats.mean, uScale: uScale,
                                     gScale: gScale, dScale: dScale, constant: constant)
      } : nil,
      c.needsGrad[1]
        ? try fusedInputGradient(up, xp, shape: x.shape, stats, gammas: gammas, sumG: sumU, sumGD: sumUD) : nil,
    ]
    if gamma != nil {
      grads.append(try c.needsGrad[2]
        ? Tensor(shape: [channels], scalars: (0..<channels).map { Float(m * stats.invstd[$0] * k[$0]) }) : nil)
    }
    return grads
  }
}
