// The resolver: what it reports before running, and how names bind.

import XCTest

@testable import MetaLang

final class ResolverTests: XCTestCase {
  func messages(_ source: String) -> [String] {
    Interpreter(output: { _ in }).check(source, name: "r.meta").map(\.message)
  }

  func testReportsAllErrorsInOrder() {
    XCTAssertEqual(
      messages("continue\nfn f() { break }\nreturn 2\nlet a = 1\nlet a = 2\n"),
      [
        "'continue' outside a loop", "'break' outside a loop", "'return' outside a function",
        "'a' is already declared in this scope",
      ])
  }

  func testReadingUnknownNamesFailsWhenRunButCheckReportsThem() {
    // A later REPL input may define them, so running fails only when the read is reached...
    XCTAssertNoThrow(try Interpreter(output: { _ in }).evaluate("if false { print(not_yet) }"))
    // ...while `meta check` reports them beforehand, as pyflakes does.
    XCTAssertEqual(messages("print(not_yet)"), ["undefined name 'not_yet' (no let, var, fn or import declares it)"])
  }

  func testFunctionsMayAssignGlobalsDeclaredLater() {
    XCTAssertEqual(messages("fn bump() { counter += 1 }\nvar counter = 0\nbump()"), [])
    XCTAssertEqual(messages("fn bump() { limit += 1 }\nlet limit = 0"), ["cannot assign to constant 'limit'"])
  }

  func testConstantsThroughPlacesAndCaptures() {
    XCTAssertEqual(messages("let xs = [1]\nxs[0] = 2"), ["cannot assign to constant 'xs'"])
    XCTAssertEqual(messages("let r = {a: {b: 1}}\nr.a.b += 1"), ["cannot assign to constant 'r'"])
    XCTAssertEqual(messages("fn f(p) { p = 2 }"), [])  // parameters are variables
    XCTAssertEqual(messages("for i in [1] { i = 2 }"), ["cannot assign to constant 'i'"])
    XCTAssertEqual(messages("fn f() { 1 }\nf = 2"), ["cannot assign to constant 'f'"])
    XCTAssertEqual(messages("print = 1"), ["cannot assign to constant 'print'"])
    XCTAssertEqual(messages("f().x = 1"), ["cannot assign to a part of a temporary value"])
  }

  func testShadowingInInnerScopesIsAllowed() {
    XCTAssertEqual(messages("let x = 1\nif true { let x = 2 }\nfn f(x) { let y = x\nif true { let y = 3 } }"), [])
    XCTAssertEqual(messages("fn f() { let z = 1\nlet z = 2 }"), ["'z' is already declared in this scope"])
  }

  func testBreakInsideClosureInsideLoopIsRejected() {
    XCTAssertEqual(messages("while true { let g = fn() { continue } }"), ["'continue' outside a loop"])
    XCTAssertEqual(messages("while true { let v = if true { break } else { 1 } }"), [])
  }

  func testCapturedVariablesAreBoxedAndOthersAreNot() throws {
    let rt = Runtime(seed: 1, output: { _ in })
    let (program, errors) = Parser.parse("fn f(a, b) { let c = 1\nlet d = 2\nfn() { a + c } }", file: "x")
    XCTAssertTrue(errors.isEmpty)
    let resolver = Resolver(rt: rt, env: rt.main, file: "x", directory: nil)
    let script = resolver.compile(program, name: "<script>")
    XCTAssertTrue(resolver.errors.isEmpty)
    // The script's only statement defines f from a closure node.
    let define = try XCTUnwrap((script.body as? SeqStmt)?.body.first as? DefineStmt)
    let f = try XCTUnwrap(define.value as? ClosureNode).proto
    XCTAssertEqual(f.frameSize, 4)  // a, b, c, d
    XCTAssertEqual(f.boxedParams, [0])  // a is captured, b is not
    // f has no `return`, so its body is one expression ending in the inner closure.
    let body = try XCTUnwrap(f.bodyExpr as? BlockExpr)
    let inner = try XCTUnwrap(body.result as? ClosureNode).proto
    let sources = inner.captureSources.map { source -> Int in
      if case .local(let slot) = source { return slot } else { return -1 }
    }
    XCTAssertEqual(sources, [0, 2])  // a and c, straight from f's frame
    XCTAssertEqual(rt.main.isConst[try XCTUnwrap(rt.main.slot("f"))], true)
  }
}
