// Equality and ordering. `==` is structural for lists and records and numeric
// across Int and Float; `<` orders numbers, strings and lists (lexicographically).
// Both recurse once per level of nesting, at most `Interpreter.maxNestingDepth`.

import MetaTensor

enum Compare {
  /// `a == b`. Lists and records that share storage are equal without a look
  /// inside, as Python's `x == x` for lists (so `[nan] == [nan]` is false, but a
  /// list holding nan equals itself), and pairs of storages already found equal
  /// are remembered: comparing shared sub-lists is linear in what is stored.
  static func equal(_ a: Value, _ b: Value) throws -> Bool {
    var seen = SeenPairs()
    return try equal(a, b, depth: 0, &seen)
  }

  private static func equal(_ a: Value, _ b: Value, depth: Int, _ seen: inout SeenPairs) throws -> Bool {
    switch (a, b) {
    case (.nil_, .nil_): return true
    case (.bool(let x), .bool(let y)): return x == y
    case (.int(let x), .int(let y)): return x == y
    case (.float(let x), .float(let y)): return x == y
    case (.int(let x), .float(let y)): return intEqualsFloat(x, y)
    case (.float(let x), .int(let y)): return intEqualsFloat(y, x)
    case (.string(let x), .string(let y)): return x == y
    case (.list(let x), .list(let y)):
      guard x.count == y.count else { return false }
      let pair = SeenPairs.key(x, y)
      if try seen.contains(pair, depth: depth) { return true }
      for i in x.indices where !(try equal(x[i], y[i], depth: depth + 1, &seen)) { return false }
      seen.insert(pair)
      return true
    case (.record(let x), .record(let y)):
      // Like Python dicts: same fields with equal values, in any order.
      guard x.count == y.count else { return false }
      let pair = SeenPairs.key(x, y)
      if try seen.contains(pair, depth: depth) { return true }
      for (k, v) in x.fields {
        guard let w = y[k], try equal(v, w, depth: depth + 1, &seen) else { return false }
      }
      seen.insert(pair)
      return true
    case (.function(let x), .function(let y)): return x === y
    case (.native(let x), _):
      if let n = x as? NativeOperators, let r = try n.binary(.eq, b, reversed: false) { return r.isTruthy }
      if case .native(let y) = b { return x === y }
      return false
    case (_, .native(let y)):
      if let n = y as? NativeOperators, let r = try n.binary(.eq, a, reversed: true) { return r.isTruthy }
      return false
    default: return false
    }
  }

  /// Exact comparison (no rounding of the Int through Double).
  static func intEqualsFloat(_ i: Int, _ f: Double) -> Bool {
    guard f.isFinite, f.rounded() == f, let exact = Int(exactly: f) else { return false }
    return exact == i
  }

  static func ordered(_ op: BinaryOp, _ a: Value, _ b: Value) throws -> Bool {
    let c: Int
    do { c = try compare(a, b) } catch is Unordered { return false }
    switch op {
    case .lt: return c < 0
    case .le: return c <= 0
    case .gt: return c > 0
    case .ge: return c >= 0
    default: return c == 0
    }
  }

  /// -1, 0 or 1; NaN compares as unordered, which makes every ordering false, as in Python.
  /// Lists that share storage compare equal without a look inside (as `equal`).
  static func compare(_ a: Value, _ b: Value) throws -> Int {
    var seen = SeenPairs()
    return try compare(a, b, depth: 0, &seen)
  }

