// Tensor creation: `tensor`, `zeros`, `ones`, `full`, `eye`, `arange`,
// `linspace`, `randn`, `rand` (from the interpreter's one random stream),
// `zeros_like`, `ones_like`, `one_hot`, and `.npy` files.

import MetaTensor

extension Builtins {
  static let tensorCreation: [TensorOp] = [
    TensorOp("tensor", method: false) { args in
      try args.expect(1)
      let t = try TensorConvert.fromNested(args[0], function: "tensor")
      // `tensor(t)` of a tensor is a fresh constant with the same elements.
      return args[0].tensor == nil ? .tensor(t) : .tensor(try Tensor(shape: t.shape, scalars: t.scalars))
    },
    TensorOp("zeros", method: false) { args in
      try args.expect(1...Int.max)
      return .tensor(try Tensor.zeros(try args.shape(from: 0)))
    },
    TensorOp("ones", method: false) { args in
      try args.expect(1...Int.max)
      return .tensor(try Tensor.ones(try args.shape(from: 0)))
    },
    TensorOp("full", method: false) { args in
      try args.expect(2)
      return .tensor(try Tensor.full(try args.ints(0, what: "shape (List of Ints)"), try args.float(1)))
    },
    TensorOp("eye", method: false) { args in
      try args.expect(1...2)
      return .tensor(try Tensor.eye(try args.int(0), args.count == 2 ? try args.int(1) : nil))
    },
    TensorOp("arange", method: false) { args in
      try args.expect(1...3)
      // Doubles: rounding the bounds to Float first would change the count.
      if args.count == 1 { return .tensor(try Tensor.arange(0, try args.number(0))) }
      let step = args.count == 3 ? try args.number(2) : 1
      return .tensor(try Tensor.arange(try args.number(0), try args.number(1), step: step))
    },
    TensorOp("linspace", method: false) { args in
      try args.expect(3)
      return .tensor(try Tensor.linspace(try args.float(0), try args.float(1), count: try args.int(2)))
    },
    TensorOp("randn", labels: ["mean", "std"], method: false) { args in
      try args.expect(1...Int.max)
      let shape = try args.shape(from: 0)
      let mean = try args.namedFloat("mean") ?? 0, std = try args.namedFloat("std") ?? 1
      return .tensor(try args.runtime().random.withState { try Tensor.randn(shape, mean: mean, std: std, using: &$0) })
    },
    TensorOp("rand", labels: ["low", "high"], method: false) { args in
      try args.expect(1...Int.max)
      let shape = try args.shape(from: 0)
      let low = try args.namedFloat("low") ?? 0, high = try args.namedFloat("high") ?? 1
      guard low < high else { throw BuiltinError("rand: low (\(low)) must be less than high (\(high))") }
      return .tensor(try args.runtime().random.withState { try Tensor.rand(shape, low: low, high: high, using: &$0) })
    },
    TensorOp("zeros_like", method: false) { args in
      try args.expect(1)
      return .tensor(try Tensor.zerosLike(try args.tensor(0)))
    },
    TensorOp("ones_like", method: false) { args in
      try args.expect(1)
      return .tensor(try Tensor.onesLike(try args.tensor(0)))
    },
    TensorOp("one_hot", method: false) { args in
      try args.expect(2)
      return .tensor(try Tensor.oneHot(try args.labels(0), classes: try args.int(1)))
    },
    TensorOp("load_npy", method: false) { args in
      try args.expect(1)
      return .tensor(try NpyFile.read(try args.string(0)))
    },
    TensorOp("save_npy", method: false) { args in
      try args.expect(2)
      try NpyFile.write(try args.tensor(0), to: try args.string(1))
      return .nil_
    },
  ]
}
