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

  /// Only `nil` and `false` are falsy.
  @inline(__always) public var isTruthy: Bool {
    switch self {
    case .nil_: false
    case .bool(let b): b
    default: true
    }
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
