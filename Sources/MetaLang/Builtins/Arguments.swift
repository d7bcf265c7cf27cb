// How native code reads its arguments, written once for every kind of call:
// builtins read straight from the value stack (`Arguments`), host functions,
// native objects and tensor ops from an array (`NativeArguments`). Both are
// `ArgumentReader`s, which give the arity and label checks, the typed accessors
// and the Lua-style messages ("bad argument #1 to 'round' (number expected, got String)").

/// A call's arguments as native code reads them. Conformers say where the values
/// are; the checks, typed accessors and error messages come with the protocol.
public protocol ArgumentReader {
  /// The called function's name, as messages show it.
  var function: String { get }
  /// The number of positional arguments.
  var count: Int { get }
  /// Positional argument `i` (0-based).
  subscript(i: Int) -> Value { get }
  /// Named arguments (`f(x, by: 2)` gives `[("by", 2)]`), in call order.
  var named: [(label: String, value: Value)] { get }
  /// Leading positional values that are a method's receiver (`t.sum(axis: 0)` reads
  /// `t` as argument 0): messages neither count nor number them. 0 in plain calls.
  var receivers: Int { get }
}

/// The messages for calls with the wrong arguments, for readers and for the
/// evaluator's own checks (a `for i in range(...)` loop, named arguments of closures).
/// Never inlined: they are cold, and inlined they crowd the loops that call them.
enum ArgumentMessage {
  @inline(never) static func bad(_ ordinal: Int, _ function: String, _ detail: String) -> String {
    "bad argument #\(ordinal) to '\(function)' (\(detail))"
  }

  /// `v` is nil when the argument is missing ("got no value", as Lua says).
  @inline(never) static func bad(_ ordinal: Int, _ function: String, expected: String, got v: Value?) -> String {
    bad(ordinal, function, "\(expected) expected, got \(v?.typeName ?? "no value")")
  }

  @inline(never) static func badNamed(_ label: String, _ function: String, expected: String, got v: Value) -> String {
    "bad argument '\(label)' to '\(function)' (\(expected) expected, got \(v.typeName))"
  }

  /// `expected` counts arguments as the user writes them; `Int.max` means no upper bound.
  @inline(never) static func wrongCount(_ function: String, expected: ClosedRange<Int>, got: Int) -> String {
    let lo = expected.lowerBound, hi = expected.upperBound
    let want = lo == hi ? "\(lo)" : hi == Int.max ? "at least \(lo)" : "\(lo) to \(hi)"
    return "wrong number of arguments to '\(function)' (expected \(want), got \(got))"
  }

  static let maxListed = 20

  /// "unknown argument 'keepdim' to 'sum' (did you mean 'keepdims'?; valid: axis, keepdims)":
  /// `valid` are the labels the function takes, in the order it declares them.
  @inline(never) static func unknownLabel(_ label: String, _ function: String, valid: [String]) -> String {
    var seen = Set<String>()
    let valid = valid.filter { seen.insert($0).inserted }
    guard !valid.isEmpty else { return "unknown argument '\(label)' to '\(function)' (it takes no named arguments)" }
    let guess = NearestName.find(label, among: valid).map { "did you mean '\($0)'?; " } ?? ""
    // A function may have thousands of parameters: the message lists a screenful.
    let shown = valid.prefix(maxListed).joined(separator: ", ") + (valid.count > maxListed ? ", ..." : "")
    return "unknown argument '\(label)' to '\(function)' (\(guess)valid: \(shown))"
  }
}

extension ArgumentReader {
  /// No receiver: a plain call.
  public var receivers: Int { 0 }

  /// Positional argument `i`, or nil when there is no such argument.
  @inline(__always) func argument(_ i: Int) -> Value? { i >= 0 && i < count ? self[i] : nil }

  /// Fails unless the number of positional arguments (the receiver included) is within `range`.
  public func expect(_ range: ClosedRange<Int>) throws {
    guard !range.contains(count) else { return }
    let r = receivers
    let hi = range.upperBound == Int.max ? Int.max : range.upperBound - r
    throw BuiltinError(ArgumentMessage.wrongCount(function, expected: (range.lowerBound - r)...hi, got: count - r))
  }

  /// Fails unless there are exactly `n` positional arguments (the receiver included).
  public func expect(_ n: Int) throws { try expect(n...n) }

  /// Fails when a named argument is not one of `labels`.
  public func checkLabels(_ labels: [String]) throws {
    for entry in named where !labels.contains(entry.label) {
      throw BuiltinError(ArgumentMessage.unknownLabel(entry.label, function, valid: labels))
    }
  }

  /// The value of the named argument `label`, if given.
  public func named(_ label: String) -> Value? {
    for entry in named where entry.label == label { return entry.value }
    return nil
  }

  /// Argument `i`'s number as the user wrote it (from 1, inside the parentheses).
  func ordinal(_ i: Int) -> Int { i + 1 - receivers }

  /// "bad argument #n to 'f' (detail)".
  func bad(_ i: Int, detail: String) -> BuiltinError {
    BuiltinError(ArgumentMessage.bad(ordinal(i), function, detail))
  }

