// The one walk over Meta data: lists and records are its inner nodes, every
// other value a leaf. Tree arithmetic, `tree_map`, `stop_gradient`, `grad`,
// `save` and the summaries of objects are built on it; comparing, printing and
// the nesting gauge share its cap (`Interpreter.maxNestingDepth`) and its
// notion of storage identity.
//
// Lists and records are copy-on-write arrays, so data may share storage:
// `for i in range(60) { x = [x, x] }` stores 61 arrays that spell 2^60 paths.
// Walks that compute one result per storage memoize by its identity and stay
// linear in what is stored; walks whose output has one item per path (`save`,
// `grad`) first count the paths, memoized, against `maxCollectionSize`.

/// The identity of a list's or record's storage. While the values holding it
/// are alive, equal keys mean the same elements (arrays are copy-on-write).
struct StorageKey: Hashable {
  let values: UnsafeRawPointer?
  let keys: UnsafeRawPointer?
}

extension Value {
  /// The storage of a non-empty list or record; nil for anything else (an
  /// empty container has nothing below it to share).
  var storageKey: StorageKey? {
    switch self {
    case .list(let xs) where !xs.isEmpty: StorageKey(values: storageAddress(xs), keys: nil)
    case .record(let r) where r.count > 0: StorageKey(values: storageAddress(r.values), keys: storageAddress(r.keys))
    default: nil
    }
  }
}

/// Where an array's elements live (no copy: a native array hands out its storage).
func storageAddress<T>(_ xs: [T]) -> UnsafeRawPointer? {
  xs.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
}

/// The error for data deeper than `Interpreter.maxNestingDepth`, from whichever
/// operation met it (`function` prefixes the message, as in "save: ...").
func nestedTooDeeply(_ function: String? = nil) -> BuiltinError {
  BuiltinError("\(function.map { "\($0): " } ?? "")data nested too deeply (more than \(Interpreter.maxNestingDepth) levels)")
}

/// Where a walk is: the indices and keys from the root.
struct TreePath {
  enum Step {
    case index(Int)
    case key(String)
  }
  private(set) var steps: [Step] = []

  var isEmpty: Bool { steps.isEmpty }
  var last: Step? { steps.last }
  mutating func push(_ step: Step) { steps.append(step) }
  mutating func pop() { steps.removeLast() }

  /// `[1].w`: a position as tree arithmetic and `grad` name it ("" at the root).
  var subscripted: String {
    steps.map { step in
      switch step {
      case .index(let i): "[\(i)]"
      case .key(let k): "." + k
      }
    }.joined()
  }

  /// `layers.1.w`: a position as `save` names tensors ("" at the root).
  var dotted: String {
    steps.map { step in
      switch step {
      case .index(let i): String(i)
      case .key(let k): k
      }
    }.joined(separator: ".")
  }
}

/// A walk over one tree, or several laid out alike, keeping the path and the
/// nesting cap. The walks recurse once per level on the evaluation thread's
/// large stack; the cap bounds them.
struct TreeWalk {
  private(set) var path = TreePath()
  /// Names the operation in the nesting error.
  let function: String?
  private var memo: [[NodeKey]: Value] = [:]
  private var containers = 0
  /// Emptied arrays for the trees' values at a position, reused.
  private var spare: [[Value]] = []

  /// Containers a memoized walk visits before it starts to remember them: small
  /// trees (a model's parameters) are walked without building a table, and past
  /// this many each storage is still walked at most a few times.
  static let unmemoized = 32

  init(function: String? = nil) { self.function = function }

  /// How the trees being zipped are laid out at one position.
  enum Layout {
    case leaf
    case list(count: Int)
    case record(keys: [String])
  }

  /// The layout of a lone tree: containers as they are.
  static func plainLayout(_ trees: [Value], _ path: TreePath) -> Layout {
    switch trees[0] {
    case .list(let xs): .list(count: xs.count)
    case .record(let r): .record(keys: r.keys)
    default: .leaf
    }
  }

  // MARK: Visiting

  /// Calls `body` on every value in preorder (a container before its elements,
  /// a record's fields in order), with the path naming it.
  mutating func visit(_ v: Value, _ body: (Value, TreePath) throws -> Void) throws {
    try body(v, path)
    switch v {
    case .list(let xs):
      try checkDepth()
      for (i, x) in xs.enumerated() {
        path.push(.index(i))
        try visit(x, body)
        path.pop()
      }
    case .record(let r):
      try checkDepth()
      for (k, x) in r.fields {
        path.push(.key(k))
        try visit(x, body)
        path.pop()
      }
    default: return
    }
  }

  // MARK: Rebuilding

