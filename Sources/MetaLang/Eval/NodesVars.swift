// Reading, declaring and assigning variables: locals (frame slots, boxed when a
// closure captures them), captures (a closure's boxes) and globals (env slots).

/// A node that touches a local slot; the resolver flips `boxed` once it knows
/// (at the end of the function) that a closure captures the variable.
protocol SlotUser: AnyObject {
  var boxed: Bool { get set }
}

/// The box stored in a captured local's slot.
@inline(__always) func boxIn(_ v: Value) -> Box {
  if case .native(let o) = v, let box = o as? Box { return box }
  // Unreachable when the resolver is right; a fresh box keeps it harmless.
  return Box(v)
}

final class ConstNode: ExprNode {
  let value: Value
  init(_ value: Value, loc: SourceLoc) { self.value = value; super.init(loc: loc) }
  override func eval(_ rt: Runtime) throws -> Value { value }
}

final class LocalGet: ExprNode, SlotUser {
  let slot: Int
  let name: String
  var boxed = false
  init(slot: Int, name: String, loc: SourceLoc) { self.slot = slot; self.name = name; super.init(loc: loc) }
  override func eval(_ rt: Runtime) throws -> Value {
    boxed ? boxIn(rt.fp[slot]).value : rt.fp[slot]
  }
  override var calleeDescription: String? { "local '\(name)'" }
}

final class CaptureGet: ExprNode {
  let index: Int
  let name: String
  init(index: Int, name: String, loc: SourceLoc) { self.index = index; self.name = name; super.init(loc: loc) }
  override func eval(_ rt: Runtime) throws -> Value { rt.captures[index].value }
  override var calleeDescription: String? { "upvalue '\(name)'" }
}

final class GlobalGet: ExprNode {
  let env: Env
  let slot: Int
  let name: String
  init(env: Env, slot: Int, name: String, loc: SourceLoc) {
    self.env = env; self.slot = slot; self.name = name; super.init(loc: loc)
  }
  override func eval(_ rt: Runtime) throws -> Value {
    let v = env.values[slot]
    if case .native(let o) = v, o === rt.undefinedMarker {
      return try rt.readUndefinedGlobal(env, slot, name, at: loc)
    }
    return v
  }
  override var calleeDescription: String? { "global '\(name)'" }
}

// MARK: Declarations

/// Where a declaration (`let`, `var`, `for`, parameter, `catch`) stores a value.
class BindTarget {
  func bind(_ rt: Runtime, _ value: Value) throws {}
}

final class LocalBind: BindTarget, SlotUser {
  let slot: Int
  var boxed = false
  init(slot: Int) { self.slot = slot }
  override func bind(_ rt: Runtime, _ value: Value) throws {
    rt.fp[slot] = boxed ? .native(Box(value)) : value
  }
}

final class GlobalBind: BindTarget {
  let env: Env
  let slot: Int
  init(env: Env, slot: Int) { self.env = env; self.slot = slot }
  override func bind(_ rt: Runtime, _ value: Value) throws { env.values[slot] = value }
}

/// `let [a, b] = xs`: a list of exactly that many elements.
final class ListBind: BindTarget {
  let targets: [BindTarget]
  let loc: SourceLoc
  init(targets: [BindTarget], loc: SourceLoc) { self.targets = targets; self.loc = loc }
  override func bind(_ rt: Runtime, _ value: Value) throws {
    guard case .list(let items) = value else {
      throw rt.error("cannot destructure \(withArticle(value.typeName)) value (a List is expected)", at: loc)
    }
    guard items.count == targets.count else {
      throw rt.error(
        "cannot destructure a list of \(items.count) elements into \(targets.count) names", at: loc)
    }
    for (target, item) in zip(targets, items) { try target.bind(rt, item) }
  }
}

/// `let pattern = value` / `var pattern = value`.
final class DefineStmt: StmtNode {
  let target: BindTarget
  let value: ExprNode
  init(target: BindTarget, value: ExprNode) { self.target = target; self.value = value }
  override func exec(_ rt: Runtime) throws -> Flow {
    try target.bind(rt, try value.eval(rt))
    return .normal
  }
}

