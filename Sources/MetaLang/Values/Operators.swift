// Arithmetic with Python's semantics: Int op Int stays Int (overflow is an
// error, not a wrap), `/` is always Float, `//` and `%` floor, `**` is Int for a
// non-negative Int exponent. Native operands (tensors) answer for themselves.

import Foundation

enum Operators {
  static func binary(_ op: BinaryOp, _ a: Value, _ b: Value) throws -> Value {
    if let r = try tensorOperands(op, a, b) { return r }
    switch op {
    case .eq: return .bool(try Compare.equal(a, b))
    case .ne: return .bool(!(try Compare.equal(a, b)))
    case .lt, .le, .gt, .ge:
      if let r = try nativeBinary(op, a, b) { return r }
      return .bool(try Compare.ordered(op, a, b))
    default: break
    }
    switch (a, b) {
    case (.int(let x), .int(let y)): return try intOp(op, x, y)
    case (.int(let x), .float(let y)): return try floatOp(op, Double(x), y)
    case (.float(let x), .int(let y)): return try floatOp(op, x, Double(y))
    case (.float(let x), .float(let y)): return try floatOp(op, x, y)
    case (.string(let x), .string(let y)) where op == .add:
      try checkSize(x.utf8.count + y.utf8.count, "string")
      return .string(x + y)
    case (.list(let x), .list(let y)) where op == .add:
      try checkSize(x.count + y.count, "list")
      return .list(x + y)
    case (.string(let s), .int(let n)) where op == .mul: return .string(try repeatString(s, n))
    case (.int(let n), .string(let s)) where op == .mul: return .string(try repeatString(s, n))
    case (.list(let l), .int(let n)) where op == .mul: return .list(try repeatList(l, n))
    case (.int(let n), .list(let l)) where op == .mul: return .list(try repeatList(l, n))
    default:
      if let r = try nativeBinary(op, a, b) { return r }
      throw unsupported(op, a, b)
    }
  }

  /// Asks a native operand (left first) to perform `op`.
  static func nativeBinary(_ op: BinaryOp, _ a: Value, _ b: Value) throws -> Value? {
    if case .native(let o) = a, let n = o as? NativeOperators, let r = try n.binary(op, b, reversed: false) {
      return r
    }
    if case .native(let o) = b, let n = o as? NativeOperators, let r = try n.binary(op, a, reversed: true) {
      return r
    }
    return nil
  }

  static func unsupported(_ op: BinaryOp, _ a: Value, _ b: Value) -> BuiltinError {
    for v in [a, b] where !canDoArithmetic(v) {
      return BuiltinError("attempt to perform arithmetic on \(withArticle(v.typeName)) value")
    }
    return BuiltinError("unsupported operand types for \(op.rawValue): \(a.typeName) and \(b.typeName)")
  }

  /// Kinds that take part in some arithmetic (the rest only ever compare).
  private static func canDoArithmetic(_ v: Value) -> Bool {
    switch v {
    case .int, .float, .string, .list: return true
    default: return false
    }
  }

  static func intOp(_ op: BinaryOp, _ x: Int, _ y: Int) throws -> Value {
    switch op {
    case .add: return .int(try checked(x.addingReportingOverflow(y)))
    case .sub: return .int(try checked(x.subtractingReportingOverflow(y)))
    case .mul: return .int(try checked(x.multipliedReportingOverflow(by: y)))
    case .div:
      if y == 0 { throw BuiltinError("division by zero") }
      return .float(Double(x) / Double(y))
    case .floorDiv: return .int(try floorDiv(x, y))
    case .mod: return .int(try floorMod(x, y))
    case .pow:
      if y < 0 {
        if x == 0 { throw BuiltinError("division by zero") }
        return .float(Foundation.pow(Double(x), Double(y)))
      }
      return .int(try intPow(x, y))
    case .matmul: throw BuiltinError("unsupported operand types for @: Int and Int")
    case .eq, .ne, .lt, .le, .gt, .ge: return .bool(try Compare.ordered(op, .int(x), .int(y)))
    }
  }

