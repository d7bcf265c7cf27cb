// Distributions (spec §4.1): `Normal(mean, std)` and `Categorical(probs)` /
// `Categorical(logits: l)`, native objects with `.sample(n?)`, `.rsample(n?)`,
// `.log_prob(x)`, `.entropy()`, and `kl(p, q)`. The formulas are MetaTensor's
// (PyTorch's, differentiable); the parameters are checked once, here, as
// PyTorch's argument validation does. Sampling draws from the stream of the
// interpreter that made the distribution.

import MetaTensor

/// What `Normal` and `Categorical` share: a batch shape, the stream they sample
/// from and the method table.
class MetaDistribution: NativeObject, NativeMethods {
  let random: RandomStream
  /// The shape of the parameters without the event axis (PyTorch's `batch_shape`).
  let batchShape: [Int]

  init(random: RandomStream, batchShape: [Int]) {
    self.random = random; self.batchShape = batchShape
  }

  var typeName: String { "Distribution" }
  var description: String { typeName }
  /// Data fields (methods are listed by `fieldNames` as well).
  func dataField(_ name: String) -> Value? { nil }
  var dataFieldNames: [String] { [] }

  func sample(_ shape: [Int], reparameterized: Bool) throws -> Tensor {
    throw BuiltinError("\(typeName).sample is not available")
  }
  func logProb(_ x: Tensor) throws -> Tensor { throw BuiltinError("\(typeName).log_prob is not available") }
  func entropy() throws -> Tensor { throw BuiltinError("\(typeName).entropy is not available") }

  static let methodNames = ["sample", "rsample", "log_prob", "entropy"]

  var fieldNames: [String] { ["batch_shape"] + dataFieldNames + MetaDistribution.methodNames }

  func field(_ name: String) throws -> Value? {
    if name == "batch_shape" { return .list(batchShape.map { .int($0) }) }
    if let v = dataField(name) { return v }
    guard MetaDistribution.methodNames.contains(name) else { return nil }
    // `d.sample` without a call: a bound method value.
    return .function(Function(name: name) { [self] args in
      guard let r = try self.callMethod(name, args) else { throw BuiltinError("\(self.typeName) has no method '\(name)'") }
      return r
    })
  }

  func callMethod(_ name: String, _ arguments: NativeArguments) throws -> Value? {
    var args = arguments
    args.function = "\(typeName).\(name)"
    switch name {
    case "sample", "rsample":
      try args.checkLabels([])
      try args.expect(0...1)
      let shape = args.count == 1 ? try args.ints(0, what: "sample shape (Int or List of Ints)") : []
      return .tensor(try sample(shape, reparameterized: name == "rsample"))
    case "log_prob":
      try args.checkLabels([])
      try args.expect(1)
      return .tensor(try logProb(try args.tensor(0)))
    case "entropy":
      try args.checkLabels([])
      try args.expect(0)
      return .tensor(try entropy())
    default:
      return nil
    }
  }

  /// A parameter as printing shows it: the values of a short vector (one line), else the shape.
  static func shown(_ t: Tensor) -> String { t.rank <= 1 && t.count <= 8 ? t.description : "Tensor\(t.shape)" }
}

/// `Normal(mean, std)`: parameters broadcast to one batch shape.
final class NormalDistribution: MetaDistribution {
  let mean: Tensor, std: Tensor

  init(mean: Tensor, std: Tensor, random: RandomStream) throws {
    let both = try broadcastAll([mean, std], op: "Normal")
    for (i, v) in mean.scalars.enumerated() where v.isNaN {
      throw BuiltinError("Normal: mean is nan at position \(i)")
    }
    for (i, v) in std.scalars.enumerated() where !(v > 0) {
      throw BuiltinError("Normal: std must be positive (got \(formatFloat(Double(v))) at position \(i))")
    }
    self.mean = both[0]; self.std = both[1]
    super.init(random: random, batchShape: both[0].shape)
  }

  override var typeName: String { "Normal" }
  override var description: String { "Normal(mean: \(Self.shown(mean)), std: \(Self.shown(std)))" }
  override var dataFieldNames: [String] { ["mean", "std", "variance"] }

  override func dataField(_ name: String) -> Value? {
    switch name {
    case "mean": return .tensor(mean)
    case "std": return .tensor(std)
    case "variance": return (try? std.square()).map { .tensor($0) }
    default: return nil
    }
  }

  override func sample(_ shape: [Int], reparameterized: Bool) throws -> Tensor {
    let (m, s) = reparameterized ? (mean, std) : (mean.detached(), std.detached())
    return try random.withState { try Tensor.normal(mean: m, std: s, shape: shape + batchShape, using: &$0) }
  }

  override func logProb(_ x: Tensor) throws -> Tensor { try normalLogProb(x, mean: mean, std: std) }
  override func entropy() throws -> Tensor { try normalEntropy(std: std) }
}

/// `Categorical(probs)` or `Categorical(logits: l)`: distributions over the
/// classes of the last axis; both parameters are kept normalized.
final class CategoricalDistribution: MetaDistribution {
  let probs: Tensor, logits: Tensor
  /// Made from logits (printing shows the parameter it was made with).
  let fromLogits: Bool