  /// "bad argument #n to 'f' (X expected, got Y)".
  func bad(_ i: Int, _ expected: String) -> BuiltinError {
    BuiltinError(ArgumentMessage.bad(ordinal(i), function, expected: expected, got: argument(i)))
  }

  func badNamed(_ label: String, _ expected: String, _ v: Value) -> BuiltinError {
    BuiltinError(ArgumentMessage.badNamed(label, function, expected: expected, got: v))
  }

  // The typed accessors: a missing argument is "got no value", never a trap.

  /// Positional argument `i` as an Int.
  public func int(_ i: Int) throws -> Int {
    if case .int(let v)? = argument(i) { return v }
    throw bad(i, "Int")
  }

  /// Positional argument `i`, an Int or a Float, as a Double.
  public func number(_ i: Int) throws -> Double { try number(i, as: Double.self) }

  /// Positional argument `i`, an Int or a Float, as `F` (rounded once).
  func number<F: BinaryFloatingPoint>(_ i: Int, as: F.Type) throws -> F {
    switch argument(i) {
    case .int(let v)?: return F(v)
    case .float(let v)?: return F(v)
    default: throw bad(i, "number")
    }
  }

  /// Positional argument `i` as a String.
  public func string(_ i: Int) throws -> String {
    if case .string(let v)? = argument(i) { return v }
    throw bad(i, "String")
  }

  /// Positional argument `i` as a List's elements.
  public func list(_ i: Int) throws -> [Value] {
    if case .list(let v)? = argument(i) { return v }
    throw bad(i, "List")
  }

  /// Positional argument `i` as a Record.
  public func record(_ i: Int) throws -> Record {
    if case .record(let v)? = argument(i) { return v }
    throw bad(i, "Record")
  }

  /// Positional argument `i` if it can be called: a function or a callable native object.
  public func callable(_ i: Int) throws -> Value {
    switch argument(i) {
    case .function(let f)?: return .function(f)
    case .native(let o)? where o is NativeCallable: return .native(o)
    default: throw bad(i, "Function")
    }
  }

  /// The elements of an iterable argument (list, string, record keys, range-like natives).
  func elements(_ i: Int) throws -> [Value] {
    if let v = argument(i), let items = try Iteration.elements(of: v) { return items }
    throw bad(i, "List")
  }

  /// A named number, as `F`; nil when absent or `nil`.
  func namedNumber<F: BinaryFloatingPoint>(_ label: String, as: F.Type) throws -> F? {
    switch named(label) {
    case nil, .nil_?: return nil
    case .int(let v)?: return F(v)
    case .float(let v)?: return F(v)
    case let v?: throw badNamed(label, "number", v)
    }
  }

  /// A named Int; nil when absent or `nil`.
  func namedInt(_ label: String) throws -> Int? {
    switch named(label) {
    case nil, .nil_?: return nil
    case .int(let v)?: return v
    case let v?: throw badNamed(label, "Int", v)
    }
  }

  /// A named flag: its truth value, or `value` when absent.
  func namedBool(_ label: String, default value: Bool) -> Bool {
    named(label)?.isTruthy ?? value
  }
}

/// The arguments of one builtin call. Positional values live on the runtime's
/// value stack for the duration of the call (no array is allocated).
struct Arguments: ArgumentReader {
  let rt: Runtime
  /// The builtin's name, for error messages.
  let function: String
  let positional: UnsafeMutableBufferPointer<Value>
  let named: [(label: String, value: Value)]

  var count: Int { positional.count }

  subscript(i: Int) -> Value { positional[i] }
}

/// The arguments of a call to native Swift code that takes them as an array: a
/// function registered with `Interpreter.register`, a `NativeCallable` or
/// `NativeMethods` object. Read them directly or with the `ArgumentReader`
/// accessors, whose errors name the function and the argument the way builtins do.
public struct NativeArguments: ArgumentReader {
  /// Positional arguments, in order.
  public var positional: [Value]
  /// Named arguments (`f(x, by: 2)` gives `["by": 2]`), in call order.
  public var named: [(label: String, value: Value)]
  /// The called function's (or method's) name, for messages; "?" when unknown.
  public var function: String
  /// Leading positional values that are a method's receiver (not counted or
  /// numbered in messages).
  public var receivers: Int = 0
  /// The runtime, for tensor functions that draw random numbers or call back into Meta
  /// (nil when a host or a method call made the arguments).
  var rt: Runtime?

  public init(positional: [Value], named: [(label: String, value: Value)] = [], function: String = "?") {
    self.positional = positional; self.named = named; self.function = function
  }

  /// A builtin's arguments, copied off the value stack.
  init(_ args: Arguments) {
    self.init(positional: Array(args.positional), named: args.named, function: args.function)
    rt = args.rt
  }

  public var count: Int { positional.count }

  public subscript(i: Int) -> Value { positional[i] }

  /// The runtime, for tensor functions that need one (not callable as methods).
  func runtime() throws -> Runtime {
    guard let rt else { throw BuiltinError("'\(function)' cannot be called as a method") }
    return rt
  }
}
