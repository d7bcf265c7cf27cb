// `grad`, `value_and_grad`, `stop_gradient`, `tree_map`: function transforms built
// on MetaTensor's `valueAndGrad` over the arguments' tensors, which gives each call fresh
// stand-in tensors, so nested transforms (`grad(grad(f))`, MAML's inner step)
// differentiate through each other without confusing their levels.

import MetaTensor

extension Builtins {
  static let gradOps: [TensorOp] = [
    TensorOp("grad", labels: ["argnums"], method: false) { args in
      try args.expect(1)
      return try Differentiation(args).function(withValue: false, rt: try args.runtime())
    },
    TensorOp("value_and_grad", labels: ["argnums"], method: false) { args in
      try args.expect(1)
      return try Differentiation(args).function(withValue: true, rt: try args.runtime())
    },
    TensorOp("vjp", method: false) { args in
      try args.expect(2)
      return try pullbackOf(try args.callable(0), args[1], try args.runtime())
    },
    TensorOp("stop_gradient") { args in
      try args.expect(1)
      return try Tree.stopGradient(args[0])
    },
    TensorOp("tree_map", method: false) { args in
      try args.expect(2...Int.max)
      _ = try args.callable(0)
      return try Tree.map(args[0], Array(args.positional.dropFirst()), try args.runtime())
    },
  ]
}

/// What `grad(f, argnums: ...)` captured: the function and which arguments to
/// differentiate. Its `function` is the Meta value `grad` returns.
struct Differentiation {
  let f: Value
  let argnums: [Int]
  /// `argnums:` was a List: the gradients come back as a List, one per argument.
  let asList: Bool
  let name: String

  init(_ args: NativeArguments) throws {
    f = try args.callable(0)
    name = args.function
    switch args.named("argnums") {
    case nil: argnums = [0]; asList = false
    case .int(let n)?: argnums = [n]; asList = false
    case .list(let xs)?:
      argnums = try xs.map { x in
        guard case .int(let n) = x else { throw args.badNamed("argnums", "Int or List of Ints", .list(xs)) }
        return n
      }
      asList = true
      guard !argnums.isEmpty else { throw BuiltinError("\(name): argnums must not be empty") }
      guard Set(argnums).count == argnums.count else { throw BuiltinError("\(name): argnums has repeated entries") }
    case let v?: throw args.badNamed("argnums", "Int or List of Ints", v)
    }
    for n in argnums where n < 0 { throw BuiltinError("\(name): argnums must not be negative (got \(n))") }
  }

  /// The function value; it holds the runtime weakly (the runtime's globals may hold it).
  func function(withValue: Bool, rt: Runtime) throws -> Value {
    let this = self
    return .function(
      Function(name: name) { [weak rt] call in
        guard let rt else { throw BuiltinError("\(this.name): the interpreter is gone") }
        return try this.run(call, rt, withValue: withValue)
      })
  }

  func run(_ call: NativeArguments, _ rt: Runtime, withValue: Bool) throws -> Value {
    var positional = call.positional
    for n in argnums where n >= positional.count {
      throw BuiltinError(
        "\(name): argnums \(n) is out of range for a call with \(positional.count) argument\(positional.count == 1 ? "" : "s")")
    }
    // The differentiated arguments' tensors, flattened into one list of leaves;
    // the argument trees are rebuilt around stand-ins (and then gradients) by position.
    let (f, argnums, name) = (self.f, self.argnums, self.name)
    let trees = argnums.map { positional[$0] }
    let leaves = try argnums.map { try Tree.tensorLeaves(positional[$0], argument: $0, function: name) }
    let input = TensorTree.list(leaves.joined().map { .leaf($0) })
    let evaluate = valueAndGrad { (tree: TensorTree) throws -> Tensor in
      let standIns = tree.leaves
      var used = 0
      for (k, n) in argnums.enumerated() { positional[n] = try Tree.replacingTensors(trees[k], with: standIns, from: &used) }
      let out = try rt.call(f, positional, named: call.named, at: rt.nativeCallLoc)
      guard let t = out.tensor else {
        throw BuiltinError("\(name): the function must return a scalar tensor (got \(withArticle(out.typeName)))")
      }
      guard t.count == 1 else {
        throw BuiltinError("\(name): the function must return a scalar tensor (got a tensor of shape \(t.shape))")
      }
      return t.rank == 0 ? t : try t.reshape([])
    }
    let (value, grads) = try evaluate(input)
    let gradients = grads.leaves
    var used = 0
    let gradTrees = try trees.map { try Tree.replacingTensors($0, with: gradients, from: &used) }
    let g = asList ? Value.list(gradTrees) : gradTrees[0]
    return withValue ? .list([.tensor(value), g]) : g
  }
}

/// `vjp(f, x)`: `[f(x), pullback]`, where `pullback(v)` is the gradient of
/// ⟨v, f(x)⟩ with respect to `x` (shaped like `x`) from the graph recorded by
/// the one evaluation of `f`; `f(x)` and `v` are tensors or trees of one layout.
private func pullbackOf(_ f: Value, _ x: Value, _ rt: Runtime) throws -> Value {
  let inputs = try Tree.tensorLeaves(x, argument: 1, function: "vjp")
  var outputTree = Value.nil_
  var outputShapes: [[Int]] = []
  let (outputs, pullback) = try MetaTensor.vjp(inputs) { standIns in
    var used = 0
    let argument = try Tree.replacingTensors(x, with: standIns, from: &used)
    outputTree = try rt.call(f, [argument], named: [], at: rt.nativeCallLoc)
    guard let leaves = try? Tree.tensorLeaves(outputTree, argument: 0, function: "vjp") else {
      throw BuiltinError("vjp: f must return a tensor or a List or Record of tensors (got \(withArticle(outputTree.typeName)))")
    }
    outputShapes = leaves.map(\.shape)
    return leaves
  }
  var used = 0
  let y = try Tree.replacingTensors(outputTree, with: outputs, from: &used)
  let layout = outputShapes.map { "\($0)" }.joined(separator: ", ")
  let pull = Function(name: "pullback") { call in
    var args = call
    args.function = "pullback"
    try args.checkLabels([])
    try args.expect(1)
    let seeds = try Tree.tensorLeaves(args[0], argument: 0, function: "pullback")
    guard seeds.count == outputShapes.count, zip(seeds, outputShapes).allSatisfy({ $0.shape == $1 }) else {
      throw BuiltinError(
        "pullback: the cotangent must be laid out like f's result (tensors of shapes \(layout)), got shapes \(seeds.map { "\($0.shape)" }.joined(separator: ", "))")
    }
    var from = 0
    return try Tree.replacingTensors(x, with: try pullback(seeds), from: &from)
  }
  return .list([y, .function(pull)])
}