  static func floatOp(_ op: BinaryOp, _ x: Double, _ y: Double) throws -> Value {
    switch op {
    case .add: return .float(x + y)
    case .sub: return .float(x - y)
    case .mul: return .float(x * y)
    case .div:
      if y == 0 { throw BuiltinError("division by zero") }
      return .float(x / y)
    case .floorDiv:
      if y == 0 { throw BuiltinError("division by zero") }
      return .float(floatDivMod(x, y).div)
    case .mod:
      if y == 0 { throw BuiltinError("division by zero") }
      return .float(floatDivMod(x, y).mod)
    case .pow:
      if x == 0 && y < 0 { throw BuiltinError("division by zero") }
      return .float(Foundation.pow(x, y))
    case .matmul: throw BuiltinError("unsupported operand types for @: Float and Float")
    case .eq, .ne, .lt, .le, .gt, .ge: return .bool(try Compare.ordered(op, .float(x), .float(y)))
    }
  }

  @inline(__always) static func checked(_ r: (partialValue: Int, overflow: Bool)) throws -> Int {
    if r.overflow { throw BuiltinError("integer overflow") }
    return r.partialValue
  }

  static func floorDiv(_ x: Int, _ y: Int) throws -> Int {
    if y == 0 { throw BuiltinError("division by zero") }
    if x == Int.min && y == -1 { throw BuiltinError("integer overflow") }
    let q = x / y
    return (x % y != 0 && (x < 0) != (y < 0)) ? q - 1 : q
  }

  static func floorMod(_ x: Int, _ y: Int) throws -> Int {
    if y == 0 { throw BuiltinError("division by zero") }
    if y == -1 { return 0 }
    let r = x % y
    return (r != 0 && (r < 0) != (y < 0)) ? r + y : r
  }

  /// Python's float divmod: the remainder takes the divisor's sign.
  static func floatDivMod(_ x: Double, _ y: Double) -> (div: Double, mod: Double) {
    var mod = fmod(x, y)
    var div = (x - mod) / y
    if mod != 0 {
      if (y < 0) != (mod < 0) { mod += y; div -= 1 }
    } else {
      mod = (0.0).sign == y.sign ? 0.0 : -0.0
    }
    if div != 0 {
      var floored = div.rounded(.down)
      if div - floored > 0.5 { floored += 1 }
      div = floored
    } else {
      div = (x / y).sign == .minus ? -0.0 : 0.0
    }
    return (div, mod)
  }

  static func intPow(_ base: Int, _ exponent: Int) throws -> Int {
    var result = 1, b = base, e = exponent
    while e > 0 {
      if e & 1 == 1 { result = try checked(result.multipliedReportingOverflow(by: b)) }
      e >>= 1
      if e > 0 { b = try checked(b.multipliedReportingOverflow(by: b)) }
    }
    return result
  }

  /// What building `result` cost, for `Runtime.charge`: the bytes or elements of a
  /// string or list (`+` and `*` copy them), nothing for a number.
  @inline(__always) static func work(building result: Value) -> Int {
    switch result {
    case .string(let s): s.utf8.count
    case .list(let xs): xs.count
    default: 0
    }
  }

  static func checkSize(_ n: Int, _ what: String) throws {
    if n > Interpreter.maxCollectionSize {
      let unit = what == "string" ? "bytes" : "elements"
      throw BuiltinError("\(what) too large (more than \(Interpreter.maxCollectionSize) \(unit))")
    }
  }

  static func repeatString(_ s: String, _ n: Int) throws -> String {
    guard n > 0, !s.isEmpty else { return "" }
    let (total, o) = s.utf8.count.multipliedReportingOverflow(by: n)
    try checkSize(o ? Int.max : total, "string")
    return String(repeating: s, count: n)
  }

  static func repeatList(_ l: [Value], _ n: Int) throws -> [Value] {
    guard n > 0, !l.isEmpty else { return [] }
    let (total, o) = l.count.multipliedReportingOverflow(by: n)
    try checkSize(o ? Int.max : total, "list")
    var out: [Value] = []
    out.reserveCapacity(total)
    for _ in 0..<n { out.append(contentsOf: l) }
    return out
  }

  static func negate(_ v: Value) throws -> Value {
    switch v {
    case .int(let x):
      if x == Int.min { throw BuiltinError("integer overflow") }
      return .int(-x)
    case .float(let x): return .float(-x)
    case .native(let o):
      if let n = o as? NativeOperators, let r = try n.negate() { return r }
      fallthrough
    default: throw BuiltinError("attempt to perform arithmetic on \(withArticle(v.typeName)) value")
    }
  }
}
