/// A tree whose leaves are tensors (JAX's pytree): a tensor, a list of trees,
/// or an ordered string-keyed record of trees. Parameter sets of models are
/// trees, and gradients come back with the same structure.
public enum TensorTree {
  case leaf(Tensor)
  case list([TensorTree])
  case record([(key: String, value: TensorTree)])

  /// The walk that reads and replaces leaves (`leaves`, `replacingLeaves` and
  /// `zip` are built on it): the same structure with each leaf, in depth-first
  /// order (lists by position, records by field order), replaced by `transform(leaf)`.
  public func map(_ transform: (Tensor) throws -> Tensor) rethrows -> TensorTree {
    switch self {
    case .leaf(let t): return .leaf(try transform(t))
    case .list(let items): return .list(try items.map { try $0.map(transform) })
    case .record(let fields): return .record(try fields.map { (key: $0.key, value: try $0.value.map(transform)) })
    }
  }

  /// Leaves in depth-first order (lists by position, records by field order).
  public var leaves: [Tensor] {
    var out: [Tensor] = []
    _ = map { out.append($0); return $0 }
    return out
  }

  /// The same structure with leaves taken in order from `leaves`.
  public func replacingLeaves(_ leaves: [Tensor]) throws -> TensorTree {
    var position = 0
    let tree = map { leaf in
      defer { position += 1 }
      return position < leaves.count ? leaves[position] : leaf
    }
    guard position == leaves.count else {
      throw TensorError(position > leaves.count
        ? "tree: too few leaves (\(leaves.count))"
        : "tree: \(leaves.count) leaves given for a tree with \(position)")
    }
    return tree
  }

  /// Combines the leaves of two trees of the same structure pairwise.
  public func zip(_ other: TensorTree, _ combine: (Tensor, Tensor) throws -> Tensor) throws -> TensorTree {
    guard skeleton == other.skeleton else {
      throw TensorError("tree: structures differ (\(structure) and \(other.structure))")
    }
    let theirs = other.leaves
    var position = 0
    return try map { leaf in
      defer { position += 1 }
      return try combine(leaf, theirs[position])
    }
  }

  /// A short description of the shape of the tree, for error messages.
  public var structure: String { describe(key: { $0 }, leaf: { shapeText($0.shape) }) }

  /// The structure alone (keys quoted, leaves blank), for comparing structures.
  private var skeleton: String { describe(key: { String(reflecting: $0) }, leaf: { _ in "_" }) }

  private func describe(key: (String) -> String, leaf: (Tensor) -> String) -> String {
    switch self {
    case .leaf(let t): return leaf(t)
    case .list(let items): return "[" + items.map { $0.describe(key: key, leaf: leaf) }.joined(separator: ", ") + "]"
    case .record(let fields):
      return "{" + fields.map { "\(key($0.key)): \($0.value.describe(key: key, leaf: leaf))" }.joined(separator: ", ") + "}"
    }
  }
}
