// Objects the stdlib defines in Meta: `Learner`, `Model`, `Optimizer`,
// `MetaOptimizer`, `Memory`. A type name over mutable fields, shared by
// reference like a Python object, so `algo.fit(...)` updates the `algo.params`
// every holder sees. `object(kind, fields)` makes one; a field holding
// `fn m(self, ...)` is a method that receives the object.

import MetaTensor

/// A native object whose fields may be set: `obj.name = value` on a `var` binding
/// changes the object itself (it is shared, not copied).
protocol NativeFieldAssignable: NativeObject {
  func setField(_ name: String, _ value: Value) throws
}

/// An object made by `object("Learner", {...})`. Calling it calls its `apply` field;
/// printing shows its data fields (functions and `_private` fields are left out).
final class MetaObject: NativeObject, NativeFieldAssignable {
  let typeName: String
  var fields: Record

  init(typeName: String, fields: Record) {
    self.typeName = typeName; self.fields = fields
  }

  func field(_ name: String) throws -> Value? { fields[name] }

  var fieldNames: [String] { fields.keys.filter { !$0.hasPrefix("_") } }

  func setField(_ name: String, _ value: Value) throws { fields[name] = value }

  /// Whether `f` is a method written as `fn name(self, ...)`: calling it through the
  /// object passes the object first, as Python does (and no closure cycle holds it).
  static func takesSelf(_ f: Value) -> Bool {
    guard case .function(let fn) = f, let proto = fn.proto, let first = proto.params.first else { return false }
    return first.name == "self"
  }

  /// What a call `obj(args)` runs, when the object has an `apply` function.
  var callTarget: Value? {
    // Only functions: an object whose `apply` were itself could recurse without a Meta frame.
    if case .function? = fields["apply"] { return fields["apply"] }
    return nil
  }

  /// Set while this object is being described: an object reachable from its own
  /// fields prints as `Kind(...)` instead of recursing without end.
  private var describing = false

  var description: String {
    if describing { return "\(typeName)(...)" }
    describing = true
    defer { describing = false }
    var parts: [String] = []
    for (key, value) in fields.fields where !key.hasPrefix("_") {
      if case .function = value { continue }
      if key == "apply" { continue }
      parts.append("\(key): \(MetaObject.summary(value, depth: 0))")
    }
    return "\(typeName)(\(parts.joined(separator: ", ")))"
  }

  /// A short rendering of a field: tensors by shape, parameter trees by size, long
  /// lists by length, so printing a learner never dumps its weights.
  static func summary(_ value: Value, depth: Int) -> String {
    if let t = value.tensor {
      return t.count == 1 ? value.repr : "Tensor\(t.shape)"
    }
    if let (leaves, scalars) = treeSize(value), leaves > 1 {
      return "<\(leaves) tensors, \(scalars) values>"
    }
    switch value {
    case .list(let items) where items.count > 6 || depth > 2:
      return "[\(items.count) items]"
    case .list(let items):
      return "[" + items.map { summary($0, depth: depth + 1) }.joined(separator: ", ") + "]"
    case .record(let r) where depth > 2:
      return "{\(r.count) fields}"
    case .record(let r):
      return "{" + r.fields.map { "\($0.0): \(summary($0.1, depth: depth + 1))" }.joined(separator: ", ") + "}"
    case .function(let f):
      return f.name.isEmpty || f.name == "<fn>" ? "<fn>" : f.name
    default:
      return value.repr
    }
  }

  /// Leaf and element counts when `value` is a tree of tensors with at least one
  /// leaf (counted once per path, saturating; shared storage is walked once).
  private static func treeSize(_ value: Value) -> (Int, Int)? {
    typealias Size = (isTree: Bool, leaves: Int, scalars: Int)
    func add(_ a: Int, _ b: Int) -> Int {
      let (sum, overflow) = a.addingReportingOverflow(b)
      return overflow ? Int.max : sum
    }
    let size = try? TreeWalk.fold(
      value, leaf: { v -> Size in v.tensor.map { (true, 1, $0.count) } ?? (false, 0, 0) }, empty: (true, 0, 0),
      combine: { a, b in (a.isTree && b.isTree, add(a.leaves, b.leaves), add(a.scalars, b.scalars)) },
      done: { !$0.isTree })
    guard let size, size.isTree, size.leaves > 0 else { return nil }
    return (size.leaves, size.scalars)
  }
}

extension Builtins {
  static func objectBuiltins() -> [Builtin] { [
    Builtin("object") { args in
      try args.expect(2)
      guard case .string(let kind) = args[0] else { throw args.bad(0, "String") }
      guard isBareIdentifier(kind) else { throw BuiltinError("object: the kind must be a name (got \"\(kind)\")") }
      guard case .record(let fields) = args[1] else { throw args.bad(1, "Record") }
      let made = MetaObject(typeName: kind, fields: fields)
      args.rt.objects.register(made)
      return .native(made)
    }
  ] }
}
