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
      guard isArithmeticTree(a) || isArithmeticTree(b) else { return nil }
      return try combine(op, a, b, path: "")
    }
  }

  /// A list or record holding a tensor somewhere (plain data keeps its own rules).
  private static func isArithmeticTree(_ v: Value) -> Bool {
    switch v {
    case .record, .list: return containsTensor(v)
    default: return false
    }
  }

  static func containsTensor(_ v: Value, depth: Int = 0) -> Bool {
    guard depth < Compare.maxDepth else { return false }
    switch v {
    case .native(let o): return o is Tensor
    case .list(let xs): return xs.contains { containsTensor($0, depth: depth + 1) }
    case .record(let r): return r.values.contains { containsTensor($0, depth: depth + 1) }
    default: return false
    }
  }

  /// `a op b` leaf by leaf; a leaf on one side meets every leaf of the other.
  static func combine(_ op: BinaryOp, _ a: Value, _ b: Value, path: String) throws -> Value {
    if path.count > Compare.maxDepth { throw BuiltinError("tree nested too deeply") }
    switch (a, b) {
    case (.list(let xs), .list(let ys)):
      guard xs.count == ys.count else {
        throw mismatch(path, "a List of length \(xs.count) and a List of length \(ys.count)")
      }
      return .list(try xs.indices.map { try combine(op, xs[$0], ys[$0], path: path + "[\($0)]") })
    case (.record(let x), .record(let y)):
      guard x.keys == y.keys else {
        if let k = x.keys.first(where: { y[$0] == nil }) { throw mismatch(path + "." + k, "missing in the right operand") }
        if let k = y.keys.first(where: { x[$0] == nil }) { throw mismatch(path + "." + k, "missing in the left operand") }
        throw mismatch(path, "fields in a different order")
      }
      return .record(Record(try x.fields.map { k, v in (k, try combine(op, v, y[k] ?? .nil_, path: path + "." + k)) }))
    case (.list(let xs), _) where isLeaf(b):
      return .list(try xs.indices.map { try combine(op, xs[$0], b, path: path + "[\($0)]") })
    case (_, .list(let ys)) where isLeaf(a):
      return .list(try ys.indices.map { try combine(op, a, ys[$0], path: path + "[\($0)]") })
    case (.record(let x), _) where isLeaf(b):
      return .record(Record(try x.fields.map { k, v in (k, try combine(op, v, b, path: path + "." + k)) }))
    case (_, .record(let y)) where isLeaf(a):
      return .record(Record(try y.fields.map { k, v in (k, try combine(op, a, v, path: path + "." + k)) }))
    default:
      guard isLeaf(a), isLeaf(b) else {
        throw mismatch(path, "\(withArticle(a.typeName)) and \(withArticle(b.typeName))")
      }
      do {
        return try Operators.binary(op, a, b)
      } catch let e as BuiltinError where !path.isEmpty {
        throw BuiltinError("\(e.message) (at tree path \(path))", kind: e.kind)
      } catch let e as TensorError where !path.isEmpty {
        throw BuiltinError("\(e.message) (at tree path \(path))")
      }
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

  private static func mismatch(_ path: String, _ detail: String) -> BuiltinError {
    BuiltinError("tree structure mismatch at \(path.isEmpty ? "the root" : path): \(detail)")
  }

  /// `tree_map(f, a, b...)`: `f` applied to corresponding leaves; the first tree gives the structure.
  static func map(_ f: Value, _ trees: [Value], _ rt: Runtime, path: String = "") throws -> Value {
    if path.count > Compare.maxDepth { throw BuiltinError("tree nested too deeply") }
    switch trees[0] {
    case .list(let xs):
      var columns: [[Value]] = []
      for t in trees {
        guard case .list(let ys) = t, ys.count == xs.count else {
          throw mismatch(path, "a List of length \(xs.count) and \(describe(t))")
        }
        columns.append(ys)
      }
      return .list(try xs.indices.map { i in try map(f, columns.map { $0[i] }, rt, path: path + "[\(i)]") })
    case .record(let r):
      var records: [Record] = []
      for t in trees {
        guard case .record(let s) = t, s.keys == r.keys else {
          throw mismatch(path, "a Record with fields [\(r.keys.joined(separator: ", "))] and \(describe(t))")
        }
        records.append(s)
      }
      return .record(Record(try r.keys.map { k in (k, try map(f, records.map { $0[k] ?? .nil_ }, rt, path: path + "." + k)) }))
    default:
      for t in trees.dropFirst() {
        if case .list = t { throw mismatch(path, "a leaf and a List") }
        if case .record = t { throw mismatch(path, "a leaf and a Record") }
      }
      return try rt.call(f, trees, at: rt.nativeCallLoc)
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
  static func stopGradient(_ v: Value) -> Value {
    switch v {
    case .native(let t as Tensor): return .tensor(t.detached())
    case .list(let xs): return .list(xs.map(stopGradient))
    case .record(let r): return .record(Record(r.fields.map { ($0, stopGradient($1)) }))
    default: return v
    }
  }

  /// A value as a `TensorTree` for differentiation: only tensors may be leaves.
  static func tensorTree(_ v: Value, argument: Int, path: String) throws -> TensorTree {
    let at = path.isEmpty ? "" : " at \(path)"
    switch v {
    case .native(let t as Tensor): return .leaf(t)
    case .list(let xs):
      return .list(try xs.indices.map { try tensorTree(xs[$0], argument: argument, path: path + "[\($0)]") })
    case .record(let r):
      return .record(try r.fields.map { k, x in (key: k, value: try tensorTree(x, argument: argument, path: path + "." + k)) })
    case .int, .float:
      throw BuiltinError(
        "grad: argument \(argument + 1) is \(withArticle(v.typeName))\(at); only tensors can be differentiated (use tensor(x))")
    default:
      throw BuiltinError(
        "grad: argument \(argument + 1) holds \(withArticle(v.typeName)) value\(at); only tensors, lists and records of tensors can be differentiated")
    }
  }

  /// A `TensorTree` back as a Meta value.
  static func value(_ tree: TensorTree) -> Value {
    switch tree {
    case .leaf(let t): return .tensor(t)
    case .list(let items): return .list(items.map(value))
    case .record(let fields): return .record(Record(fields.map { ($0.key, value($0.value)) }))
    }
  }
}
