// Operator nodes. The common ones get their own class with an Int fast path;
// everything else goes through `Operators.binary`.

class BinaryNode: ExprNode {
  let op: BinaryOp
  let lhs: ExprNode
  let rhs: ExprNode
  /// Operand shortcuts that skip a virtual call: a local variable on the left
  /// (`n < 2`, `i + 1`), an Int constant on the right.
  private let lhsLocal: LocalGet?
  private let rhsIsConstant: Bool
  private let rhsConstant: Value
  /// The right operand when it is an Int constant: the Int paths read it without
  /// copying a `Value` (which costs a call through the enum's outlined copy).
  final let rhsIsInt: Bool
  final let rhsInt: Int

  init(_ op: BinaryOp, _ lhs: ExprNode, _ rhs: ExprNode, loc: SourceLoc) {
    self.op = op; self.lhs = lhs; self.rhs = rhs
    lhsLocal = lhs as? LocalGet
    rhsIsConstant = rhs is ConstNode
    rhsConstant = (rhs as? ConstNode)?.value ?? .nil_
    if case .int(let k) = rhsConstant { rhsIsInt = true; rhsInt = k } else { rhsIsInt = false; rhsInt = 0 }
    super.init(loc: loc)
  }

  @inline(__always) final func left(_ rt: Runtime) throws -> Value {
    if let l = lhsLocal, !l.boxed { return rt.fp[l.slot] }
    return try lhs.eval(rt)
  }

  /// The left operand when it is an unboxed local holding an Int, read in place.
  @inline(__always) final func leftLocalInt(_ rt: Runtime) -> Int? {
    guard let l = lhsLocal, !l.boxed, case .int(let x) = rt.fp[l.slot] else { return nil }
    return x
  }

  @inline(__always) final func right(_ rt: Runtime) throws -> Value {
    if rhsIsConstant { return rhsConstant }
    return try rhs.eval(rt)
  }

  /// The general case, with the error placed at the operator.
  @inline(never) final func slow(_ rt: Runtime, _ a: Value, _ b: Value) throws -> Value {
    do {
      let result = try Operators.binary(op, a, b)
      try rt.charge(Operators.work(building: result))
      return result
    } catch {
      throw rt.locate(error, at: loc)
    }
  }

  @inline(never) final func overflow(_ rt: Runtime) -> MetaError {
    rt.error("integer overflow", at: loc)
  }

  override func eval(_ rt: Runtime) throws -> Value {
    let a = try left(rt)
    let b = try right(rt)
    return try slow(rt, a, b)
  }

  /// Builds the specialized node for `op`.
  static func make(_ op: BinaryOp, _ lhs: ExprNode, _ rhs: ExprNode, loc: SourceLoc) -> ExprNode {
    switch op {
    case .add: AddNode(op, lhs, rhs, loc: loc)
    case .sub: SubNode(op, lhs, rhs, loc: loc)
    case .mul: MulNode(op, lhs, rhs, loc: loc)
    case .lt, .le, .gt, .ge: CompareNode(op, lhs, rhs, loc: loc)
    case .eq, .ne: EqualNode(op, lhs, rhs, loc: loc)
    default: BinaryNode(op, lhs, rhs, loc: loc)
    }
  }
}

final class AddNode: BinaryNode {
  override func eval(_ rt: Runtime) throws -> Value {
    if rhsIsInt, let x = leftLocalInt(rt) {
      let (r, o) = x.addingReportingOverflow(rhsInt)
      if o { throw overflow(rt) }
      return .int(r)
    }
    let a = try left(rt)
    let b = try right(rt)
    if case .int(let x) = a, case .int(let y) = b {
      let (r, o) = x.addingReportingOverflow(y)
      if o { throw overflow(rt) }
      return .int(r)
    }
    if case .float(let x) = a, case .float(let y) = b { return .float(x + y) }
    return try slow(rt, a, b)
  }
}

final class SubNode: BinaryNode {
  override func eval(_ rt: Runtime) throws -> Value {
    if rhsIsInt, let x = leftLocalInt(rt) {
      let (r, o) = x.subtractingReportingOverflow(rhsInt)
      if o { throw overflow(rt) }
      return .int(r)
    }
    let a = try left(rt)
    let b = try right(rt)
    if case .int(let x) = a, case .int(let y) = b {
      let (r, o) = x.subtractingReportingOverflow(y)
      if o { throw overflow(rt) }
      return .int(r)
    }
    if case .float(let x) = a, case .float(let y) = b { return .float(x - y) }
    return try slow(rt, a, b)
  }
}

