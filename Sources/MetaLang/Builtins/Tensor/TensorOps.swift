// The tensor operations with the spec's names. Each is written once and offered
// both as a function (`sum(t, axis: 0)`) and, where sensible, as a method
// (`t.sum(axis: 0)`). Functions whose names the core builtins already use
// (`sum`, `min`, `max`, `len`) take over only when given a tensor.

import MetaTensor

/// One tensor operation: its name, the named arguments it accepts and its body.
struct TensorOp: Sendable {
  let name: String
  let labels: [String]
  /// Also callable as `t.name(...)`.
  let isMethod: Bool
  let body: @Sendable (NativeArguments) throws -> Value

  init(
    _ name: String, labels: [String] = [], method: Bool = true,
    _ body: @escaping @Sendable (NativeArguments) throws -> Value
  ) {
    self.name = name; self.labels = labels; isMethod = method; self.body = body
  }
}

enum TensorOps {
  static let all: [TensorOp] =
    core + shaping + more + Builtins.tensorCreation + Builtins.nnOps + Builtins.gradOps + Builtins.samplingOps
    + Builtins.nnLayerOps

  /// Methods by name.
  static let methods: [String: TensorOp] = {
    var table: [String: TensorOp] = [:]
    for op in all where op.isMethod { table[op.name] = op }
    return table
  }()

  /// Elementwise maps of one tensor.
  static func unary(_ name: String, _ f: @escaping @Sendable (Tensor) throws -> Tensor) -> TensorOp {
    TensorOp(name) { args in
      try args.expect(1)
      return .tensor(try f(try args.tensor(0)))
    }
  }

  /// A reduction with `axis:` (Int or List) and `keepdims:`.
  static func reduction(
    _ name: String, _ f: @escaping @Sendable (Tensor, [Int]?, Bool) throws -> Tensor
  ) -> TensorOp {
    TensorOp(name, labels: ["axis", "keepdims"]) { args in
      try args.expect(1)
      return .tensor(try f(try args.tensor(0), try args.axes(), args.namedBool("keepdims", default: false)))
    }
  }

  /// `max(a, b)` on tensors: the elementwise maximum (or minimum).
  static func extreme(_ name: String, wantMax: Bool) -> TensorOp {
    TensorOp(name, labels: ["axis", "keepdims"]) { args in
      try args.expect(1...2)
      let t = try args.tensor(0)
      if args.count == 2 {
        // Elementwise, as `maximum` and `minimum`: NaN on either side gives NaN.
        let other = try args.tensor(1)
        return .tensor(wantMax ? try t.maximum(other) : try t.minimum(other))
      }
      let axes = try args.axes(), keep = args.namedBool("keepdims", default: false)
      return .tensor(wantMax ? try t.max(axes: axes, keepdims: keep) : try t.min(axes: axes, keepdims: keep))
    }
  }

  static func argExtreme(_ name: String, wantMax: Bool) -> TensorOp {
    TensorOp(name, labels: ["axis", "keepdims"]) { args in
      try args.expect(1)
      let t = try args.tensor(0), axis = try args.namedInt("axis"), keep = args.namedBool("keepdims", default: false)
      return .tensor(wantMax ? try t.argmax(axis: axis, keepdims: keep) : try t.argmin(axis: axis, keepdims: keep))
    }
  }

  static let core: [TensorOp] = [
    unary("exp") { try $0.exp() }, unary("log") { try $0.log() }, unary("sqrt") { try $0.sqrt() },
    unary("safe_sqrt") { try $0.safeSqrt() },
    unary("tanh") { try $0.tanh() }, unary("sigmoid") { try $0.sigmoid() }, unary("relu") { try $0.relu() },
    unary("abs") { try $0.abs() }, unary("sin") { try $0.sin() }, unary("cos") { try $0.cos() }, unary("sign") { try $0.sign() }, unary("square") { try $0.square() },
    TensorOp("leaky_relu", labels: ["slope"]) { args in
      try args.expect(1...2)
      let slope = args.count == 2 ? try args.float(1) : try args.namedFloat("slope") ?? 0.01
      return .tensor(try args.tensor(0).leakyRelu(slope: slope))
    },
    TensorOp("softmax", labels: ["axis"]) { args in
      try args.expect(1)
      return .tensor(try softmax(try args.tensor(0), axis: try args.namedInt("axis") ?? -1))
    },
    TensorOp("log_softmax", labels: ["axis"]) { args in
      try args.expect(1)
      return .tensor(try logSoftmax(try args.tensor(0), axis: try args.namedInt("axis") ?? -1))
    },
    reduction("sum") { try $0.sum(axes: $1, keepdims: $2) },
    reduction("mean") { try $0.mean(axes: $1, keepdims: $2) },
    reduction("logsumexp") { try $0.logsumexp(axes: $1, keepdims: $2) },
    // `any(t)`/`all(t)` take over from the List builtins when given a tensor.
    reduction("any") { try $0.any(axes: $1, keepdims: $2) },
    reduction("all") { try $0.all(axes: $1, keepdims: $2) },
    extreme("max", wantMax: true), extreme("min", wantMax: false),
    argExtreme("argmax", wantMax: true), argExtreme("argmin", wantMax: false),
    TensorOp("clamp", labels: ["min", "max"]) { args in
      try args.expect(1...3)
      let lo = args.count > 1 ? try args.float(1) : try args.namedFloat("min")
      let hi = args.count > 2 ? try args.float(2) : try args.namedFloat("max")
      return .tensor(try args.tensor(0).clamp(min: lo, max: hi))
    },
    TensorOp("matmul") { args in
      try args.expect(2)
      return .tensor(try args.tensor(0).matmul(try args.tensor(1)))
    },
    TensorOp("solve", method: false) { args in
      try args.expect(2)
      return .tensor(try MetaTensor.solve(try args.tensor(0), try args.tensor(1)))
    },
    TensorOp("item") { args in
      try args.expect(1)
      let t = try args.tensor(0)
      return TensorConvert.value(try t.value(), dtype: t.dtype)
    },
    TensorOp("tolist") { args in
      try args.expect(1)
      return try TensorConvert.toList(try args.tensor(0))
    },
    TensorOp("where", method: false) { args in
      try args.expect(3)
      return .tensor(try Tensor.select(try args.tensor(0), try args.tensor(1), try args.tensor(2)))
    },
  ]

