// Trees (JAX's pytrees): a tensor, or a list/record whose leaves are tensors
// (or numbers). Arithmetic on trees applies leaf by leaf: `params - 0.01 * grads`.
// A list or record combines leaf by leaf when it holds a tensor somewhere; plain
// data keeps its own rules (`+` concatenates lists, `*` repeats them).

import MetaTensor

enum Tree {
  /// The hook `Operators.binary` asks first for tensor, list and record operands;
  /// nil leaves the operation to the ordinary rules.
  static func operate(_ op: BinaryOp, _ a: Value, _ b: Value) throws -> Value? {
    switch op {
    case .eq, .ne:
      // `t == x` on a tensor is elementwise.
      guard a.tensor != nil || b.tensor != nil,
        let x = a.tensor ?? TensorConvert.scalarTensor(a), let y = b.tensor ?? TensorConvert.scalarTensor(b)
      else { return nil }
      return .tensor(try TensorConvert.apply(op, x, y))
    case .lt, .le, .gt, .ge: return nil
    default:
      guard try isArithmeticTree(a) || isArithmeticTree(b) else { return nil }
      return try combine(op, a, b)
    }
  }

  /// A list or record holding a tensor somewhere (plain data keeps its own rules).
  private static func isArithmeticTree(_ v: Value) throws -> Bool {
    switch v {
    case .record, .list: return try containsTensor(v)
    default: return false
    }
  }

  static func containsTensor(_ v: Value) throws -> Bool {
    try TreeWalk.fold(v, leaf: { $0.tensor != nil }, empty: false, combine: { $0 || $1 }, done: { $0 })
  }

  /// `a op b` leaf by leaf; a leaf on one side meets every leaf of the other.
  /// Memoized: shared sub-lists are combined once and stay shared.
  static func combine(_ op: BinaryOp, _ a: Value, _ b: Value) throws -> Value {
    var walk = TreeWalk()
    return try walk.zip([a, b], memo: true, layout: { trees, path in try arithmeticLayout(trees[0], trees[1], path) }) {
      leaves, path in
      do {
        return try Operators.binary(op, leaves[0], leaves[1])
      } catch let e as BuiltinError where !path.isEmpty {
        throw BuiltinError("\(e.message) (at tree path \(path.subscripted))", kind: e.kind)
      } catch let e as TensorError where !path.isEmpty {
        throw BuiltinError("\(e.message) (at tree path \(path.subscripted))")
      }
    }
  }

  /// Lists of equal length and records with the same fields combine element by
  /// element; a number or tensor meets every element of a container.
  private static func arithmeticLayout(_ a: Value, _ b: Value, _ path: TreePath) throws -> TreeWalk.Layout {
    switch (a, b) {
    case (.list(let xs), .list(let ys)):
      guard xs.count == ys.count else {
        throw mismatch(path, "a List of length \(xs.count) and a List of length \(ys.count)")
      }
      return .list(count: xs.count)
    case (.record(let x), .record(let y)):
      guard x.keys == y.keys else {
        let at = path.subscripted
        if let k = x.keys.first(where: { y[$0] == nil }) { throw mismatch(at + "." + k, "missing in the right operand") }
        if let k = y.keys.first(where: { x[$0] == nil }) { throw mismatch(at + "." + k, "missing in the left operand") }
        throw mismatch(path, "fields in a different order")
      }
      return .record(keys: x.keys)
    case (.list(let xs), _) where isLeaf(b): return .list(count: xs.count)
    case (_, .list(let ys)) where isLeaf(a): return .list(count: ys.count)
    case (.record(let x), _) where isLeaf(b): return .record(keys: x.keys)
    case (_, .record(let y)) where isLeaf(a): return .record(keys: y.keys)
    default:
      guard isLeaf(a), isLeaf(b) else {
        throw mismatch(path, "\(withArticle(a.typeName)) and \(withArticle(b.typeName))")
      }
      return .leaf
    }
  }

  /// Numbers and tensors: the leaves arithmetic works on.
  private static func isLeaf(_ v: Value) -> Bool {
    switch v {
    case .int, .float: return true
    case .native(let o): return o is Tensor
    default: return false
    }
  }

  private static func mismatch(_ path: TreePath, _ detail: String) -> BuiltinError {
    mismatch(path.subscripted, detail)
  }

