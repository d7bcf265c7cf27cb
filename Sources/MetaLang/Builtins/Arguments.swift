// How builtins read their arguments: straight from the value stack, with
// Lua-style messages for the wrong kind or number of arguments.

/// The arguments of one builtin call. Positional values live on the runtime's
/// value stack for the duration of the call (no array is allocated).
struct Arguments {
  let rt: Runtime
  /// The builtin's name, for error messages.
  let function: String
  let positional: UnsafeMutableBufferPointer<Value>
  let named: [(label: String, value: Value)]

  var count: Int { positional.count }

  subscript(i: Int) -> Value { positional[i] }

  /// Fails unless the number of positional arguments is within `range`.
  func expect(_ range: ClosedRange<Int>) throws {
    guard !range.contains(count) else { return }
    let want =
      range.lowerBound == range.upperBound
      ? "\(range.lowerBound)"
      : range.upperBound == Int.max ? "at least \(range.lowerBound)" : "\(range.lowerBound) to \(range.upperBound)"
    throw BuiltinError("wrong number of arguments to '\(function)' (expected \(want), got \(count))")
  }

  func expect(_ n: Int) throws { try expect(n...n) }

  /// The value of a named argument, if given.
  func named(_ label: String) -> Value? {
    for entry in named where entry.label == label { return entry.value }
    return nil
  }

  func bad(_ i: Int, _ expected: String) -> BuiltinError {
    BuiltinError(
      "bad argument #\(i + 1) to '\(function)' (\(expected) expected, got \(positional[i].typeName))")
  }

  func int(_ i: Int) throws -> Int {
    if case .int(let v) = positional[i] { return v }
    throw bad(i, "Int")
  }

  /// An Int or a Float, as a Double.
  func number(_ i: Int) throws -> Double {
    switch positional[i] {
    case .int(let v): return Double(v)
    case .float(let v): return v
    default: throw bad(i, "number")
    }
  }

  func string(_ i: Int) throws -> String {
    if case .string(let v) = positional[i] { return v }
    throw bad(i, "String")
  }

  func list(_ i: Int) throws -> [Value] {
    if case .list(let v) = positional[i] { return v }
    throw bad(i, "List")
  }

  func record(_ i: Int) throws -> Record {
    if case .record(let v) = positional[i] { return v }
    throw bad(i, "Record")
  }

  /// Anything callable: a function or a callable native object.
  func callable(_ i: Int) throws -> Value {
    switch positional[i] {
    case .function: return positional[i]
    case .native(let o) where o is NativeCallable: return positional[i]
    default: throw bad(i, "Function")
    }
  }

  /// The elements of an iterable argument (list, string, record keys, range-like natives).
  func elements(_ i: Int) throws -> [Value] {
    if let items = try Iteration.elements(of: positional[i]) { return items }
    throw bad(i, "List")
  }
}
