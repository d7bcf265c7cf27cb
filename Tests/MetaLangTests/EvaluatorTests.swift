// The evaluator's properties that scripts cannot easily show: in-place mutation
// without copying, value layout, and exact numeric edge cases.

import XCTest

@testable import MetaLang

final class EvaluatorTests: XCTestCase {
  func eval(_ source: String, limits: Interpreter.Limits = .init()) throws -> Value {
    let interp = Interpreter(output: { _ in })
    interp.limits = limits
    return try interp.evaluate(source)
  }

  func testValueStaysSmall() {
    XCTAssertLessThanOrEqual(MemoryLayout<Value>.size, 17)
  }

  /// Appending to a list held by a variable, a nested place or a captured variable
  /// must not copy the list: 100k appends would take minutes if each copied.
  func testMutationInPlaceDoesNotCopy() throws {
    let limits = Interpreter.Limits(maxSeconds: 30)
    let n = 100_000
    let local = try eval("fn f() { var xs = []\nfor i in range(\(n)) { xs.append(i) }\nlen(xs) }\nf()", limits: limits)
    guard case .int(n) = local else { return XCTFail("\(local)") }
    let nested = try eval(
      "var m = {rows: [[]]}\nfor i in range(\(n)) { m.rows[0].append(i) }\nlen(m.rows[0])", limits: limits)
    guard case .int(n) = nested else { return XCTFail("\(nested)") }
    let indexed = try eval(
      "var xs = [0] * 1000\nvar t = 0\nfor i in range(\(n)) { xs[i % 1000] += 1 }\nxs[999]", limits: limits)
    guard case .int(100) = indexed else { return XCTFail("\(indexed)") }
    let captured = try eval(
      "fn mk() { var xs = []\nfn(v) { xs.append(v); len(xs) } }\nlet add = mk()\nvar r = 0\nfor i in range(\(n)) { r = add(i) }\nr",
      limits: limits)
    guard case .int(n) = captured else { return XCTFail("\(captured)") }
    let concatenated = try eval("var s = \"\"\nfor i in range(\(n)) { s += \"x\" }\nlen(s)", limits: limits)
    guard case .int(n) = concatenated else { return XCTFail("\(concatenated)") }
  }

  func testIntegerEdgeCases() throws {
    XCTAssertThrowsError(try eval("-9223372036854775807 - 2"))
    XCTAssertThrowsError(try eval("let m = -9223372036854775807 - 1\nm // -1"))
    XCTAssertThrowsError(try eval("let m = -9223372036854775807 - 1\n-m"))
    XCTAssertThrowsError(try eval("let m = -9223372036854775807 - 1\nabs(m)"))
    guard case .int(0) = try eval("let m = -9223372036854775807 - 1\nm % -1") else { return XCTFail() }
    guard case .int(-9_223_372_036_854_775_807) = try eval("-9223372036854775807") else { return XCTFail() }
    guard case .int(3) = try eval("int(3.99)") else { return XCTFail() }
    XCTAssertThrowsError(try eval("int(1e300)"))
    XCTAssertThrowsError(try eval("int(nan)"))
    guard case .bool(false) = try eval("9007199254740993 == 9007199254740992.0") else { return XCTFail() }
  }

  func testFloatFloorSemanticsMatchPython() {
    // Reference values from CPython's float divmod.
    let cases: [(Double, Double, Double, Double)] = [
      (7.5, 2, 3, 1.5), (-7.5, 2, -4, 0.5), (7.5, -2, -4, -0.5), (-7.5, -2, 3, -1.5), (1, 0.1, 9, 0.09999999999999995),
    ]
    for (x, y, d, m) in cases {
      let r = Operators.floatDivMod(x, y)
      XCTAssertEqual(r.div, d, "\(x) // \(y)")
      XCTAssertEqual(r.mod, m, "\(x) % \(y)")
    }
  }

  func testGlobalSlotsAreStableAcrossEvaluations() throws {
    let interp = Interpreter(output: { _ in })
    try interp.evaluate("var a = 1\nfn get() { a }")
    // Many new globals force the environment to grow; old code still finds `a`.
    try interp.evaluate((0..<300).map { "let g\($0) = \($0)" }.joined(separator: "\n"))
    try interp.evaluate("a = 5")
    guard case .int(5) = try interp.evaluate("get()") else { return XCTFail() }
    guard case .int(299) = try interp.evaluate("g299") else { return XCTFail() }
  }

  func testDeepDataDoesNotCrashComparison() throws {
    // Data as deep as a script can build compares level by level...
    let v = try eval("var x = []\nvar y = []\nfor i in range(20000) { x = [x]\ny = [y] }\n[x == y, x <= y, x < y]")
    XCTAssertEqual(v.description, "[true, true, false]")
    // ...and deeper data, which only a host can make, is an error, not a stack overflow.
    let interp = Interpreter(output: { _ in })
    var (a, b) = (Value.list([]), Value.list([]))
    for _ in 0..<Interpreter.maxNestingDepth { (a, b) = (.list([a]), .list([b])) }
    (interp[global: "a"], interp[global: "b"]) = (a, b)
    let w = try interp.evaluate("try { a == b } catch e { e.message }")
    XCTAssertEqual(w.description, "data nested too deeply (more than \(Interpreter.maxNestingDepth) levels)")
    (interp[global: "a"], interp[global: "b"]) = (nil, nil)
    while case .list(let items) = a, let inner = items.first { a = inner }
    while case .list(let items) = b, let inner = items.first { b = inner }
  }
}
