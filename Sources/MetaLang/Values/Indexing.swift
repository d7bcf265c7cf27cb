// Subscripts and fields on values: `xs[i]`, `xs[1:3]`, `s[-1]`, `r["k"]`, `r.k`,
// native objects' indexes and fields. Errors are BuiltinErrors the node locates.

enum Indexing {
  /// A Python-style index (negative counts from the end) checked against `count`.
  @inline(__always) static func position(_ i: Int, count: Int, kind: String) throws -> Int {
    let p = i < 0 ? i &+ count : i
    guard p >= 0, p < count else {
      throw BuiltinError("index \(i) out of range for \(withArticle(kind)) of length \(count)")
    }
    return p
  }

  static func intIndex(_ v: Value, kind: String) throws -> Int {
    if case .int(let i) = v { return i }
    throw BuiltinError("\(kind) index must be an Int (got \(v.typeName))")
  }

  /// The positions a slice selects, as Python computes them.
  static func sliceIndices(count: Int, _ start: Int?, _ stop: Int?, _ step: Int?) throws -> StrideTo<Int> {
    let step = step ?? 1
    if step == 0 { throw BuiltinError("slice step cannot be zero") }
    func adjust(_ v: Int?, ifNil: Int) -> Int {
      guard var v else { return ifNil }
      if v < 0 {
        v = v < -count ? (step < 0 ? -1 : 0) : v + count
      } else if v >= count {
        v = step < 0 ? count - 1 : count
      }
      return v
    }
    let lo = adjust(start, ifNil: step < 0 ? count - 1 : 0)
    let hi = adjust(stop, ifNil: step < 0 ? -1 : count)
    return stride(from: lo, to: hi, by: step)
  }

  static func get(_ base: Value, _ items: [IndexArgument], _ rt: Runtime) throws -> Value {
    if case .native(let o) = base {
      if let s = o as? NativeSubscriptable { return try s.index(items) }
      throw BuiltinError("attempt to index \(withArticle(base.typeName)) value")
    }
    guard items.count == 1 else {
      throw BuiltinError("\(withArticle(base.typeName)) takes one index, not \(items.count)")
    }
    switch items[0] {
    case .single(let key): return try get(base, key, rt)
    case .slice(let start, let stop, let step):
      switch base {
      case .list(let xs):
        let out = try sliceIndices(count: xs.count, start, stop, step).map { xs[$0] }
        try rt.charge(out.count)
        return .list(out)
      case .string(let s):
        return .string(try rt.slice(s, start, stop, step))
      default: throw BuiltinError("attempt to slice \(withArticle(base.typeName)) value")
      }
    case .ellipsis:
      throw BuiltinError("'...' indexes tensors only, not \(withArticle(base.typeName)) value")
    }
  }

  static func get(_ base: Value, _ key: Value, _ rt: Runtime) throws -> Value {
    switch base {
    case .list(let xs):
      return xs[try position(try intIndex(key, kind: "List"), count: xs.count, kind: "List")]
    case .string(let s):
      let i = try intIndex(key, kind: "String")
      let p = try position(i, count: try rt.characterCount(s), kind: "String")
      return .string(try rt.character(s, at: p))
    case .record(let r):
      guard case .string(let k) = key else {
        throw BuiltinError("Record index must be a String (got \(key.typeName))")
      }
      guard let v = r[k] else { throw BuiltinError("record has no field '\(k)'" + NearestName.hint(k, among: r.keys)) }
      return v
    case .native:
      return try get(base, [.single(key)], rt)
    default:
      throw BuiltinError("attempt to index \(withArticle(base.typeName)) value")
    }
  }

  /// Mutates `base[key]` in place (the container must be unique to avoid a copy:
  /// the caller has already taken it out of its slot).
  static func modify(_ base: inout Value, _ key: Value, _ body: (inout Value) throws -> Void) throws {
    // `if case` rather than `switch`: a switch may hold a copy of `base` while the
    // case body runs, and that second reference would make the mutation copy.
    if case .list(var xs) = base {
      let p = try position(try intIndex(key, kind: "List"), count: xs.count, kind: "List")
      base = .nil_
      defer { base = .list(xs) }
      try body(&xs[p])
    } else if case .record(var r) = base {
      guard case .string(let k) = key else {
        throw BuiltinError("Record index must be a String (got \(key.typeName))")
      }
      base = .nil_
      defer { base = .record(r) }
      try modifyField(&r, k, body)
    } else if case .native(let o as NativeIndexAssignable) = base {
      base = try o.assigning([.single(key)], body)
    } else if case .string = base {
      throw BuiltinError("strings are immutable")
    } else {
      throw BuiltinError("attempt to index \(withArticle(base.typeName)) value")
    }
  }

  /// Mutates `base[i, j, ...]` (several items or a slice): only native
  /// containers such as tensors take those.
  static func modify(_ base: inout Value, items: [IndexArgument], _ body: (inout Value) throws -> Void) throws {
    if items.count == 1, case .single(let key) = items[0] { return try modify(&base, key, body) }
    guard case .native(let o as NativeIndexAssignable) = base else {
      throw BuiltinError("\(base.typeName) index must be a single value (slices and several indices assign only into tensors)")
    }
    base = try o.assigning(items, body)
  }

  /// `r.k op= v`: a missing field is added by plain assignment, an error otherwise.
  static func modifyField(_ r: inout Record, _ k: String, _ body: (inout Value) throws -> Void) throws {
    if let i = r.index(of: k) {
      try r.modifyValue(at: i, body)
    } else {
      var fresh = Value.nil_
      try body(&fresh)
      r.appendField(k, fresh)
    }
  }

  static func modifyField(_ base: inout Value, _ name: String, _ body: (inout Value) throws -> Void) throws {
    if case .native(let o) = base, let object = o as? NativeFieldAssignable {
      // Shared by reference: change the object itself, not the variable.
      var v = try object.field(name) ?? .nil_
      try body(&v)
      return try object.setField(name, v)
    }
    guard case .record(var r) = base else {
      throw BuiltinError("attempt to set field '\(name)' of \(withArticle(base.typeName)) value")
    }
    base = .nil_
    defer { base = .record(r) }
    try modifyField(&r, name, body)
  }

  /// `value.name` when it is not a method call.
  static func field(_ base: Value, _ name: String) throws -> Value {
    switch base {
    case .record(let r):
      if let v = r[name] { return v }
      throw BuiltinError("record has no field '\(name)'" + NearestName.hint(name, among: r.keys))
    case .native(let o):
      if let v = try o.field(name) { return v }
      throw BuiltinError("\(o.typeName) has no field '\(name)'" + NearestName.hint(name, among: o.fieldNames))
    case .list, .string:
      throw BuiltinError("\(base.typeName) has no field '\(name)' (call methods as \(name)(...))")
    default:
      throw BuiltinError("attempt to read field '\(name)' of \(withArticle(base.typeName)) value")
    }
  }
}