  private static func compare(_ a: Value, _ b: Value, depth: Int, _ seen: inout SeenPairs) throws -> Int {
    switch (a, b) {
    case (.int(let x), .int(let y)): return x < y ? -1 : (x == y ? 0 : 1)
    case (.int, .float), (.float, .int), (.float, .float):
      let x = number(a), y = number(b)
      if x.isNaN || y.isNaN { throw Unordered() }
      if case .int(let i) = a, case .float(let f) = b, intEqualsFloat(i, f) { return 0 }
      if case .float(let f) = a, case .int(let i) = b, intEqualsFloat(i, f) { return 0 }
      return x < y ? -1 : (x == y ? 0 : 1)
    case (.string(let x), .string(let y)):
      // Code-point order, as Python compares strings.
      return x.unicodeScalars.lexicographicallyPrecedes(y.unicodeScalars)
        ? -1 : (x == y ? 0 : 1)
    case (.list(let x), .list(let y)):
      let pair = SeenPairs.key(x, y)
      if try seen.contains(pair, depth: depth) { return 0 }
      for i in 0..<min(x.count, y.count) {
        let c = try compare(x[i], y[i], depth: depth + 1, &seen)
        if c != 0 { return c }
      }
      if x.count == y.count { seen.insert(pair) }
      return x.count < y.count ? -1 : (x.count == y.count ? 0 : 1)
    default:
      // One-element tensors order by value, against numbers or each other
      // (so `max`, `min` and `sorted` work on lists of 0-d tensors).
      if a.tensor != nil || b.tensor != nil, let x = try tensorNumber(a), let y = try tensorNumber(b) {
        return try compare(x, y, depth: depth, &seen)
      }
      let hint = a.tensor != nil || b.tensor != nil ? " (only one-element tensors compare, by value)" : ""
      throw BuiltinError("attempt to compare \(a.typeName) with \(b.typeName)\(hint)")
    }
  }

  /// A number as itself, a one-element tensor as its Float value; nil otherwise.
  private static func tensorNumber(_ v: Value) throws -> Value? {
    switch v {
    case .int, .float: return v
    default:
      guard let t = v.tensor, t.count == 1 else { return nil }
      let value = TensorConvert.value(try t.value(), dtype: t.dtype)
      if case .bool(let b) = value { return .int(b ? 1 : 0) }  // false < true, as Python's bools
      return value
    }
  }

  static func number(_ v: Value) -> Double {
    switch v {
    case .int(let i): return Double(i)
    case .float(let f): return f
    default: return .nan
    }
  }

  struct Unordered: Error {}
}

/// Pairs of containers a comparison found equal, by storage. The first few pairs
/// are not recorded (small comparisons stay allocation-free); past them every
/// pair is, so each pair of storages is looked inside at most once more.
private struct SeenPairs {
  struct Pair: Hashable {
    let a: UnsafeRawPointer?, b: UnsafeRawPointer?
    let keysA: UnsafeRawPointer?, keysB: UnsafeRawPointer?
  }
  private var pairs: Set<Pair> = []
  private var visited = 0
  private static let unrecorded = 32

  /// The pair's storages (nil for an empty container: all share one).
  static func key(_ x: [Value], _ y: [Value]) -> Pair {
    Pair(a: address(x), b: address(y), keysA: nil, keysB: nil)
  }

  static func key(_ x: Record, _ y: Record) -> Pair {
    Pair(a: address(x.values), b: address(y.values), keysA: address(x.keys), keysB: address(y.keys))
  }

  private static func address<T>(_ xs: [T]) -> UnsafeRawPointer? { xs.isEmpty ? nil : storageAddress(xs) }

  /// Whether the two containers (entered at `depth`) are known equal: the same
  /// storage, or a pair found equal before. Throws past the nesting cap (for
  /// two containers that are not the same). Empty ones have nothing to skip.
  mutating func contains(_ pair: Pair, depth: Int) throws -> Bool {
    if pair.a != nil, pair.a == pair.b, pair.keysA == pair.keysB { return true }
    if depth >= Interpreter.maxNestingDepth { throw nestedTooDeeply() }
    guard pair.a != nil, pair.b != nil else { return false }
    visited += 1
    return visited > Self.unrecorded && pairs.contains(pair)
  }

  mutating func insert(_ pair: Pair) {
    guard visited > Self.unrecorded, pair.a != nil, pair.b != nil else { return }
    pairs.insert(pair)
  }
}
