// The random tensor ops beyond `rand` and `randn`: `randint(low, high, shape)`
// (the tensor form; `randint(a, b)` of two Ints stays Python's scalar draw),
// `normal`, `bernoulli`, `permutation` and `categorical`. All draw from the
// interpreter's one stream, so `seed(n)` reproduces them.

import MetaTensor

extension Builtins {
  static let samplingOps: [TensorOp] = [
    TensorOp("normal", method: false) { args in
      try args.expect(2...3)
      let shape = args.count == 3 ? try args.ints(2, what: "shape (List of Ints)") : nil
      let mean = try args.tensor(0).floating(), std = try args.tensor(1).floating()
      return .tensor(try args.runtime().random.withState { try Tensor.normal(mean: mean, std: std, shape: shape, using: &$0) })
    },
    TensorOp("bernoulli", method: false) { args in
      try args.expect(1)
      let p = try args.tensor(0).floating()
      return .tensor(try args.runtime().random.withState { try Tensor.bernoulli(p, using: &$0) })
    },
    TensorOp("permutation", method: false) { args in
      try args.expect(1)
      let n = try args.int(0)
      return .tensor(try args.runtime().random.withState { try Tensor.permutation(n, using: &$0) })
    },
    // categorical(probs, n), categorical(logits: l, n: 5): the class axis is the last.
    TensorOp("categorical", labels: ["logits", "n"], method: false) { args in
      let logits = try args.namedTensor("logits")?.floating()
      try args.expect(logits == nil ? 1...2 : 0...1)
      let nAt = logits == nil ? 1 : 0
      if args.count > nAt, args.named("n") != nil {
        throw BuiltinError("categorical: the number of samples is given twice (positionally and as n:)")
      }
      let samples = args.count > nAt ? try args.int(nAt) : try args.namedInt("n")
      let rt = try args.runtime()
      if let logits {
        return .tensor(try rt.random.withState { try Tensor.categorical(logits: logits, samples: samples, using: &$0) })
      }
      let probs = try args.tensor(0).floating()
      return .tensor(try rt.random.withState { try Tensor.categorical(probs: probs, samples: samples, using: &$0) })
    },
  ]

  /// `randint(low, high, shape)`: a tensor of Ints in `low..<high` (PyTorch's
  /// convention), reached from the scalar `randint` when given a shape.
  static func randintTensor(_ args: Arguments) throws -> Value {
    try args.expect(3)
    let low = try args.int(0), high = try args.int(1)
    let shape = try args.ints(2, what: "shape (List of Ints)")
    return .tensor(try args.rt.random.withState { try Tensor.randint(low, high, shape: shape, using: &$0) })
  }
}
