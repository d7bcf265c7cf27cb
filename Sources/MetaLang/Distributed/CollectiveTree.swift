// A tree of tensors and numbers as one flat buffer: what `all_reduce` and
// `broadcast` send in a single call (not one call per leaf), and the layout
// every rank must agree on before the call.

import MetaTensor

struct CollectiveTree {
  /// What a leaf is; ranks must agree on it leaf by leaf.
  enum Kind: Equatable {
    case int, float
    case tensor(DType, [Int])

    var text: String {
      switch self {
      case .int: "Int"
      case .float: "Float"
      case .tensor(let d, let s): "\(d) tensor \(s)"
      }
    }
  }

  struct Leaf {
    let path: String
    let value: Value
    let kind: Kind
    var tensor: Tensor? { value.tensor }
    var count: Int {
      switch kind {
      case .tensor(_, let s): s.reduce(1, *)
      case .int, .float: 1
      }
    }
  }

  let tree: Value
  private(set) var leaves: [Leaf] = []

  /// The leaves of `tree` in order; anything but tensors and numbers is an error naming where.
  init(_ tree: Value, function: String) throws {
    self.tree = tree
    var walk = TreeWalk(function: function)
    var found: [Leaf] = []
    try walk.visit(tree) { v, path in
      let at = path.isEmpty ? "" : " at \(path.subscripted)"
      switch v {
      case .list, .record: return
      case .int: found.append(Leaf(path: path.subscripted, value: v, kind: .int))
      case .float: found.append(Leaf(path: path.subscripted, value: v, kind: .float))
      case _ where v.tensor != nil:
        if let t = v.tensor { found.append(Leaf(path: path.subscripted, value: v, kind: .tensor(t.dtype, t.shape))) }
      default:
        throw BuiltinError("\(function): the tree holds \(withArticle(v.typeName))\(at); send tensors and numbers (in Lists and Records)")
      }
    }
    leaves = found
  }

  /// One line per leaf, `path: kind`, after a first line naming the call: what the
  /// ranks compare, and what a mismatch error quotes.
  func layout(call: String) -> [String] {
    [call] + leaves.map { "\($0.path.isEmpty ? "(the value)" : $0.path): \($0.kind.text)" }
  }

  /// The tree with its leaves replaced, in order, by `values`.
  func rebuilt(_ values: [Value]) throws -> Value {
    var next = values.makeIterator()
    var walk = TreeWalk()
    return try walk.zip([tree], memo: false, layout: TreeWalk.plainLayout) { _, _ in
      guard let v = next.next() else { throw BuiltinError("internal: too few values to rebuild a tree") }
      return v
    }
  }
}

/// FNV-1a over the layout lines: the 64-bit fingerprint ranks compare.
func layoutFingerprint(_ lines: [String]) -> Int64 {
  var h: UInt64 = 0xcbf2_9ce4_8422_2325
  for line in lines {
    for byte in line.utf8 + [10] {
      h ^= UInt64(byte)
      h = h &* 0x100_0000_01b3
    }
  }
  return Int64(bitPattern: h)
}
