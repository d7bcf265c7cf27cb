// Arguments of tensor functions and methods, read with Lua-style messages
// naming the function and the argument. A method call `t.sum(axis: 0)` is the
// function call `sum(t, axis: 0)` with `t` as argument 0 (and numbering that
// starts at the first argument inside the parentheses).

import MetaTensor

struct OpArgs {
  let name: String
  var positional: [Value]
  let named: [(label: String, value: Value)]
  /// The runtime, for functions that call back or draw random numbers (nil in methods).
  let rt: Runtime?
  let isMethod: Bool

  init(name: String, positional: [Value], named: [(label: String, value: Value)], rt: Runtime?, isMethod: Bool) {
    self.name = name; self.positional = positional; self.named = named; self.rt = rt; self.isMethod = isMethod
  }

  init(_ args: Arguments) {
    self.init(name: args.function, positional: Array(args.positional), named: args.named, rt: args.rt, isMethod: false)
  }

  var count: Int { positional.count }
  subscript(i: Int) -> Value { positional[i] }

  func runtime() throws -> Runtime {
    guard let rt else { throw BuiltinError("'\(name)' cannot be called as a method") }
    return rt
  }

  /// The argument's number as the user wrote it.
  private func ordinal(_ i: Int) -> Int { isMethod ? i : i + 1 }

  func expect(_ range: ClosedRange<Int>) throws {
    guard !range.contains(count) else { return }
    let shift = isMethod ? 1 : 0
    let lo = range.lowerBound - shift, hi = range.upperBound - shift
    let want = lo == hi ? "\(lo)" : hi >= Int.max - 1 ? "at least \(lo)" : "\(lo) to \(hi)"
    throw BuiltinError("wrong number of arguments to '\(name)' (expected \(want), got \(count - shift))")
  }

  func expect(_ n: Int) throws { try expect(n...n) }

  func checkLabels(_ labels: [String]) throws {
    for (label, _) in named where !labels.contains(label) {
      throw BuiltinError("unknown argument '\(label)' to '\(name)'")
    }
  }

  func named(_ label: String) -> Value? {
    for entry in named where entry.label == label { return entry.value }
    return nil
  }

  func bad(_ i: Int, _ expected: String) -> BuiltinError {
    BuiltinError("bad argument #\(ordinal(i)) to '\(name)' (\(expected) expected, got \(positional[i].typeName))")
  }

  func badNamed(_ label: String, _ expected: String, _ v: Value) -> BuiltinError {
    BuiltinError("bad argument '\(label)' to '\(name)' (\(expected) expected, got \(v.typeName))")
  }

  /// A tensor argument; an Int or Float becomes a 0-d tensor.
  func tensor(_ i: Int) throws -> Tensor {
    if let t = positional[i].tensor ?? TensorConvert.scalarTensor(positional[i]) { return t }
    throw bad(i, "Tensor")
  }

  /// A tensor, or nil when the argument is absent or `nil`.
  func optionalTensor(_ i: Int) throws -> Tensor? {
    guard i < count, !isNil(positional[i]) else { return nil }
    return try tensor(i)
  }

  func namedTensor(_ label: String) throws -> Tensor? {
    guard let v = named(label), !isNil(v) else { return nil }
    if let t = v.tensor ?? TensorConvert.scalarTensor(v) { return t }
    throw badNamed(label, "Tensor", v)
  }

  /// Labels (class indices) as a tensor: a tensor or a List of Ints.
  func labels(_ i: Int) throws -> Tensor {
    if case .list = positional[i] { return try TensorConvert.fromNested(positional[i], function: name) }
    return try tensor(i)
  }

  func int(_ i: Int) throws -> Int {
    if case .int(let v) = positional[i] { return v }
    throw bad(i, "Int")
  }

  func number(_ i: Int) throws -> Float {
    switch positional[i] {
    case .int(let v): return Float(v)
    case .float(let v): return Float(v)
    default: throw bad(i, "number")
    }
  }

  func namedNumber(_ label: String) throws -> Float? {
    switch named(label) {
    case nil, .nil_?: return nil
    case .int(let v)?: return Float(v)
    case .float(let v)?: return Float(v)
    case let v?: throw badNamed(label, "number", v)
    }
  }

  func namedInt(_ label: String) throws -> Int? {
    switch named(label) {
    case nil, .nil_?: return nil
    case .int(let v)?: return v
    case let v?: throw badNamed(label, "Int", v)
    }
  }

  func namedBool(_ label: String, default value: Bool) -> Bool {
    named(label)?.isTruthy ?? value
  }

  /// A list of Ints (a shape or axes) at position i; a lone Int counts as `[n]`.
  func ints(_ i: Int, what: String = "List of Ints") throws -> [Int] {
    if let r = try intList(positional[i]) { return r }
    throw bad(i, what)
  }

  /// `axis:` as a list of axes; nil when absent (all axes).
  func axes(_ label: String = "axis") throws -> [Int]? {
    guard let v = named(label), !isNil(v) else { return nil }
    if let r = try intList(v) { return r }
    throw badNamed(label, "Int or List of Ints", v)
  }

  /// A shape given as a List of Ints or as several Int arguments (`zeros(2, 3)`).
  func shape(from i: Int) throws -> [Int] {
    if count == i + 1 { return try ints(i, what: "shape (List of Ints)") }
    return try (i..<count).map { try int($0) }
  }

  /// Kernel sizes, strides, paddings: an Int or a List of two Ints.
  func size2D(_ v: Value, _ label: String) throws -> Size2D {
    if case .int(let n) = v { return Size2D(n) }
    if case .list(let xs) = v, xs.count == 2, case .int(let h) = xs[0], case .int(let w) = xs[1] {
      return Size2D(h, w)
    }
    throw badNamed(label, "Int or [Int, Int]", v)
  }

  private func intList(_ v: Value) throws -> [Int]? {
    switch v {
    case .int(let n): return [n]
    case .list(let xs):
      var out: [Int] = []
      for x in xs {
        guard case .int(let n) = x else { return nil }
        out.append(n)
      }
      return out
    default: return nil
    }
  }

  private func isNil(_ v: Value) -> Bool {
    if case .nil_ = v { return true }
    return false
  }
}