  init(probs: Tensor?, logits: Tensor?, random: RandomStream) throws {
    guard let table = probs ?? logits else { throw BuiltinError("Categorical: give probs or logits:") }
    guard let classes = table.shape.last, classes >= 1 else {
      throw BuiltinError("Categorical: the \(probs == nil ? "logits" : "probs") need a class axis of at least one class (got shape \(table.shape))")
    }
    try CategoricalDistribution.check(table, classes: classes, isLogits: probs == nil)
    if let probs {
      self.probs = try categoricalProbs(fromProbs: probs)
      self.logits = try categoricalLogits(fromProbs: self.probs)
    } else {
      self.logits = try categoricalLogits(fromLogits: table)
      self.probs = try softmax(table, axis: -1)
    }
    fromLogits = probs == nil
    super.init(random: random, batchShape: Array(table.shape.dropLast()))
  }

  /// PyTorch's constraints: probabilities finite and non-negative, logits not
  /// NaN or +inf, and every row with some possible class.
  private static func check(_ table: Tensor, classes: Int, isLogits: Bool) throws {
    let values = table.scalars
    for r in 0..<(values.count / classes) {
      let row = values[(r * classes)..<((r + 1) * classes)]
      for (k, v) in row.enumerated() {
        let bad = isLogits ? v.isNaN || v == .infinity : !(v >= 0 && v < .infinity)
        if bad {
          throw BuiltinError("Categorical: \(isLogits ? "logit" : "probability") \(formatFloat(Double(v))) in row \(r), class \(k) is not \(isLogits ? "a number below +inf" : "finite and non-negative")")
        }
      }
      let possible = isLogits ? row.contains { $0 > -.infinity } : row.contains { $0 > 0 }
      guard possible else { throw BuiltinError("Categorical: row \(r) gives no class a positive probability") }
    }
  }

  override var typeName: String { "Categorical" }
  override var description: String {
    fromLogits ? "Categorical(logits: \(Self.shown(logits)))" : "Categorical(probs: \(Self.shown(probs)))"
  }
  override var dataFieldNames: [String] { ["probs", "logits", "classes"] }

  override func dataField(_ name: String) -> Value? {
    switch name {
    case "probs": return .tensor(probs)
    case "logits": return .tensor(logits)
    case "classes": return .int(probs.shape.last ?? 0)
    default: return nil
    }
  }

  /// Class indices of shape `shape + batch_shape` (Float32 for now).
  override func sample(_ shape: [Int], reparameterized: Bool) throws -> Tensor {
    if reparameterized {
      throw BuiltinError("Categorical.rsample: a categorical sample is discrete and has no reparameterized form (use sample, with log_prob for score-function gradients)")
    }
    var count = 1
    for d in shape {
      let (product, overflow) = count.multipliedReportingOverflow(by: d)
      guard d >= 0, !overflow else { throw BuiltinError("Categorical.sample: bad sample shape \(shape)") }
      count = product
    }
    let table = probs.detached()
    let draws = try random.withState { try Tensor.categorical(probs: table, samples: shape.isEmpty ? nil : count, using: &$0) }
    if shape.isEmpty { return draws }
    // batch + [count] -> [count] + batch -> shape + batch.
    let rank = batchShape.count
    return try draws.permute([rank] + Array(0..<rank)).reshape(shape + batchShape)
  }

  override func logProb(_ x: Tensor) throws -> Tensor { try categoricalLogProb(x, logits: logits) }
  override func entropy() throws -> Tensor { try categoricalEntropy(logits: logits, probs: probs) }
}

extension Builtins {
  static func distributionBuiltins() -> [Builtin] { [
    Builtin("Normal", labels: ["mean", "std"]) { args in
      let mean = try parameter(args, 0, "mean"), std = try parameter(args, 1, "std")
      return .native(try NormalDistribution(mean: mean, std: std, random: args.rt.random))
    },
    Builtin("Categorical", labels: ["probs", "logits"]) { args in
      try args.expect(0...1)
      let logits = try args.namedTensor("logits")?.floating()
      let probs = try (args.count == 1 ? try args.tensor(0) : try args.namedTensor("probs"))?.floating()
      guard (probs == nil) != (logits == nil) else {
        throw BuiltinError("Categorical: give exactly one of probs and logits:")
      }
      return .native(try CategoricalDistribution(probs: probs, logits: logits, random: args.rt.random))
    },
    Builtin("kl") { args in
      try args.expect(2)
      guard case .native(let a) = args[0], let p = a as? MetaDistribution else { throw args.bad(0, "Normal or Categorical") }
      guard case .native(let b) = args[1], let q = b as? MetaDistribution else { throw args.bad(1, "Normal or Categorical") }
      switch (p, q) {
      case let (p as NormalDistribution, q as NormalDistribution):
        return .tensor(try normalKL(mean1: p.mean, std1: p.std, mean2: q.mean, std2: q.std))
      case let (p as CategoricalDistribution, q as CategoricalDistribution):
        return .tensor(try categoricalKL(logits1: p.logits, probs1: p.probs, logits2: q.logits, probs2: q.probs))
      default:
        throw BuiltinError("kl: no closed form between a \(p.typeName) and a \(q.typeName) (both must be of the same kind)")
      }
    },
  ] }

  /// Parameter `i` of `Normal`, given positionally or by `label`, as a tensor.
  private static func parameter(_ args: Arguments, _ i: Int, _ label: String) throws -> Tensor {
    try args.expect(0...2)
    let named = try args.namedTensor(label)
    if args.count > i {
      guard named == nil else { throw BuiltinError("Normal: \(label) is given twice") }
      return try args.tensor(i).floating()
    }
    guard let named else { throw BuiltinError("Normal: missing \(label) (Normal(mean, std))") }
    return try named.floating()
  }
}
