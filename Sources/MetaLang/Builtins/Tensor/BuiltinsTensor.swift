// Tensor creation: `tensor`, `zeros`, `ones`, `full`, `eye`, `arange`,
// `linspace`, `randn`, `rand` (from the interpreter's one random stream),
// `zeros_like`, `ones_like`, `one_hot`, and `.npy` files.

import MetaTensor

extension Builtins {
  static let tensorCreation: [TensorOp] = [
    TensorOp("tensor", labels: ["dtype"], method: false) { args in
      try args.expect(1)
      let dtype = try TensorConvert.dtype(args)
      guard let t = args[0].tensor else {
        return .tensor(try TensorConvert.fromNested(args[0], function: "tensor", dtype: dtype))
      }
      // `tensor(t)` of a tensor is a fresh constant with the same elements.
      return .tensor(try t.detached().astype(dtype ?? t.dtype))
    },
    TensorOp("astype", method: true) { args in
      try args.expect(2)
      let name = try args.string(1)
      guard let dtype = DType(named: name) else {
        throw BuiltinError("astype: dtype must be \(DType.names), got \"\(name)\"")
      }
      return .tensor(try args.tensor(0).astype(dtype))
    },
    TensorOp("zeros", labels: ["dtype"], method: false) { args in
      try args.expect(1...Int.max)
      return .tensor(try Tensor.zeros(try args.shape(from: 0)).astype(try TensorConvert.dtype(args) ?? .float32))
    },
    TensorOp("ones", labels: ["dtype"], method: false) { args in
      try args.expect(1...Int.max)
      return .tensor(try Tensor.ones(try args.shape(from: 0)).astype(try TensorConvert.dtype(args) ?? .float32))
    },
    TensorOp("full", labels: ["dtype"], method: false) { args in
      try args.expect(2)
      let shape = try args.ints(0, what: "shape (List of Ints)")
      guard let dtype = try TensorConvert.dtype(args), dtype != .float32 else {
        return .tensor(try Tensor.full(shape, try args.float(1)))
      }
      // Built from the exact value, not through float32.
      let value = try TensorConvert.fromNested(args[1], function: "full", dtype: dtype)
      return .tensor(try value.expand(shape).contiguous())
    },
    TensorOp("eye", labels: ["dtype"], method: false) { args in
      try args.expect(1...2)
      let t = try Tensor.eye(try args.int(0), args.count == 2 ? try args.int(1) : nil)
      return .tensor(try t.astype(try TensorConvert.dtype(args) ?? .float32))
    },
    TensorOp("arange", labels: ["dtype"], method: false) { args in
      try args.expect(1...3)
      return .tensor(try TensorRanges.arange(args))
    },
    TensorOp("linspace", labels: ["dtype"], method: false) { args in
      try args.expect(3)
      return .tensor(try TensorRanges.linspace(args))
    },
    TensorOp("randn", labels: ["mean", "std", "dtype"], method: false) { args in
      try args.expect(1...Int.max)
      let shape = try args.shape(from: 0)
      let mean = try args.namedFloat("mean") ?? 0, std = try args.namedFloat("std") ?? 1
      let t = try args.runtime().random.withState { try Tensor.randn(shape, mean: mean, std: std, using: &$0) }
      return .tensor(try t.astype(try TensorRanges.floatingDType(args)))
    },
    TensorOp("rand", labels: ["low", "high", "dtype"], method: false) { args in
      try args.expect(1...Int.max)
      let shape = try args.shape(from: 0)
      let low = try args.namedFloat("low") ?? 0, high = try args.namedFloat("high") ?? 1
      guard low < high else { throw BuiltinError("rand: low (\(low)) must be less than high (\(high))") }
      let t = try args.runtime().random.withState { try Tensor.rand(shape, low: low, high: high, using: &$0) }
      return .tensor(try t.astype(try TensorRanges.floatingDType(args)))
    },
    TensorOp("zeros_like", labels: ["dtype"], method: false) { args in
      try args.expect(1)
      let t = try args.tensor(0)
      return .tensor(try Tensor.zerosLike(t).astype(try TensorConvert.dtype(args) ?? t.dtype))
    },
    TensorOp("ones_like", labels: ["dtype"], method: false) { args in
      try args.expect(1)
      let t = try args.tensor(0)
      return .tensor(try Tensor.onesLike(t).astype(try TensorConvert.dtype(args) ?? t.dtype))
    },
    TensorOp("one_hot", method: false) { args in
      try args.expect(2)
      return .tensor(try Tensor.oneHot(try args.labels(0), classes: try args.int(1)))
    },
    TensorOp("load_npy", method: false) { args in
      try args.expect(1)
      let path = try args.string(0)
      return .tensor(try naming("load_npy") { try NpyFile.read(path) })
    },
    TensorOp("save_npy", method: false) { args in
      try args.expect(2)
      let (t, path) = (try args.tensor(0), try args.string(1))
      try naming("save_npy") { try NpyFile.write(t, to: path) }
      return .nil_
    },
  ]
}

/// Runs file IO, prefixing its `path: problem` errors with the builtin's name.
private func naming<T>(_ function: String, _ body: () throws -> T) throws -> T {
  do { return try body() } catch let e as TensorError { throw BuiltinError("\(function): \(e.message)") }
}
