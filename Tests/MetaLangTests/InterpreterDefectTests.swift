// Regression tests for interpreter defects: leaking recursive local functions,
// `let` lists mutated by methods, REPL inputs that fail to resolve.

import MetaLang
import XCTest

final class InterpreterDefectTests: XCTestCase {
  func int(_ v: Value?) -> Int? { if case .int(let i)? = v { return i } else { return nil } }

  // MARK: Recursive local functions

  private let makeCounter = """
    fn make(k) {
      fn count(n) { if n == 0 { k } else { count(n - 1) } }
      count
    }
    """

  /// Weak references to every function the script passes to `track(f)`.
  private final class Tracker {
    struct WeakFunction { weak var function: Function? }
    var tracked: [WeakFunction] = []
    var alive: Int { tracked.filter { $0.function != nil }.count }
  }

  private func trackingInterpreter() -> (Interpreter, Tracker) {
    let interp = Interpreter(output: { _ in })
    let tracker = Tracker()
    interp.register("track") { args in
      if case .function(let f)? = args.positional.first { tracker.tracked.append(.init(function: f)) }
      return .nil_
    }
    return (interp, tracker)
  }

  func testRecursiveLocalFunctionsAreFreed() throws {
    let (interp, tracker) = trackingInterpreter()
    try interp.evaluate(makeCounter)
    // Each closure recurses through its own name, then is dropped.
    let v = try interp.evaluate("""
      var total = 0
      for i in range(3000) {
        let f = make(i)
        track(f)
        total += f(4)
      }
      total
      """)
    XCTAssertEqual(int(v), (0..<3000).reduce(0, +))
    XCTAssertEqual(tracker.tracked.count, 3000)
    XCTAssertEqual(tracker.alive, 0, "a recursive local function must not keep itself alive")
  }

  func testTrackerSeesFunctionsThatAreStillReferenced() throws {
    // The same check can fail: functions kept in a global stay alive.
    let (interp, tracker) = trackingInterpreter()
    try interp.evaluate(makeCounter)
    try interp.evaluate("var kept = []\nfor i in range(10) { let f = make(i)\n track(f)\n kept.append(f) }")
    XCTAssertEqual(tracker.alive, 10)
    XCTAssertEqual(int(try interp.evaluate("kept[3](2)")), 3)
  }

  func testSelfReferenceSeenFromNestedAndEscapingClosures() throws {
    let interp = Interpreter(output: { _ in })
    // A closure inside the function calls it; another escapes after the outer call returned.
    let v = try interp.evaluate("""
      fn outer() {
        fn depth(n) { if n == 0 { 0 } else { let g = fn() { depth(n - 1) }; g() + 1 } }
        depth
      }
      fn later() {
        fn step(n) { fn() { if n > 0 { step(n - 1)() } else { 42 } } }
        step(3)
      }
      outer()(6) * 100 + later()()
      """)
    XCTAssertEqual(int(v), 642)
  }

  func testSelfNameCanBeShadowedAndIsConstant() throws {
    let interp = Interpreter(output: { _ in })
    let v = try interp.evaluate("""
      fn outer() {
        fn f(f) { f + 1 }
        fn h(a, b = 2) { if a > 0 { h(a - 1, b + 1) } else { b } }
        fn g(n) { let g = 10; g + n }
        f(1) * 1000 + g(2) * 10 + h(3)
      }
      outer()
      """)
    XCTAssertEqual(int(v), 2125)
    // A default that calls the function itself: parameters keep the first slots.
    let k = try interp.evaluate("fn o2() {\n  fn k(n, m = if n > 0 { k(n - 1) } else { 0 }) { m + n }\n  k(2) * 10 + k(3)\n}\no2()")
    XCTAssertEqual(int(k), 36)
    let errors = interp.check("fn o() { fn f() { f = 1 } }", name: "t.meta")
    XCTAssertEqual(errors.map(\.message), ["cannot assign to constant 'f'"])
  }

  // MARK: Mutating a `let` list

  func testAppendToLetIsAResolveError() {
    let interp = Interpreter(output: { _ in })
    let errors = interp.check("let xs = [1]\nfn f() {\n  let ys = []\n  ys.pop()\n}\nxs.append(2)", name: "t.meta")
    XCTAssertEqual(errors.map(\.message), ["cannot mutate constant 'ys'", "cannot mutate constant 'xs'"])
    XCTAssertEqual(errors.map(\.loc.line), [4, 6])
    XCTAssertTrue(errors.allSatisfy { $0.kind == .resolve })
  }

  func testAppendToVarImportOrNonMutatingMethodIsFine() throws {
    let interp = Interpreter(output: { _ in })
    XCTAssertEqual(interp.check("var xs = [1]\nxs.append(2)\nlet ys = [3]\nys.copy()", name: "t.meta").count, 0)
    // A `let` from an earlier input is known too; a later `var` of the same name is not constant.
    try interp.evaluate("let zs = [1]")
    XCTAssertThrowsError(try interp.evaluateInteractive("zs.append(2)")) { e in
      XCTAssertEqual((e as? MetaError)?.message, "cannot mutate constant 'zs'")
      XCTAssertEqual((e as? MetaError)?.kind, .resolve)
    }
    try interp.evaluate("var zs = [1]")
    XCTAssertEqual(int(try interp.evaluate("zs.append(2)\nlen(zs)")), 2)
  }

