// Control flow: if, while, try/catch, assert and local function statements.
// Loops live in NodesLoops.swift.

final class IfStmt: StmtNode {
  let condition: ExprNode
  let then: StmtNode
  let otherwise: StmtNode?
  init(condition: ExprNode, then: StmtNode, otherwise: StmtNode?) {
    self.condition = condition; self.then = then; self.otherwise = otherwise
  }
  override func exec(_ rt: Runtime) throws -> Flow {
    if try condition.evalBool(rt) { return try then.exec(rt) }
    return try otherwise?.exec(rt) ?? .normal
  }
}

final class IfExpr: ExprNode {
  let condition: ExprNode
  let then: ExprNode
  let otherwise: ExprNode?
  init(condition: ExprNode, then: ExprNode, otherwise: ExprNode?, loc: SourceLoc) {
    self.condition = condition; self.then = then; self.otherwise = otherwise
    super.init(loc: loc)
  }
  override func eval(_ rt: Runtime) throws -> Value {
    if try condition.evalBool(rt) { return try then.eval(rt) }
    return try otherwise?.eval(rt) ?? .nil_
  }
}

/// The record a `catch err` binding receives.
func errorRecord(_ e: MetaError) -> Value {
  .record(Record([
    ("message", .string(e.message)), ("line", .int(e.loc.line)), ("column", .int(e.loc.column)),
    ("file", .string(e.file)),
  ]))
}

/// Runs `body`, and `handler` if it raised a catchable error (anything but an interrupt).
@inline(__always) func runTry<R>(
  _ rt: Runtime, _ errorTarget: BindTarget?, _ body: () throws -> R, _ handler: () throws -> R
) throws -> R {
  do {
    return try body()
  } catch let e as MetaError where e.kind != .interrupt {
    // Every call restores its frame on the way out, so the state is the try's own.
    try errorTarget?.bind(rt, errorRecord(e))
    return try handler()
  }
}

final class TryStmt: StmtNode {
  let body: StmtNode
  let errorTarget: BindTarget?
  let handler: StmtNode
  init(body: StmtNode, errorTarget: BindTarget?, handler: StmtNode) {
    self.body = body; self.errorTarget = errorTarget; self.handler = handler
  }
  override func exec(_ rt: Runtime) throws -> Flow {
    try runTry(rt, errorTarget, { try body.exec(rt) }, { try handler.exec(rt) })
  }
}

final class TryExpr: ExprNode {
  let body: ExprNode
  let errorTarget: BindTarget?
  let handler: ExprNode
  init(body: ExprNode, errorTarget: BindTarget?, handler: ExprNode, loc: SourceLoc) {
    self.body = body; self.errorTarget = errorTarget; self.handler = handler
    super.init(loc: loc)
  }
  override func eval(_ rt: Runtime) throws -> Value {
    try runTry(rt, errorTarget, { try body.eval(rt) }, { try handler.eval(rt) })
  }
}

/// `assert cond, message`.
final class AssertStmt: StmtNode {
  let condition: ExprNode
  let message: ExprNode?
  let loc: SourceLoc
  init(condition: ExprNode, message: ExprNode?, loc: SourceLoc) {
    self.condition = condition; self.message = message; self.loc = loc
  }
  override func exec(_ rt: Runtime) throws -> Flow {
    if try condition.evalBool(rt) { return .normal }
    guard let message else { throw rt.error("assertion failed", at: loc) }
    throw rt.error("assertion failed: \(try message.eval(rt).description)", at: loc)
  }
}

/// `fn name() { ... }` inside a block: the binding exists before the closure is made,
/// so the function can call itself.
final class LocalFunctionStmt: StmtNode {
  let target: LocalBind
  let closure: ClosureNode
  init(target: LocalBind, closure: ClosureNode) { self.target = target; self.closure = closure }
  override func exec(_ rt: Runtime) throws -> Flow {
    if target.boxed {
      let box = Box(.nil_)
      rt.fp[target.slot] = .native(box)
      box.value = try closure.eval(rt)
    } else {
      rt.fp[target.slot] = try closure.eval(rt)
    }
    return .normal
  }
}
