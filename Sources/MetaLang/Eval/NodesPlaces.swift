// Assignable places: `xs[i] = v`, `r.f += 1`, `m[i][j].f = v`, and the receiver
// of a mutating method (`xs.append(v)`). The stored value is changed in place:
// each container is taken out of its slot before it is mutated, so a uniquely
// referenced list is never copied.

/// The variable a place starts from.
final class PlaceRoot: SlotUser {
  enum Kind {
    case local(Int)
    case capture(Int)
    case global(Env, Int)
  }
  let kind: Kind
  let name: String
  /// `let` bindings can be read through a place but not changed.
  let isConst: Bool
  var boxed = false

  init(_ kind: Kind, name: String, isConst: Bool) {
    self.kind = kind; self.name = name; self.isConst = isConst
  }

  func read(_ rt: Runtime, _ loc: SourceLoc) throws -> Value {
    switch kind {
    case .local(let slot): return boxed ? boxIn(rt.fp[slot]).value : rt.fp[slot]
    case .capture(let i): return rt.captures[i].value
    case .global(let env, let slot):
      let v = env.values[slot]
      return rt.isUndefined(v) ? try rt.readUndefinedGlobal(env, slot, name, at: loc) : v
    }
  }

  /// Gives `body` in-place access to the variable's storage.
  func modify<R>(_ rt: Runtime, _ loc: SourceLoc, _ body: (inout Value) throws -> R) throws -> R {
    switch kind {
    case .local(let slot):
      if boxed { return try body(&boxIn(rt.fp[slot]).value) }
      return try body(&rt.fp[slot])
    case .capture(let i):
      return try body(&rt.captures[i].value)
    case .global(let env, let slot):
      if rt.isUndefined(env.values[slot]) { _ = try rt.readUndefinedGlobal(env, slot, name, at: loc) }
      return try body(&env.values[slot])
    }
  }
}

/// One step from a root to the place: `[key]`, `[i, 1:3]` (tensors) or `.name`.
enum PathStep {
  case index(ExprNode, SourceLoc)
  case items([IndexItemNode], SourceLoc)
  case field(String, SourceLoc)
}

/// A step's evaluated key.
enum PathKey {
  case value(Value)
  case items([IndexArgument])
  case none
}

/// A root and a path, with the path's keys evaluated before anything is changed.
struct PlacePath {
  let root: PlaceRoot
  let steps: [PathStep]

  func keys(_ rt: Runtime) throws -> [PathKey] {
    var keys: [PathKey] = []
    keys.reserveCapacity(steps.count)
    for step in steps {
      switch step {
      case .index(let e, _): keys.append(.value(try e.eval(rt)))
      case .items(let items, let at): keys.append(.items(try evalIndexItems(items, rt, at)))
      case .field: keys.append(.none)
      }
    }
    return keys
  }

  /// The current value at the end of the path.
  func read(_ rt: Runtime, _ keys: [PathKey], _ loc: SourceLoc) throws -> Value {
    var v = try root.read(rt, loc)
    for (k, step) in steps.enumerated() {
      switch step {
      case .index(_, let at), .items(_, let at):
        do {
          switch keys[k] {
          case .value(let key): v = try Indexing.get(v, key, rt)
          case .items(let items): v = try Indexing.get(v, items, rt)
          case .none: break
          }
        } catch { throw rt.locate(error, at: at) }
      case .field(let name, let at):
        do { v = try Indexing.field(v, name) } catch { throw rt.locate(error, at: at) }
      }
    }
    return v
  }

  /// Runs `body` on the value at the end of the path, in place.
  func modify<R>(
    _ rt: Runtime, _ keys: [PathKey], _ loc: SourceLoc, _ body: (inout Value) throws -> R
  ) throws -> R {
    try root.modify(rt, loc) { v in try walk(&v, 0, keys, rt, body) }
  }

  private func walk<R>(
    _ v: inout Value, _ k: Int, _ keys: [PathKey], _ rt: Runtime, _ body: (inout Value) throws -> R
  ) throws -> R {
    if k == steps.count { return try body(&v) }
    var result: R?
    switch steps[k] {
    case .index(_, let at), .items(_, let at):
      do {
        let next: (inout Value) throws -> Void = { inner in result = try walk(&inner, k + 1, keys, rt, body) }
        if case .items(let items) = keys[k] {
          try Indexing.modify(&v, items: items, next)
        } else if case .value(let key) = keys[k] {
          try Indexing.modify(&v, key, next)
        }
      } catch { throw rt.locate(error, at: at) }
    case .field(let name, let at):
      do {
        try Indexing.modifyField(&v, name) { inner in result = try walk(&inner, k + 1, keys, rt, body) }
      } catch { throw rt.locate(error, at: at) }
    }
    guard let result else { throw rt.error("internal error: place not reached", at: loc(at: k)) }
    return result
  }

  private func loc(at k: Int) -> SourceLoc {
    switch steps[k] {
    case .index(_, let l), .items(_, let l), .field(_, let l): return l
    }
  }
}

/// `path op= value` where the path has at least one step.
final class PathAssign: StmtNode {
  let path: PlacePath
  let op: BinaryOp?
  let value: ExprNode
  let loc: SourceLoc

  init(path: PlacePath, op: BinaryOp?, value: ExprNode, loc: SourceLoc) {
    self.path = path; self.op = op; self.value = value; self.loc = loc
  }

  override func exec(_ rt: Runtime) throws -> Flow {
    let keys = try path.keys(rt)
    let v = try value.eval(rt)
    do { try rt.nesting.check(v, levels: path.steps.count) } catch { throw rt.locate(error, at: loc) }
    if op != nil, case .field(let name, let at)? = path.steps.last {
      // `r.f += 1` needs the field to exist; plain `r.f = 1` adds it.
      let owner = try PlacePath(root: path.root, steps: Array(path.steps.dropLast()))
        .read(rt, keys, loc)
      if case .record(let r) = owner, r[name] == nil {
        throw rt.error("record has no field '\(name)'" + NearestName.hint(name, among: r.keys), at: at)
      }
    }
    try path.modify(rt, keys, loc) { target in try combine(&target, op, v, rt, loc) }
    return .normal
  }
}