  func testLetMethodIsJudgedByTheMethod() throws {
    let interp = Interpreter(output: { _ in })
    // Not a list literal: nothing is refused before running, tensors and records pass.
    XCTAssertEqual(interp.check("let t = tensor([2.0, 1.0])\nt.sort()\nt.reverse()\nlet r = {pop: fn() { 1 }}\nr.pop()", name: "t.meta").count, 0)
    // An earlier REPL input's `let` is judged by the value it holds now.
    try interp.evaluate("let ts = tensor([2.0, 1.0])\nlet ws = range(2)")
    XCTAssertNoThrow(try interp.evaluateInteractive("ts.sort()"))
    XCTAssertThrowsError(try interp.evaluateInteractive("ws.append(2)")) { e in
      XCTAssertEqual((e as? MetaError)?.message, "cannot mutate constant 'ws'")
      XCTAssertEqual((e as? MetaError)?.kind, .resolve)
    }
  }

  // MARK: REPL inputs that fail to resolve

  func testFailedInputLeavesGlobalsUnchanged() throws {
    let interp = Interpreter(output: { _ in })
    XCTAssertNil(try interp.evaluateInteractive("var x = 1"))
    // `let x` would make x constant, but the input fails (break outside a loop).
    XCTAssertThrowsError(try interp.evaluateInteractive("let x = 2\nlet fresh = 3\nbreak"))
    XCTAssertNil(try interp.evaluateInteractive("x = 5"), "x is still a var")
    XCTAssertEqual(int(try interp.evaluateInteractive("x")), 5)
    XCTAssertFalse(interp.globalNames.contains("fresh"))
    // The failed input did not declare `fresh`: assigning it is still an error.
    XCTAssertThrowsError(try interp.evaluateInteractive("fresh = 1")) { e in
      XCTAssertEqual((e as? MetaError)?.message, "assignment to undeclared variable 'fresh'")
    }
    // And a constant stays constant after a failed `var` redeclaration.
    _ = try interp.evaluateInteractive("let k = 1")
    XCTAssertThrowsError(try interp.evaluateInteractive("var k = 2\ncontinue"))
    XCTAssertThrowsError(try interp.evaluateInteractive("k = 3")) { e in
      XCTAssertEqual((e as? MetaError)?.message, "cannot assign to constant 'k'")
    }
  }

  // MARK: Nesting cap

  func testNestingIsCappedAtTheLimit() throws {
    let interp = Interpreter(output: { _ in })
    let cap = Interpreter.maxNestingDepth
    // x ends `cap - 1` levels deep; one more level is allowed, two are not.
    try interp.evaluate("var x = 1\nfor i in range(\(cap - 1)) { x = [x] }")
    XCTAssertEqual(int(try interp.evaluate("let y = [x]\nvar n = 0\nvar v = y\nwhile type(v) == \"List\" { v = v[0]\n n += 1 }\nn")), cap)
    let message = "data nested too deeply (more than \(cap) levels)"
    for over in ["[y]", "[1, y]", "{a: y}", "var z = []\nz.append(y)", "var z = [0]\nz.insert(0, y)",
                 "var z = [0]\nz[0] = y", "var r = {a: {b: 1}}\nr.a.b = x"] {
      XCTAssertThrowsError(try interp.evaluate(over), over) { e in
        XCTAssertEqual((e as? MetaError)?.message, message, over)
      }
    }
    // At the cap itself the same operations succeed.
    for at in ["[x]", "{a: x}", "var z = []\nz.append(x)", "var z = [0]\nz[0] = x"] {
      XCTAssertNoThrow(try interp.evaluate(at), at)
    }
  }

  // MARK: Calls through globals do not retain the function

  func testFunctionReplacedDuringItsOwnCallKeepsRunning() throws {
    let interp = Interpreter(output: { _ in })
    // Defined by an earlier program, so only the function value keeps its code alive.
    try interp.evaluate("var g = fn(n) {\n  g = nil\n  let pad = [n, n, n]\n  pad[0] + pad[1] + 1\n}")
    XCTAssertEqual(int(try interp.evaluate("g(20)")), 41)
    if case .nil_? = interp[global: "g"] {} else { XCTFail("g was set to nil") }
    // The same when the host replaces it from a callback, and when a declaration does.
    interp.register("drop_h") { _ in interp[global: "h"] = nil; return .nil_ }
    try interp.evaluate("var h = fn(n) {\n  drop_h()\n  [n, n][1] * 2\n}")
    XCTAssertEqual(int(try interp.evaluate("h(21)")), 42)
    try interp.evaluate("var k = fn(n) {\n  k = fn(m) { m }\n  n * 3\n}")
    XCTAssertEqual(int(try interp.evaluate("k(5) + k(5)")), 20)
  }
}
