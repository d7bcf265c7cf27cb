/// A tree whose leaves are tensors (JAX's pytree): a tensor, a list of trees,
/// or an ordered string-keyed record of trees. Parameter sets of models are
/// trees, and gradients come back with the same structure.
public enum TensorTree {
  case leaf(Tensor)
  case list([TensorTree])
  case record([(key: String, value: TensorTree)])

  /// Leaves in depth-first order (lists by position, records by field order).
  public var leaves: [Tensor] {
    var out: [Tensor] = []
    collect(into: &out)
    return out
  }

  private func collect(into out: inout [Tensor]) {
    switch self {
    case .leaf(let t): out.append(t)
    case .list(let items): for item in items { item.collect(into: &out) }
    case .record(let fields): for field in fields { field.value.collect(into: &out) }
    }
  }

  /// The same structure with leaves taken in order from `leaves`.
  public func replacingLeaves(_ leaves: [Tensor]) throws -> TensorTree {
    var position = 0
    let tree = try rebuild(leaves, &position)
    guard position == leaves.count else {
      throw TensorError("tree: \(leaves.count) leaves given for a tree with \(position)")
    }
    return tree
  }

  private func rebuild(_ leaves: [Tensor], _ position: inout Int) throws -> TensorTree {
    switch self {
    case .leaf:
      guard position < leaves.count else { throw TensorError("tree: too few leaves (\(leaves.count))") }
      defer { position += 1 }
      return .leaf(leaves[position])
    case .list(let items):
      return .list(try items.map { try $0.rebuild(leaves, &position) })
    case .record(let fields):
      return .record(try fields.map { (key: $0.key, value: try $0.value.rebuild(leaves, &position)) })
    }
  }

  /// Applies `transform` to every leaf.
  public func map(_ transform: (Tensor) throws -> Tensor) rethrows -> TensorTree {
    switch self {
    case .leaf(let t): return .leaf(try transform(t))
    case .list(let items): return .list(try items.map { try $0.map(transform) })
    case .record(let fields): return .record(try fields.map { (key: $0.key, value: try $0.value.map(transform)) })
    }
  }

  /// Combines the leaves of two trees of the same structure pairwise.
  public func zip(_ other: TensorTree, _ combine: (Tensor, Tensor) throws -> Tensor) throws -> TensorTree {
    switch (self, other) {
    case (.leaf(let a), .leaf(let b)):
      return .leaf(try combine(a, b))
    case (.list(let xs), .list(let ys)) where xs.count == ys.count:
      return .list(try Swift.zip(xs, ys).map { try $0.zip($1, combine) })
    case (.record(let xs), .record(let ys))
      where xs.count == ys.count && Swift.zip(xs, ys).allSatisfy({ $0.key == $1.key }):
      return .record(try Swift.zip(xs, ys).map { (key: $0.key, value: try $0.value.zip($1.value, combine)) })
    default:
      throw TensorError("tree: structures differ (\(structure) and \(other.structure))")
    }
  }

  /// A short description of the shape of the tree, for error messages.
  public var structure: String {
    switch self {
    case .leaf(let t): return shapeText(t.shape)
    case .list(let items): return "[" + items.map(\.structure).joined(separator: ", ") + "]"
    case .record(let fields): return "{" + fields.map { "\($0.key): \($0.value.structure)" }.joined(separator: ", ") + "}"
    }
  }
}
