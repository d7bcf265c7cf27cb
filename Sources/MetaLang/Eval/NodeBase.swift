// The executable tree: the resolver compiles the syntax tree into these final
// classes, whose `eval`/`exec` methods run the program. Variables are already
// slots, so running code never looks a name up.

/// An expression node. Subclasses override `eval` (and `evalBool` when they can
/// answer a condition without building a Value).
class ExprNode {
  let loc: SourceLoc
  init(loc: SourceLoc) { self.loc = loc }

  func eval(_ rt: Runtime) throws -> Value { .nil_ }

  /// The value's truthiness, for conditions.
  func evalBool(_ rt: Runtime) throws -> Bool { try rt.truth(eval(rt), at: loc) }

  /// How a call of this expression's value is described in "attempt to call" errors.
  var calleeDescription: String? { nil }
}

/// A statement node.
class StmtNode {
  func exec(_ rt: Runtime) throws -> Flow { .normal }
}

final class EmptyStmt: StmtNode {}

/// Child nodes reachable without reference counting: iterating a Swift array of
/// nodes retains and releases every element on every pass, which cost a third of a
/// tight loop's time. The owner keeps the strong array and calls `free` in `deinit`.
struct UnretainedList<T: AnyObject> {
  private let buffer: UnsafeMutableBufferPointer<Unmanaged<T>>

  init(_ items: [T]) {
    buffer = .allocate(capacity: items.count)
    _ = buffer.initialize(from: items.map { Unmanaged.passUnretained($0) })
  }

  func free() { buffer.deallocate() }

  var count: Int { buffer.count }

  @inline(__always) subscript(i: Int) -> Unmanaged<T> { buffer[i] }
}

/// Statements in order; stops at the first `break`, `continue` or `return`.
final class SeqStmt: StmtNode {
  let body: [StmtNode]
  private let unretained: UnretainedList<StmtNode>

  init(_ body: [StmtNode]) {
    self.body = body
    unretained = UnretainedList(body)
  }

  deinit { unretained.free() }

  override func exec(_ rt: Runtime) throws -> Flow {
    for i in 0..<unretained.count {
      let flow = try unretained[i]._withUnsafeGuaranteedRef { try $0.exec(rt) }
      if flow != .normal { return flow }
    }
    return .normal
  }
}

/// An expression evaluated for its effect.
final class ExprStmt: StmtNode {
  let expr: ExprNode
  init(_ expr: ExprNode) { self.expr = expr }
  override func exec(_ rt: Runtime) throws -> Flow {
    _ = try expr.eval(rt)
    return .normal
  }
}

/// `return e`, and a function's final expression.
final class ReturnStmt: StmtNode {
  let value: ExprNode?
  init(_ value: ExprNode?) { self.value = value }
  override func exec(_ rt: Runtime) throws -> Flow {
    rt.returnValue = try value?.eval(rt) ?? .nil_
    return .returnValue
  }
}

final class BreakStmt: StmtNode {
  override func exec(_ rt: Runtime) throws -> Flow { .breakLoop }
}

final class ContinueStmt: StmtNode {
  override func exec(_ rt: Runtime) throws -> Flow { .continueLoop }
}

/// A block in expression position (`if`/`try` used as a value): its statements,
/// then its final expression's value. A `break`/`continue`/`return` inside leaves
/// as a `ControlSignal` for the enclosing loop or call to catch.
final class BlockExpr: ExprNode {
  let body: StmtNode
  let result: ExprNode?

  init(body: StmtNode, result: ExprNode?, loc: SourceLoc) {
    self.body = body; self.result = result
    super.init(loc: loc)
  }

  override func eval(_ rt: Runtime) throws -> Value {
    switch try body.exec(rt) {
    case .normal: return try result?.eval(rt) ?? .nil_
    case .breakLoop: throw ControlSignal.breakLoop
    case .continueLoop: throw ControlSignal.continueLoop
    case .returnValue: throw ControlSignal.returnValue
    }
  }
}

/// Converts a signal caught by a loop back into a flow.
extension Flow {
  init(_ signal: ControlSignal) {
    switch signal {
    case .breakLoop: self = .breakLoop
    case .continueLoop: self = .continueLoop
    case .returnValue: self = .returnValue
    }
  }
}
