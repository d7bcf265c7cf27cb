// Equality and ordering. `==` is structural for lists and records and numeric
// across Int and Float; `<` orders numbers, strings and lists (lexicographically).

enum Compare {
  /// Nesting beyond this is treated as an error rather than risking the native stack.
  static let maxDepth = 10_000

  static func equal(_ a: Value, _ b: Value, depth: Int = 0) throws -> Bool {
    if depth > maxDepth { throw BuiltinError("values nested too deeply to compare") }
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
      for i in x.indices where !(try equal(x[i], y[i], depth: depth + 1)) { return false }
      return true
    case (.record(let x), .record(let y)):
      // Like Python dicts: same fields with equal values, in any order.
      guard x.count == y.count else { return false }
      for (k, v) in x.fields {
        guard let w = y[k], try equal(v, w, depth: depth + 1) else { return false }
      }
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
  static func compare(_ a: Value, _ b: Value, depth: Int = 0) throws -> Int {
    if depth > maxDepth { throw BuiltinError("values nested too deeply to compare") }
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
      for i in 0..<min(x.count, y.count) {
        let c = try compare(x[i], y[i], depth: depth + 1)
        if c != 0 { return c }
      }
      return x.count < y.count ? -1 : (x.count == y.count ? 0 : 1)
    default:
      throw BuiltinError("attempt to compare \(a.typeName) with \(b.typeName)")
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