  private static func mismatch(_ at: String, _ detail: String) -> BuiltinError {
    BuiltinError("tree structure mismatch at \(at.isEmpty ? "the root" : at): \(detail)")
  }

  /// `tree_map(f, a, b...)`: `f` applied to corresponding leaves; the first tree
  /// gives the structure. Not memoized (`f` may have effects): each position
  /// visited counts a step against the interpreter's limits, besides `f`'s own.
  static func map(_ f: Value, _ trees: [Value], _ rt: Runtime) throws -> Value {
    var walk = TreeWalk()
    return try walk.zip(trees, memo: false, layout: { trees, path in
      try rt.tick(rt.nativeCallLoc)
      return try mapLayout(trees, path)
    }) { leaves, _ in try rt.call(f, leaves, at: rt.nativeCallLoc) }
  }

  /// The first tree's containers, which every other tree must match.
  private static func mapLayout(_ trees: [Value], _ path: TreePath) throws -> TreeWalk.Layout {
    switch trees[0] {
    case .list(let xs):
      for t in trees.dropFirst() {
        guard case .list(let ys) = t, ys.count == xs.count else {
          throw mismatch(path, "a List of length \(xs.count) and \(describe(t))")
        }
      }
      return .list(count: xs.count)
    case .record(let r):
      for t in trees.dropFirst() {
        guard case .record(let s) = t, s.keys == r.keys else {
          throw mismatch(path, "a Record with fields [\(r.keys.joined(separator: ", "))] and \(describe(t))")
        }
      }
      return .record(keys: r.keys)
    default:
      for t in trees.dropFirst() {
        if case .list = t { throw mismatch(path, "a leaf and a List") }
        if case .record = t { throw mismatch(path, "a leaf and a Record") }
      }
      return .leaf
    }
  }

  private static func describe(_ v: Value) -> String {
    switch v {
    case .list(let xs): return "a List of length \(xs.count)"
    case .record(let r): return "a Record with fields [\(r.keys.joined(separator: ", "))]"
    default: return withArticle(v.typeName)
    }
  }

  /// The same tree with every tensor cut from the graph (`stop_gradient`).
  static func stopGradient(_ v: Value) throws -> Value {
    var walk = TreeWalk()
    return try walk.zip([v], memo: true, layout: TreeWalk.plainLayout) { leaves, _ in
      if let t = leaves[0].tensor { return .tensor(t.detached()) }
      return leaves[0]
    }
  }

  /// The tensors of a tree that `grad` differentiates, in walk order: only
  /// tensors may be leaves.
  static func tensorLeaves(_ v: Value, argument: Int, function: String) throws -> [Tensor] {
    if try TreeWalk.pathCount(v, function: function) > Interpreter.maxCollectionSize {
      throw BuiltinError("\(function): argument \(argument + 1) is too large a tree (more than \(Interpreter.maxCollectionSize) values)")
    }
    var leaves: [Tensor] = []
    var walk = TreeWalk(function: function)
    try walk.visit(v) { x, path in
      var at: String { path.isEmpty ? "" : " at \(path.subscripted)" }
      switch x {
      case .native(let t as Tensor): leaves.append(t)
      case .list, .record: return
      case .int, .float:
        throw BuiltinError(
          "\(function): argument \(argument + 1) is \(withArticle(x.typeName))\(at); only tensors can be differentiated (use tensor(x))")
      default:
        throw BuiltinError(
          "\(function): argument \(argument + 1) holds \(withArticle(x.typeName)) value\(at); only tensors, lists and records of tensors can be differentiated")
      }
    }
    return leaves
  }

  /// `tree` (whose leaves are tensors) with its tensors replaced, in walk order,
  /// by `tensors[from...]`; `from` moves past those used.
  static func replacingTensors(_ tree: Value, with tensors: [Tensor], from: inout Int) throws -> Value {
    var walk = TreeWalk()
    var next = from
    defer { from = next }
    return try walk.zip([tree], memo: false, layout: TreeWalk.plainLayout) { _, _ in
      guard next < tensors.count else { throw BuiltinError("tree: too few tensors (\(tensors.count))") }
      defer { next += 1 }
      return .tensor(tensors[next])
    }
  }
}