  /// The rebuilding walk: `trees` laid out alike (as `layout` decides at each
  /// position, throwing where they differ) rebuilt with every leaf position
  /// replaced by `leaf` of the trees' values there. A tree that is a leaf where
  /// the layout is a container stands for each element (broadcasting). With
  /// `memo`, a position whose trees have the same storages (or leaves) as one
  /// already done shares its result, so the walk is linear in what is stored;
  /// leave it off when `leaf` has effects a script can see.
  mutating func zip(
    _ trees: [Value], memo: Bool,
    layout: ([Value], TreePath) throws -> Layout,
    leaf: ([Value], TreePath) throws -> Value
  ) throws -> Value {
    let shape = try layout(trees, path)
    if case .leaf = shape { return try leaf(trees, path) }
    try checkDepth()
    containers += 1
    let key = memo && containers > Self.unmemoized ? NodeKey.of(trees) : nil
    if let key, let done = self.memo[key] { return done }
    let result: Value
    switch shape {
    case .leaf: return try leaf(trees, path)
    case .list(let count):
      var items: [Value] = []
      items.reserveCapacity(count)
      for i in 0..<count {
        var position = spare.popLast() ?? []
        for t in trees { position.append(try element(t, i, count)) }
        path.push(.index(i))
        items.append(try zip(position, memo: memo, layout: layout, leaf: leaf))
        path.pop()
        recycle(&position)
      }
      result = .list(items)
    case .record(let keys):
      var values: [Value] = []
      values.reserveCapacity(keys.count)
      for (i, k) in keys.enumerated() {
        var position = spare.popLast() ?? []
        for t in trees { position.append(try field(t, i, keys)) }
        path.push(.key(k))
        values.append(try zip(position, memo: memo, layout: layout, leaf: leaf))
        path.pop()
        recycle(&position)
      }
      result = .record(Record(distinctKeys: keys, values: values))
    }
    if let key { self.memo[key] = result }
    return result
  }

  /// Keeps an emptied position array for the next one (a walk allocates one
  /// per level, not one per element).
  private mutating func recycle(_ position: inout [Value]) {
    position.removeAll(keepingCapacity: true)
    spare.append(position)
  }

  /// Element `i` of a list laid out with `count` elements (a leaf stands for each).
  private func element(_ tree: Value, _ i: Int, _ count: Int) throws -> Value {
    switch tree {
    case .list(let xs):
      guard xs.count == count else { throw BuiltinError("tree structure mismatch at \(where_)") }
      return xs[i]
    case .record: throw BuiltinError("tree structure mismatch at \(where_)")
    default: return tree
    }
  }

  /// Field `i` of a record laid out with `keys` (a leaf stands for each).
  private func field(_ tree: Value, _ i: Int, _ keys: [String]) throws -> Value {
    switch tree {
    case .record(let r):
      guard r.keys == keys else { throw BuiltinError("tree structure mismatch at \(where_)") }
      return r.values[i]
    case .list: throw BuiltinError("tree structure mismatch at \(where_)")
    default: return tree
    }
  }

  private var where_: String { path.isEmpty ? "the root" : path.subscripted }

  private func checkDepth() throws {
    if path.steps.count >= Interpreter.maxNestingDepth { throw nestedTooDeeply(function) }
  }

  // MARK: Folding

  /// Folds a tree bottom-up: `leaf` for each leaf, `combine` from `empty` over a
  /// container's elements, each storage computed once past the first
  /// `unmemoized` containers (linear in what is stored). `done` stops early:
  /// once a container's result satisfies it, the rest of its elements are skipped.
  static func fold<T>(
    _ v: Value, function: String? = nil, leaf: (Value) throws -> T, empty: T, combine: (T, T) -> T,
    done: (T) -> Bool = { _ in false }
  ) throws -> T {
    var memo: [StorageKey: T] = [:]
    var containers = 0
    func go(_ v: Value, _ depth: Int) throws -> T {
      let elements: [Value]
      switch v {
      case .list(let xs): elements = xs
      case .record(let r): elements = r.values
      default: return try leaf(v)
      }
      if depth >= Interpreter.maxNestingDepth { throw nestedTooDeeply(function) }
      containers += 1
      let key = containers > unmemoized ? v.storageKey : nil
      if let key, let known = memo[key] { return known }
      var result = empty
      for x in elements {
        result = combine(result, try go(x, depth + 1))
        if done(result) { break }
      }
      if let key { memo[key] = result }
      return result
    }
    return try go(v, 0)
  }

  /// Positions in a tree (containers and leaves, counted once per path, at most
  /// `Int.max`): how many items a walk that visits every path produces.
  static func pathCount(_ v: Value, function: String? = nil) throws -> Int {
    try fold(v, function: function, leaf: { _ in 1 }, empty: 1, combine: { a, b in
      let (sum, overflow) = a.addingReportingOverflow(b)
      return overflow ? Int.max : sum
    })
  }
}

/// What a memoized position is keyed by: each tree's storage, or its leaf.
private enum NodeKey: Hashable {
  case storage(StorageKey)
  case object(ObjectIdentifier)
  case int(Int)
  case float(UInt64)
  case empty

  /// The key of a position, or nil when one of its values has no cheap identity
  /// (strings, booleans, ...: not memoized).
  static func of(_ trees: [Value]) -> [NodeKey]? {
    var keys: [NodeKey] = []
    keys.reserveCapacity(trees.count)
    for t in trees {
      switch t {
      case .list(let xs) where xs.isEmpty: keys.append(.empty)
      case .list, .record:
        guard let k = t.storageKey else { return nil }
        keys.append(.storage(k))
      case .native(let o): keys.append(.object(ObjectIdentifier(o)))
      case .int(let i): keys.append(.int(i))
      case .float(let f): keys.append(.float(f.bitPattern))
      default: return nil
      }
    }
    return keys
  }
}
