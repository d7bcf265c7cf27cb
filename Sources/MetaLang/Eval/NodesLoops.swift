// Loops. Each iteration counts one step (for the step, time and interrupt checks).
// `for i in range(...)` with the builtin `range` counts without building a list.

enum Iteration {
  /// What `for x in v` visits: list elements, string characters, record keys, a
  /// native iterable's elements; nil when `v` is not iterable.
  static func elements(of v: Value) throws -> [Value]? {
    switch v {
    case .list(let xs): return xs
    case .string(let s): return s.map { .string(String($0)) }
    case .record(let r): return r.keys.map { .string($0) }
    case .native(let o): return try (o as? NativeIterable)?.elements()
    default: return nil
    }
  }
}

/// Runs one loop body; `nil` means "keep looping", otherwise the loop's own result.
@inline(__always) func loopBody(_ body: StmtNode, _ rt: Runtime) throws -> Flow? {
  let flow: Flow
  do { flow = try body.exec(rt) } catch let signal as ControlSignal { flow = Flow(signal) }
  switch flow {
  case .normal, .continueLoop: return nil
  case .breakLoop: return .normal
  case .returnValue: return .returnValue
  }
}

final class WhileStmt: StmtNode {
  let condition: ExprNode
  let body: StmtNode
  let loc: SourceLoc
  init(condition: ExprNode, body: StmtNode, loc: SourceLoc) {
    self.condition = condition; self.body = body; self.loc = loc
  }
  override func exec(_ rt: Runtime) throws -> Flow {
    while try condition.evalBool(rt) {
      try rt.tick(loc)
      if let done = try loopBody(body, rt) { return done }
    }
    return .normal
  }
}

final class ForStmt: StmtNode {
  let target: BindTarget
  let iterable: ExprNode
  let body: StmtNode
  let loc: SourceLoc
  init(target: BindTarget, iterable: ExprNode, body: StmtNode, loc: SourceLoc) {
    self.target = target; self.iterable = iterable; self.body = body; self.loc = loc
  }

  override func exec(_ rt: Runtime) throws -> Flow {
    try run(try iterable.eval(rt), rt)
  }

  func run(_ v: Value, _ rt: Runtime) throws -> Flow {
    let items: [Value]?
    do { items = try Iteration.elements(of: v) } catch { throw rt.locate(error, at: iterable.loc) }
    guard let items else {
      throw rt.error("attempt to iterate over \(withArticle(v.typeName)) value", at: iterable.loc)
    }
    for item in items {
      try rt.tick(loc)
      try target.bind(rt, item)
      if let done = try loopBody(body, rt) { return done }
    }
    return .normal
  }
}

/// `for x in range(a, b, c)`: when `range` is still the builtin, counts directly.
final class ForRangeStmt: StmtNode {
  let target: BindTarget
  let call: CallNode
  let general: ForStmt
  init(target: BindTarget, call: CallNode, body: StmtNode, loc: SourceLoc) {
    self.target = target; self.call = call
    general = ForStmt(target: target, iterable: call, body: body, loc: loc)
  }

  override func exec(_ rt: Runtime) throws -> Flow {
    let f = try call.callee.eval(rt)
    guard case .function(let fn) = f, fn === rt.rangeFunction, call.positionalCount == call.args.count else {
      return try general.run(try rt.call(f, call, call.callee.calleeDescription), rt)
    }
    var bounds: [Int] = []
    for (i, arg) in call.args.enumerated() {
      let v = try arg.eval(rt)
      guard case .int(let n) = v else {
        throw rt.error(ArgumentMessage.bad(i + 1, "range", expected: "Int", got: v), at: call.loc)
      }
      bounds.append(n)
    }
    let start: Int, stop: Int, step: Int
    switch bounds.count {
    case 1: (start, stop, step) = (0, bounds[0], 1)
    case 2: (start, stop, step) = (bounds[0], bounds[1], 1)
    case 3: (start, stop, step) = (bounds[0], bounds[1], bounds[2])
    default:
      throw rt.error(ArgumentMessage.wrongCount("range", expected: 1...3, got: bounds.count), at: call.loc)
    }
    if step == 0 { throw rt.error(ArgumentMessage.bad(3, "range", "step must not be zero"), at: call.loc) }
    let body = general.body
    let loc = general.loc
    let fastSlot: Int? = (target as? LocalBind).flatMap { $0.boxed ? nil : $0.slot }
    var i = start
    while step > 0 ? i < stop : i > stop {
      try rt.tick(loc)
      if let slot = fastSlot { rt.fp[slot] = .int(i) } else { try target.bind(rt, .int(i)) }
      if let done = try loopBody(body, rt) { return done }
      let (next, overflow) = i.addingReportingOverflow(step)
      if overflow { break }
      i = next
    }
    return .normal
  }
}