  static let shaping: [TensorOp] = [
    TensorOp("reshape") { args in
      try args.expect(2...Int.max)
      return .tensor(try args.tensor(0).reshape(try args.shape(from: 1)))
    },
    TensorOp("transpose") { args in
      try args.expect(1...3)
      let t = try args.tensor(0)
      if args.count == 3 { return .tensor(try t.transpose(try args.int(1), try args.int(2))) }
      if args.count == 2 { return .tensor(try t.permute(try args.ints(1))) }
      return .tensor(t.T)
    },
    TensorOp("flatten", labels: ["start_axis", "end_axis"]) { args in
      try args.expect(1...3)
      let start = args.count > 1 ? try args.int(1) : try args.namedInt("start_axis") ?? 0
      let end = args.count > 2 ? try args.int(2) : try args.namedInt("end_axis") ?? -1
      return .tensor(try args.tensor(0).flatten(from: start, to: end))
    },
    TensorOp("squeeze", labels: ["axis"]) { args in
      try args.expect(1...2)
      let axis = args.count == 2 ? try args.int(1) : try args.namedInt("axis")
      return .tensor(try args.tensor(0).squeeze(axis))
    },
    TensorOp("expand") { args in
      try args.expect(2...Int.max)
      return .tensor(try args.tensor(0).expand(keeping: try args.shape(from: 1)))
    },
    TensorOp("unsqueeze", labels: ["axis"]) { args in
      try args.expect(1...2)
      guard let axis = args.count == 2 ? try args.int(1) : try args.namedInt("axis") else {
        throw BuiltinError("'unsqueeze' needs an axis")
      }
      return .tensor(try args.tensor(0).unsqueeze(axis))
    },
    TensorOp("concat", labels: ["axis"], method: false) { args in
      try args.expect(1)
      return .tensor(try Tensor.concat(try tensorList(args, 0), axis: try args.namedInt("axis") ?? 0))
    },
    TensorOp("stack", labels: ["axis"], method: false) { args in
      try args.expect(1)
      return .tensor(try Tensor.stack(try tensorList(args, 0), axis: try args.namedInt("axis") ?? 0))
    },
  ]

  /// A List of tensors (numbers become 0-d tensors).
  static func tensorList(_ args: NativeArguments, _ i: Int) throws -> [Tensor] {
    guard case .list(let xs) = args[i] else { throw args.bad(i, "List of Tensors") }
    return try xs.enumerated().map { k, v in
      guard let t = v.tensor ?? TensorConvert.scalarTensor(v) else {
        throw args.bad(i, detail: "item \(k + 1) is \(withArticle(v.typeName)), not a Tensor")
      }
      return t
    }
  }
}

extension Builtins {
  /// The tensor functions. Where a core builtin has the same name, the tensor
  /// version runs when a positional argument is a tensor, the core one otherwise.
  static func tensor(over base: [Builtin]) -> [Builtin] {
    var byName: [String: Builtin] = [:]
    for b in base { byName[b.name] = b }
    var out: [Builtin] = []
    for op in TensorOps.all {
      out.append(wrap(op, over: byName[op.name]))
    }
    if let len = byName["len"] {
      out.append(
        Builtin("len") { args in
          if args.count == 1, let t = args[0].tensor {
            guard let first = t.shape.first else { throw BuiltinError("len() of a 0-d tensor") }
            return .int(first)
          }
          return try len.body(&args)
        })
    }
    return out
  }

  /// `clamp`, for tensors and numbers alike.
  static func clampBuiltins() -> [Builtin] {
    [
      Builtin("clamp", labels: ["min", "max"]) { args in
        if args.count > 0, args[0].tensor != nil, let op = TensorOps.methods["clamp"] {
          return try op.body(NativeArguments(args))
        }
        // Numbers: x limited to [lo, hi], as the prelude's version did.
        try args.expect(3)
        var x = args[0]
        if try Compare.compare(x, args[1]) < 0 { x = args[1] }
        if try Compare.compare(x, args[2]) > 0 { x = args[2] }
        return x
      }
    ]
  }

  private static func wrap(_ op: TensorOp, over original: Builtin?) -> Builtin {
    guard let original else {
      return Builtin(op.name, labels: op.labels) { args in try op.body(NativeArguments(args)) }
    }
    return Builtin(op.name, labels: Array(Set(op.labels + original.labels)).sorted()) { args in
      for i in 0..<args.count where args[i].tensor != nil { return try op.body(NativeArguments(args)) }
      try args.checkLabels(original.labels)
      return try original.body(&args)
    }
  }
}