// MARK: Assignment

/// Applies `op` for a compound assignment, reusing the target's storage where it can:
/// `xs += [v]` appends and `s += "x"` extends in place when the value is unique.
@inline(__always) func combine(
  _ target: inout Value, _ op: BinaryOp?, _ rhs: Value, _ rt: Runtime, _ loc: SourceLoc
) throws {
  guard let op else { target = rhs; return }
  if case .int(let a) = target, case .int(let b) = rhs {
    switch op {
    case .add:
      let (r, o) = a.addingReportingOverflow(b)
      if o { throw rt.error("integer overflow", at: loc) }
      target = .int(r); return
    case .sub:
      let (r, o) = a.subtractingReportingOverflow(b)
      if o { throw rt.error("integer overflow", at: loc) }
      target = .int(r); return
    default: break
    }
  } else if op == .add {
    if case .list(let b) = rhs, case .list(var a) = target {
      guard a.count + b.count <= Interpreter.maxCollectionSize else {
        throw rt.error("list too large (more than \(Interpreter.maxCollectionSize) elements)", at: loc)
      }
      target = .nil_  // drop the slot's reference so the append does not copy
      a.append(contentsOf: b)
      target = .list(a)
      return
    }
    if case .string(let b) = rhs, case .string(var a) = target {
      guard a.utf8.count + b.utf8.count <= Interpreter.maxCollectionSize else {
        throw rt.error("string too large (more than \(Interpreter.maxCollectionSize) bytes)", at: loc)
      }
      target = .nil_
      a += b
      target = .string(a)
      return
    }
  }
  do { target = try Operators.binary(op, target, rhs) } catch { throw rt.locate(error, at: loc) }
}

final class LocalAssign: StmtNode, SlotUser {
  let slot: Int
  let op: BinaryOp?
  let value: ExprNode
  let loc: SourceLoc
  var boxed = false
  init(slot: Int, op: BinaryOp?, value: ExprNode, loc: SourceLoc) {
    self.slot = slot; self.op = op; self.value = value; self.loc = loc
  }
  override func exec(_ rt: Runtime) throws -> Flow {
    let v = try value.eval(rt)
    if boxed {
      let box = boxIn(rt.fp[slot])
      try combine(&box.value, op, v, rt, loc)
    } else {
      try combine(&rt.fp[slot], op, v, rt, loc)
    }
    return .normal
  }
}

final class CaptureAssign: StmtNode {
  let index: Int
  let op: BinaryOp?
  let value: ExprNode
  let loc: SourceLoc
  init(index: Int, op: BinaryOp?, value: ExprNode, loc: SourceLoc) {
    self.index = index; self.op = op; self.value = value; self.loc = loc
  }
  override func exec(_ rt: Runtime) throws -> Flow {
    let v = try value.eval(rt)
    try combine(&rt.captures[index].value, op, v, rt, loc)
    return .normal
  }
}

final class GlobalAssign: StmtNode {
  let env: Env
  let slot: Int
  let name: String
  let op: BinaryOp?
  let value: ExprNode
  let loc: SourceLoc
  init(env: Env, slot: Int, name: String, op: BinaryOp?, value: ExprNode, loc: SourceLoc) {
    self.env = env; self.slot = slot; self.name = name; self.op = op; self.value = value; self.loc = loc
  }
  override func exec(_ rt: Runtime) throws -> Flow {
    let v = try value.eval(rt)
    if op != nil, rt.isUndefined(env.values[slot]) {
      throw rt.error(
        "attempt to read undefined variable '\(name)'"
          + (NearestName.forGlobal(name, among: rt.globalNames(seenFrom: env)).map { " (\($0))" } ?? ""), at: loc)
    }
    try combine(&env.values[slot], op, v, rt, loc)
    return .normal
  }
}

/// "a List", "an Int": for messages.
func withArticle(_ word: String) -> String {
  guard let first = word.first else { return word }
  return ("AEIOUaeiou".contains(first) ? "an " : "a ") + word
}
