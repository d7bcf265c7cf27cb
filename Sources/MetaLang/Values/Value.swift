// The values a Meta program computes with. Lists and records are Swift
// arrays/structs, so they have value semantics (copy-on-write) for free.

/// A Meta value.
public enum Value: @unchecked Sendable {
  case nil_
  case bool(Bool)
  case int(Int)
  case float(Double)
  case string(String)
  case list([Value])
  case record(Record)
  case function(Function)
  /// Tensors, tasks, learners, optimizers and other runtime objects.
  case native(any NativeObject)

  /// The kind's name as `type(x)` returns it: "Nil", "Int", "Tensor", ...
  public var typeName: String {
    switch self {
    case .nil_: "Nil"
    case .bool: "Bool"
    case .int: "Int"
    case .float: "Float"
    case .string: "String"
    case .list: "List"
    case .record: "Record"
    case .function: "Function"
    case .native(let object): object.typeName
    }
  }

  /// Only `nil` and `false` are falsy. Blind to `NativeTruth` (a tensor is
  /// simply true here): where a script asks for a truth value, use `truthValue()`.
  @inline(__always) public var isTruthy: Bool {
    switch self {
    case .nil_: false
    case .bool(let b): b
    default: true
    }
  }

  /// The truth value a script sees (conditions, `not`, `and`/`or`, `bool`,
  /// `filter`, `any`/`all` of a List, flags): `isTruthy`, except that a
  /// `NativeTruth` object decides for itself and may refuse (a tensor of
  /// other than one element throws a `BuiltinError`).
  public func truthValue() throws -> Bool {
    if case .native(let object) = self, let decider = object as? NativeTruth { return try decider.truth() }
    return isTruthy
  }
}

/// An ordered, string-keyed record `{lr: 0.1, steps: 5}`.
public struct Record: Sendable {
  public private(set) var keys: [String]
  public private(set) var values: [Value]

  public init() { keys = []; values = [] }
  public init(_ fields: [(String, Value)]) {
    keys = []; values = []
    for (k, v) in fields { self[k] = v }
  }

  /// A record of `keys` (distinct, as another record's are) and as many `values`.
  init(distinctKeys keys: [String], values: [Value]) {
    self.keys = keys; self.values = values
  }

  public var count: Int { keys.count }

  /// Field lookup; records are small, so a linear scan beats hashing.
  public subscript(key: String) -> Value? {
    get {
      for i in keys.indices where keys[i] == key { return values[i] }
      return nil
    }
    set {
      if let i = keys.firstIndex(of: key) {
        if let newValue { values[i] = newValue } else { keys.remove(at: i); values.remove(at: i) }
      } else if let newValue {
        keys.append(key); values.append(newValue)
      }
    }
  }

  public var fields: Zip2Sequence<[String], [Value]> { zip(keys, values) }

  /// The position of `key`, or nil.
  func index(of key: String) -> Int? {
    for i in keys.indices where keys[i] == key { return i }
    return nil
  }

  /// Mutates the value of field `i` in place (no copy when the record is unique).
  mutating func modifyValue<R>(at i: Int, _ body: (inout Value) throws -> R) rethrows -> R {
    try body(&values[i])
  }

  /// Adds a field known to be absent (the caller checked with `index(of:)`).
  mutating func appendField(_ key: String, _ value: Value) {
    keys.append(key); values.append(value)
  }
}

/// A runtime object the language does not define itself (a tensor, a task, a
/// learner, ...). Identity matters, so it is a class.
public protocol NativeObject: AnyObject {
  /// The name `type(x)` returns, e.g. "Tensor" or "TaskSet".
  var typeName: String { get }
  /// How `print` shows the object.
  var description: String { get }
  /// `object.name`: a field or a bound method; nil when there is none.
  func field(_ name: String) throws -> Value?
  /// Names offered by REPL completion after `object.`.
  var fieldNames: [String] { get }
}

extension NativeObject {
  public func field(_ name: String) throws -> Value? { nil }
  public var fieldNames: [String] { [] }
}

/// A native object that takes part in operators (`t + 1`, `2 * t`, `a @ b`, `-t`, `a == b`).
/// The interpreter asks the native operand; returning nil means "not supported" and
/// becomes the usual `attempt to perform arithmetic on a X value` error.
public protocol NativeOperators: NativeObject {
  /// `self op other`, or `other op self` when `reversed` (self was the right operand).
  func binary(_ op: BinaryOp, _ other: Value, reversed: Bool) throws -> Value?
  /// `-self`.
  func negate() throws -> Value?
}

/// One subscript item after evaluation: an index value, or a slice with optional bounds.
public enum IndexArgument: Sendable {
  case single(Value)
  case slice(start: Int?, stop: Int?, step: Int?)
  /// `...`: the axes not otherwise indexed.
  case ellipsis
}

/// A native object that can be indexed: `t[0, 1:3, :]`.
public protocol NativeSubscriptable: NativeObject {
  func index(_ items: [IndexArgument]) throws -> Value
}

/// A native object that `for x in object` can iterate over (e.g. a tensor's first axis).
public protocol NativeIterable: NativeObject {
  func elements() throws -> [Value]
}

/// A native object that can be called like a function: `model(params, x)`.
public protocol NativeCallable: NativeObject {
  func call(_ arguments: NativeArguments) throws -> Value
}

/// A native object with methods: `object.name(args)` calls this first, which saves
/// allocating a bound-method value per call. Return nil when there is no such method.
public protocol NativeMethods: NativeObject {
  func callMethod(_ name: String, _ arguments: NativeArguments) throws -> Value?
}

/// A native object with a length (`len(x)`).
/// A native object whose truth value in a condition is not simply `true`: a
/// one-element tensor is true when nonzero; a larger one is ambiguous, as in NumPy.
public protocol NativeTruth: NativeObject {
  /// Throws (a plain message) when the object has no single truth value.
  func truth() throws -> Bool
}

public protocol NativeSized: NativeObject {
  var count: Int { get }
}
