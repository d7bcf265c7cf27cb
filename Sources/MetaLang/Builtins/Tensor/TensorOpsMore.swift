// The rest of the spec's op set (§4.1): reductions (`prod`, `var`, `std`,
// `norm`, `cumsum`, `cumprod`), elementwise math and activations, and the
// functional nn ops and losses. Shape ops are in TensorOpsShape.swift.

import MetaTensor

extension TensorOps {
  static let more: [TensorOp] = reductionsMore + elementwiseMore + nnMore + shapingMore + conversions

  static let reductionsMore: [TensorOp] = [
    reduction("prod") { try $0.prod(axes: $1, keepdims: $2) },
    // `var` is a keyword, so this one is reachable only as a method: `t.var()`.
    spread("var") { try $0.variance(axes: $1, ddof: $2, keepdims: $3) },
    spread("std") { try $0.std(axes: $1, ddof: $2, keepdims: $3) },
    TensorOp("norm", labels: ["p", "axis", "keepdims"]) { args in
      try args.expect(1...2)
      let p: Float = args.count == 2 ? try args.float(1) : try args.namedFloat("p") ?? 2
      return .tensor(try args.tensor(0).norm(p: p, axes: try args.axes(), keepdims: args.namedBool("keepdims", default: false)))
    },
    cumulative("cumsum") { try $0.cumsum(axis: $1) },
    cumulative("cumprod") { try $0.cumprod(axis: $1) },
  ]

  /// `name(t, axis:, ddof: 0, keepdims: false)`: var and std.
  static func spread(_ name: String, _ f: @escaping @Sendable (Tensor, [Int]?, Int, Bool) throws -> Tensor) -> TensorOp {
    TensorOp(name, labels: ["axis", "ddof", "keepdims"]) { args in
      try args.expect(1)
      let ddof = try args.namedInt("ddof") ?? 0
      return .tensor(try f(try args.tensor(0), try args.axes(), ddof, args.namedBool("keepdims", default: false)))
    }
  }

  /// `name(t, axis)` or `name(t, axis: a)`; no axis scans the flattened tensor.
  static func cumulative(_ name: String, _ f: @escaping @Sendable (Tensor, Int?) throws -> Tensor) -> TensorOp {
    TensorOp(name, labels: ["axis"]) { args in
      try args.expect(1...2)
      let axis = args.count == 2 ? try args.int(1) : try args.namedInt("axis")
      return .tensor(try f(try args.tensor(0), axis))
    }
  }

  /// `name(a, b)`: elementwise with broadcasting (numbers become 0-d tensors).
  static func binary(_ name: String, _ f: @escaping @Sendable (Tensor, Tensor) throws -> Tensor) -> TensorOp {
    TensorOp(name) { args in
      try args.expect(2)
      return .tensor(try f(try args.tensor(0), try args.tensor(1)))
    }
  }

  static let elementwiseMore: [TensorOp] = [
    unary("log1p") { try $0.log1p() }, unary("expm1") { try $0.expm1() }, unary("silu") { try $0.silu() },
    unary("isnan") { try $0.isNaN() }, unary("isinf") { try $0.isInfinite() }, unary("isfinite") { try $0.isFinite() },
    binary("atan2") { try $0.atan2($1) },
    unary("floor") { try $0.floor() }, unary("ceil") { try $0.ceil() },
    TensorOp("round") { args in
      try args.expect(1...2)
      return .tensor(try args.tensor(0).round(decimals: args.count == 2 ? try args.int(1) : 0))
    },
    binary("maximum") { try $0.maximum($1) }, binary("minimum") { try $0.minimum($1) },
    TensorOp("softplus", labels: ["beta", "threshold"]) { args in
      try args.expect(1)
      let beta = try args.namedFloat("beta") ?? 1, threshold = try args.namedFloat("threshold") ?? 20
      return .tensor(try args.tensor(0).softplus(beta: beta, threshold: threshold))
    },
    TensorOp("gelu", labels: ["approximate"]) { args in
      try args.expect(1)
      let form: String
      switch args.named("approximate") {
      case nil, .nil_?: form = "none"
      case .string(let s)?: form = s
      case let v?: throw args.badNamed("approximate", "String (\"none\" or \"tanh\")", v)
      }
      guard form == "none" || form == "tanh" else {
        throw BuiltinError("gelu: approximate must be \"none\" or \"tanh\", got \"\(form)\"")
      }
      return .tensor(try args.tensor(0).gelu(tanhApproximation: form == "tanh"))
    },
    TensorOp("elu", labels: ["alpha"]) { args in
      try args.expect(1...2)
      let alpha = args.count == 2 ? try args.float(1) : try args.namedFloat("alpha") ?? 1
      return .tensor(try args.tensor(0).elu(alpha: alpha))
    },
  ]

  static let nnMore: [TensorOp] = [
    TensorOp("linear", method: false) { args in
      try args.expect(2...3)
      return .tensor(try MetaTensor.linear(try args.tensor(0), try args.tensor(1), bias: try args.optionalTensor(2)))
    },
    TensorOp("nll_loss", method: false) { args in
      try args.expect(2)
      return .tensor(try nllLoss(try args.tensor(0), try args.labels(1)))
    },
    TensorOp("binary_cross_entropy_with_logits", method: false) { args in
      try args.expect(2)
      return .tensor(try binaryCrossEntropyWithLogits(try args.tensor(0), try args.tensor(1)))
    },
  ]

  /// `int(t)` and `float(t)` of a one-element tensor (the core builtins
  /// handle everything else): Python's `int(torch.tensor(2.7))` is 2; an
  /// int64 element converts exactly.
  static let conversions: [TensorOp] = [
    TensorOp("int", method: false) { args in
      try args.expect(1)
      let (t, v) = try oneElement(args, "Int")
      return .int(try Builtins.toInt(TensorConvert.value(v, dtype: t.dtype)))
    },
    TensorOp("float", method: false) { args in
      try args.expect(1)
      let (t, v) = try oneElement(args, "Float")
      return .float(try Builtins.toFloat(TensorConvert.value(v, dtype: t.dtype)))
    },
  ]

  private static func oneElement(_ args: NativeArguments, _ target: String) throws -> (Tensor, ScalarValue) {
    let t = try args.tensor(0)
    guard t.count == 1 else {
      throw BuiltinError("\(args.function): a tensor of shape \(t.shape) has \(t.count) elements; only a one-element tensor converts to \(target) (reduce or index it first)")
    }
    return (t, try t.value())
  }
}