final class MulNode: BinaryNode {
  override func eval(_ rt: Runtime) throws -> Value {
    let a = try left(rt)
    let b = try right(rt)
    if case .int(let x) = a, case .int(let y) = b {
      let (r, o) = x.multipliedReportingOverflow(by: y)
      if o { throw overflow(rt) }
      return .int(r)
    }
    if case .float(let x) = a, case .float(let y) = b { return .float(x * y) }
    return try slow(rt, a, b)
  }
}

/// `< <= > >=`; conditions skip building a Bool value.
final class CompareNode: BinaryNode {
  @inline(__always) private func compare(_ x: Int, _ y: Int) -> Bool {
    switch op {
    case .lt: return x < y
    case .le: return x <= y
    case .gt: return x > y
    default: return x >= y
    }
  }

  override func evalBool(_ rt: Runtime) throws -> Bool {
    if rhsIsInt, let x = leftLocalInt(rt) { return compare(x, rhsInt) }
    let a = try left(rt)
    let b = try right(rt)
    if case .int(let x) = a, case .int(let y) = b { return compare(x, y) }
    return try rt.truth(slow(rt, a, b), at: loc)
  }

  // Not via evalBool: a tensor operand gives an elementwise tensor, not a Bool.
  override func eval(_ rt: Runtime) throws -> Value {
    let a = try left(rt)
    let b = try right(rt)
    if case .int(let x) = a, case .int(let y) = b { return .bool(compare(x, y)) }
    return try slow(rt, a, b)
  }
}

final class EqualNode: BinaryNode {
  override func evalBool(_ rt: Runtime) throws -> Bool {
    if rhsIsInt, let x = leftLocalInt(rt) { return (x == rhsInt) == (op == .eq) }
    let a = try left(rt)
    let b = try right(rt)
    if case .int(let x) = a, case .int(let y) = b { return (x == y) == (op == .eq) }
    return try rt.truth(slow(rt, a, b), at: loc)
  }

  // Not via evalBool: a tensor operand gives an elementwise tensor, not a Bool.
  override func eval(_ rt: Runtime) throws -> Value {
    let a = try left(rt)
    let b = try right(rt)
    if case .int(let x) = a, case .int(let y) = b { return .bool((x == y) == (op == .eq)) }
    return try slow(rt, a, b)
  }
}

final class NegateNode: ExprNode {
  let operand: ExprNode
  init(_ operand: ExprNode, loc: SourceLoc) { self.operand = operand; super.init(loc: loc) }
  override func eval(_ rt: Runtime) throws -> Value {
    let v = try operand.eval(rt)
    if case .int(let x) = v, x != Int.min { return .int(-x) }
    if case .float(let x) = v { return .float(-x) }
    do { return try Operators.negate(v) } catch { throw rt.locate(error, at: loc) }
  }
}

final class NotNode: ExprNode {
  let operand: ExprNode
  init(_ operand: ExprNode, loc: SourceLoc) { self.operand = operand; super.init(loc: loc) }
  override func evalBool(_ rt: Runtime) throws -> Bool { !(try operand.evalBool(rt)) }
  override func eval(_ rt: Runtime) throws -> Value { .bool(!(try operand.evalBool(rt))) }
}

/// `a and b` / `a or b`: short-circuit, yielding an operand as Python does.
final class LogicalNode: ExprNode {
  let isAnd: Bool
  let lhs: ExprNode
  let rhs: ExprNode
  init(isAnd: Bool, _ lhs: ExprNode, _ rhs: ExprNode, loc: SourceLoc) {
    self.isAnd = isAnd; self.lhs = lhs; self.rhs = rhs
    super.init(loc: loc)
  }
  override func eval(_ rt: Runtime) throws -> Value {
    let a = try lhs.eval(rt)
    return try rt.truth(a, at: loc) == isAnd ? try rhs.eval(rt) : a
  }
  override func evalBool(_ rt: Runtime) throws -> Bool {
    let a = try lhs.evalBool(rt)
    return a == isAnd ? try rhs.evalBool(rt) : a
  }
}
