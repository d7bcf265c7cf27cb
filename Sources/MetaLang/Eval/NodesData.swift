// Building and taking apart data: list and record literals, interpolated
// strings, subscripts and fields.

final class ListNode: ExprNode {
  let items: [ExprNode]
  init(_ items: [ExprNode], loc: SourceLoc) { self.items = items; super.init(loc: loc) }
  override func eval(_ rt: Runtime) throws -> Value {
    var out: [Value] = []
    out.reserveCapacity(items.count)
    for item in items {
      let v = try item.eval(rt)
      do { try rt.nesting.check(v) } catch { throw rt.locate(error, at: loc) }
      out.append(v)
    }
    return .list(out)
  }
}

final class RecordNode: ExprNode {
  let keys: [String]
  let values: [ExprNode]
  init(keys: [String], values: [ExprNode], loc: SourceLoc) {
    self.keys = keys; self.values = values; super.init(loc: loc)
  }
  override func eval(_ rt: Runtime) throws -> Value {
    var r = Record()
    for (k, node) in zip(keys, values) {
      let v = try node.eval(rt)
      do { try rt.nesting.check(v) } catch { throw rt.locate(error, at: loc) }
      r.appendField(k, v)  // the parser refused duplicate keys; a lookup each would be quadratic
    }
    return .record(r)
  }
}

/// `"loss {x:.3f} at {step}"`.
final class InterpolationNode: ExprNode {
  enum Part {
    case text(String)
    case value(ExprNode, format: String?)
  }
  let parts: [Part]
  init(_ parts: [Part], loc: SourceLoc) { self.parts = parts; super.init(loc: loc) }
  override func eval(_ rt: Runtime) throws -> Value {
    var out = ""
    for part in parts {
      switch part {
      case .text(let s): out += s
      case .value(let e, let format):
        let v = try e.eval(rt)
        if let format {
          do { out += try FormatSpec.apply(v, format) } catch { throw rt.locate(error, at: e.loc) }
        } else {
          do { out += try v.printed() } catch { throw rt.locate(error, at: loc) }
        }
      }
      try Operators.checkSizeLocated(out.utf8.count, rt, loc)
    }
    return .string(out)
  }
}

/// One subscript item before evaluation.
enum IndexItemNode {
  case single(ExprNode)
  case slice(ExprNode?, ExprNode?, ExprNode?)
  case ellipsis
}

/// Evaluates subscript items (slice bounds must be Int or nil).
func evalIndexItems(_ items: [IndexItemNode], _ rt: Runtime, _ loc: SourceLoc) throws -> [IndexArgument] {
  func bound(_ e: ExprNode?) throws -> Int? {
    guard let e else { return nil }
    switch try e.eval(rt) {
    case .nil_: return nil
    case .int(let i): return i
    case let v: throw rt.error("slice bounds must be Int or nil (got \(v.typeName))", at: e.loc)
    }
  }
  var out: [IndexArgument] = []
  out.reserveCapacity(items.count)
  for item in items {
    switch item {
    case .single(let e): out.append(.single(try e.eval(rt)))
    case .slice(let a, let b, let c): out.append(.slice(start: try bound(a), stop: try bound(b), step: try bound(c)))
    case .ellipsis: out.append(.ellipsis)
    }
  }
  return out
}

/// `base[i]`, `base[a:b]`, `t[0, 1:3]`.
final class IndexNode: ExprNode {
  let base: ExprNode
  let items: [IndexItemNode]
  init(base: ExprNode, items: [IndexItemNode], loc: SourceLoc) {
    self.base = base; self.items = items; super.init(loc: loc)
  }
  override func eval(_ rt: Runtime) throws -> Value {
    let b = try base.eval(rt)
    if items.count == 1, case .single(let keyNode) = items[0] {
      let key = try keyNode.eval(rt)
      // Fast path: a list and an in-range Int.
      if case .list(let xs) = b, case .int(let i) = key, i >= 0, i < xs.count { return xs[i] }
      do { return try Indexing.get(b, key, rt) } catch { throw rt.locate(error, at: loc) }
    }
    let args = try evalIndexItems(items, rt, loc)
    do { return try Indexing.get(b, args, rt) } catch { throw rt.locate(error, at: loc) }
  }
}

/// `base.name` (not called).
final class FieldNode: ExprNode {
  let base: ExprNode
  let name: String
  init(base: ExprNode, name: String, loc: SourceLoc) {
    self.base = base; self.name = name; super.init(loc: loc)
  }
  override func eval(_ rt: Runtime) throws -> Value {
    let b = try base.eval(rt)
    if case .record(let r) = b, let v = r[name] { return v }
    do { return try Indexing.field(b, name) } catch { throw rt.locate(error, at: loc) }
  }
  override var calleeDescription: String? { "field '\(name)'" }
}

extension Operators {
  static func checkSizeLocated(_ bytes: Int, _ rt: Runtime, _ loc: SourceLoc) throws {
    if bytes > Interpreter.maxCollectionSize {
      throw rt.error("string too large (more than \(Interpreter.maxCollectionSize) bytes)", at: loc)
    }
  }
}
