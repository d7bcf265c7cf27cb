/// The densities, entropies and Kullback-Leibler divergences of normal and
/// categorical distributions, with PyTorch's `torch.distributions` formulas,
/// built from differentiable ops: gradients of any order flow to the
/// parameters (and to a normal's value). Parameters broadcast as PyTorch's.

/// log(sqrt(2π)).
private let halfLogTwoPi: Float = 0.918_938_533_204_672_7
/// The most negative finite Float32: PyTorch clamps `-inf` logits to it
/// wherever they multiply a zero probability, so that 0 · (-inf) is 0, not NaN.
private let lowestLogit = -Float.greatestFiniteMagnitude

/// The tensors broadcast to their common shape (views: gradients sum back).
public func broadcastAll(_ tensors: [Tensor], op: String) throws -> [Tensor] {
  var shape: [Int] = []
  for t in tensors { shape = try broadcastShapes(shape, t.shape, op: op) }
  return try tensors.map { try $0.expand(shape) }
}

// MARK: Normal

/// log N(x; mean, std²) = -((x - mean) / std)² / 2 - log(std) - log(sqrt(2π)), broadcast.
public func normalLogProb(_ x: Tensor, mean: Tensor, std: Tensor) throws -> Tensor {
  let z = try (x - mean) / std
  return try -0.5 * z.square() - std.log() - halfLogTwoPi
}

/// The differential entropy 1/2 + log(sqrt(2π)) + log(std), shaped like `std`.
public func normalEntropy(std: Tensor) throws -> Tensor {
  try std.log() + (0.5 + halfLogTwoPi)
}

/// KL(N(m1, s1²) || N(m2, s2²)) = (r + ((m1 - m2) / s2)² - 1 - log r) / 2 with
/// r = (s1 / s2)², broadcast.
public func normalKL(mean1: Tensor, std1: Tensor, mean2: Tensor, std2: Tensor) throws -> Tensor {
  let ratio = try (std1 / std2).square()
  let shift = try ((mean1 - mean2) / std2).square()
  return try 0.5 * (ratio + shift - 1 - ratio.log())
}

// MARK: Categorical

/// Logits normalized along the last axis (log-probabilities): `logits - logsumexp(logits)`.
public func categoricalLogits(fromLogits logits: Tensor) throws -> Tensor { try logSoftmax(logits, axis: -1) }

/// Probabilities normalized along the last axis.
public func categoricalProbs(fromProbs probs: Tensor) throws -> Tensor {
  try probs / probs.sum(axes: [-1], keepdims: true)
}

/// Logits of normalized `probs`: `log(clamp(probs, eps, 1 - eps))` with eps the
/// Float32 machine epsilon, as PyTorch, so that a zero probability has a large
/// negative but finite logit (and a finite gradient).
public func categoricalLogits(fromProbs probs: Tensor) throws -> Tensor {
  let eps = Float.ulpOfOne
  return try probs.clamp(min: eps, max: 1 - eps).log()
}

/// The log-probability of class indices `x` under normalized `logits [..., C]`:
/// `x` broadcasts against the batch shape (all axes but the last). `x` must
/// hold class indices in `0..<C`.
public func categoricalLogProb(_ x: Tensor, logits: Tensor) throws -> Tensor {
  guard let classes = logits.shape.last else {
    throw TensorError("Categorical.log_prob: the logits need a class axis")
  }
  for (i, v) in x.elements(as: Double.self).enumerated() where !(v >= 0 && v < Double(classes) && v == v.rounded()) {
    throw TensorError("Categorical.log_prob: value \(classIndexText(v)) at position \(i) is not a class index in 0..<\(classes)")
  }
  let batch = Array(logits.shape.dropLast())
  let target = try broadcastShapes(x.shape, batch, op: "Categorical.log_prob")
  let index = try x.detached().expand(target).unsqueeze(-1)
  return try logits.expand(target + [classes]).gather(index, axis: -1).squeeze(-1)
}

/// The entropy `-sum(probs * logits)` over the last axis, with `-inf` logits
/// (zero probabilities) counting 0.
public func categoricalEntropy(logits: Tensor, probs: Tensor) throws -> Tensor {
  try -(logits.clamp(min: lowestLogit) * probs).sum(axes: [-1])
}

/// KL(p || q) = sum(p (log p - log q)) over the last axis, broadcast: classes
/// with p = 0 count 0, and p > 0 where q = 0 gives +inf. Written so that those
/// cases also have finite (zero) gradients.
public func categoricalKL(logits1: Tensor, probs1: Tensor, logits2: Tensor, probs2: Tensor) throws -> Tensor {
  guard logits1.shape.last == logits2.shape.last else {
    throw TensorError("kl: the distributions have different numbers of classes (\(logits1.shape.last ?? 0) and \(logits2.shape.last ?? 0))")
  }
  let terms = try probs1 * (logits1.clamp(min: lowestLogit) - logits2.clamp(min: lowestLogit))
  let impossible = try probs2.eq(0)
  let withInf = try Tensor.select(impossible, Tensor(Float.infinity), terms)
  return try Tensor.select(probs1.eq(0), Tensor(0), withInf).sum(axes: [-1])
}
