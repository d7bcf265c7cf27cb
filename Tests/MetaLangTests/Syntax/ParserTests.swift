import XCTest

@testable import MetaLang

/// Parses `source`, failing the test on any syntax error, and renders the tree.
func parseTree(_ source: String, file: StaticString = #filePath, line: UInt = #line) -> String {
  let (program, errors) = Parser.parse(source, file: "t.meta")
  XCTAssertEqual(errors.map(\.description), [], "unexpected errors for: \(source)", file: file, line: line)
  return ASTDump.program(program)
}

/// The syntax errors of `source` as `line:column: message`.
func parseErrors(_ source: String) -> [String] {
  Parser.parse(source, file: "t.meta").errors.map { "\($0.loc): \($0.message)" }
}

final class ParserTests: XCTestCase {
  func testLiteralsAndNames() {
    XCTAssertEqual(parseTree("3; 2.5; \"hi\"; true; false; nil; x"), "3; 2.5; \"hi\"; true; false; nil; x")
  }

  func testPrecedenceLowestFirst() {
    XCTAssertEqual(parseTree("a or b and c"), "(or a (and b c))")
    XCTAssertEqual(parseTree("not a and b"), "(and (not a) b)")
    XCTAssertEqual(parseTree("not a == b"), "(not (== a b))")
    XCTAssertEqual(parseTree("a == b + c"), "(== a (+ b c))")
    XCTAssertEqual(parseTree("a + b * c"), "(+ a (* b c))")
    XCTAssertEqual(parseTree("a * -b"), "(* a (- b))")
    XCTAssertEqual(parseTree("-a * b"), "(* (- a) b)")
    XCTAssertEqual(parseTree("-x ** 2"), "(- (** x 2))")
    XCTAssertEqual(parseTree("2 ** -1"), "(** 2 (- 1))")
    XCTAssertEqual(parseTree("-a.b(c)[0]"), "(- (index (call (. a b) c) 0))")
    XCTAssertEqual(parseTree("a @ b // c % d / e"), "(/ (% (// (@ a b) c) d) e)")
    XCTAssertEqual(parseTree("(a + b) * c"), "(* (+ a b) c)")
    XCTAssertEqual(parseTree("not not a"), "(not (not a))")
    XCTAssertEqual(parseTree("- - a"), "(- (- a))")
  }

  func testAssociativity() {
    XCTAssertEqual(parseTree("a - b - c"), "(- (- a b) c)")
    XCTAssertEqual(parseTree("a / b * c"), "(* (/ a b) c)")
    XCTAssertEqual(parseTree("a ** b ** c"), "(** a (** b c))")
    XCTAssertEqual(parseTree("a or b or c"), "(or (or a b) c)")
    XCTAssertEqual(parseTree("a and b and c"), "(and (and a b) c)")
  }

  func testComparisonsDoNotChain() {
    for op in ["==", "!=", "<", "<=", ">", ">="] {
      XCTAssertEqual(parseTree("a \(op) b"), "(\(op) a b)")
    }
    XCTAssertEqual(parseErrors("a < b < c"), ["1:7: comparison operators do not chain; use 'and'"])
    XCTAssertEqual(parseErrors("a == b != c"), ["1:8: comparison operators do not chain; use 'and'"])
    XCTAssertEqual(parseTree("a < b and b < c"), "(and (< a b) (< b c))")
  }

  func testPostfix() {
    XCTAssertEqual(parseTree("f(x, y, by: 2)"), "(call f x y by: 2)")
    XCTAssertEqual(parseTree("f()"), "(call f)")
    XCTAssertEqual(parseTree("t.sum(axis: 0).item()"), "(call (. (call (. t sum) axis: 0) item))")
    XCTAssertEqual(parseTree("r.in.if"), "(. (. r in) if)")
    XCTAssertEqual(parseTree("f(x)(y)"), "(call (call f x) y)")
    XCTAssertEqual(parseTree("f(\n  x,\n  y,\n)"), "(call f x y)")
  }

  func testIndexAndSlices() {
    XCTAssertEqual(
      parseTree("t[0, 1:3, ::2, :, -1]"),
      "(index t 0 (: 1 3 _) (: _ _ 2) (: _ _ _) (- 1))")
    XCTAssertEqual(parseTree("t[a:]"), "(index t (: a _ _))")
    XCTAssertEqual(parseTree("t[:b]"), "(index t (: _ b _))")
    XCTAssertEqual(parseTree("t[a:b:c]"), "(index t (: a b c))")
    XCTAssertEqual(parseTree("t[1::]"), "(index t (: 1 _ _))")
    XCTAssertEqual(parseTree("m[i][j]"), "(index (index m i) j)")
    XCTAssertEqual(parseErrors("t[]"), ["1:3: unexpected ']' (expected an index)"])
  }

  func testListsAndRecords() {
    XCTAssertEqual(parseTree("[]; [1]; [1, 2,]"), "(list); (list 1); (list 1 2)")
    XCTAssertEqual(parseTree("[\n 1,\n 2\n]"), "(list 1 2)")
    XCTAssertEqual(parseTree("{}"), "(record)")
    XCTAssertEqual(
      parseTree("{lr: 0.1, \"any key\": 2, if: 3,}"), "(record lr: 0.1 any key: 2 if: 3)")
    XCTAssertEqual(parseTree("{\n  a: 1,\n  b: {c: [2]}\n}"), "(record a: 1 b: (record c: (list 2)))")
    XCTAssertEqual(parseErrors("{a: 1, a: 2}"), ["1:8: duplicate key 'a' in record"])
  }

  func testStrings() {
    XCTAssertEqual(parseTree("\"loss {x}\""), "(str \"loss \" (x))")
    XCTAssertEqual(parseTree("\"{acc * 100:.2f}%\""), "(str ((* acc 100) :.2f) \"%\")")
    XCTAssertEqual(parseTree("\"{t[1:2]}\""), "(str ((index t (: 1 2 _))))")
    XCTAssertEqual(parseTree("\"{d[\"k\"]} and {f(\"{y}\")}\""), "(str ((index d \"k\")) \" and \" ((call f (str (y)))))")
    XCTAssertEqual(parseTree("\"{ {a: 1}.a :>5}\""), "(str ((. (record a: 1) a) :>5))")
    XCTAssertEqual(parseTree("\"\\{not code\\}\""), "\"{not code}\"")
  }

  func testBindingsAndAssignments() {
    XCTAssertEqual(parseTree("let x = 1"), "(let x 1)")
    XCTAssertEqual(parseTree("var x =\n  1"), "(var x 1)")
    XCTAssertEqual(parseTree("let [a, [b, c]] = f()"), "(let [a [b c]] (call f))")
    XCTAssertEqual(
      parseTree("x = 1; x += 2; x -= 3; x *= 4; x /= 5"),
      "(= x 1); (+= x 2); (-= x 3); (*= x 4); (/= x 5)")
    XCTAssertEqual(parseTree("r.a.b = 1"), "(= (. (. r a) b) 1)")
    XCTAssertEqual(parseTree("m[i][j].f = v"), "(= (. (index (index m i) j) f) v)")
    XCTAssertEqual(parseErrors("f(x) = 1"), ["1:1: cannot assign to this expression (expected a name, field or index before '=')"])
    XCTAssertEqual(parseErrors("1 + 2 = 3"), ["1:3: cannot assign to this expression (expected a name, field or index before '=')"])
    XCTAssertEqual(parseErrors("let [] = x"), ["1:6: a list pattern needs at least one name"])
  }

  func testFunctions() {
    XCTAssertEqual(parseTree("fn scale(x, by = 2.0) {\n  x * by\n}"), "(fn scale (x by=2.0) {(* x by)})")
    XCTAssertEqual(parseTree("let twice = fn(f) { fn(x) { f(f(x)) } }"), "(let twice (fn (f) {(fn (x) {(call f (call f x))})}))")
    XCTAssertEqual(parseTree("fn(x) { x }(3)"), "(call (fn (x) {x}) 3)")
    XCTAssertEqual(parseTree("fn f() {}"), "(fn f () {})")
    XCTAssertEqual(parseTree("map(xs, fn(x)\n{ x })"), "(call map xs (fn (x) {x}))")
    XCTAssertEqual(parseErrors("fn f(x, x) {}"), ["1:9: duplicate parameter 'x'"])
    XCTAssertEqual(
      parseErrors("let g = fn h(x) { x }"),
      ["1:12: a named function is a statement; write 'fn(...) { }' for a function value"])
  }

  func testArguments() {
    XCTAssertEqual(parseErrors("f(by: 1, 2)"), ["1:10: positional argument after named arguments"])
    XCTAssertEqual(parseErrors("f(a: 1, a: 2)"), ["1:9: duplicate argument 'a'"])
  }

  func testControlFlow() {
    XCTAssertEqual(parseTree("while c { x += 1 }"), "(while c {(+= x 1)})")
    XCTAssertEqual(parseTree("for t in batch { print(t) }"), "(for t batch {(call print t)})")
    XCTAssertEqual(parseTree("for [a, b] in xs {}"), "(for [a b] xs {})")
    XCTAssertEqual(parseTree("for i, x in enumerate(xs) {}"), "(for [i x] (call enumerate xs) {})")
    XCTAssertEqual(parseTree("for i,\n [a, b] in xs {}"), "(for [i [a b]] xs {})")
    guard case .forLoop(.list(_, let loc), _, _, _)? = Parser.parse("for  i, x in xs {}", file: "t").program.statements.first
    else { return XCTFail("expected a for loop over a list pattern") }
    XCTAssertEqual(loc, SourceLoc(line: 1, column: 6), "the sugar's pattern sits at its first name")
    XCTAssertEqual(parseTree("for k in {a: 1} { k }"), "(for k (record a: 1) {k})")
    XCTAssertEqual(parseTree("while true { break; continue }"), "(while true {break; continue})")
    XCTAssertEqual(parseTree("fn f() { return }"), "(fn f () {(return)})")
    XCTAssertEqual(parseTree("fn f() { return\n 1 }"), "(fn f () {(return); 1})")
    XCTAssertEqual(parseTree("fn f() { return; }"), "(fn f () {(return)})")
    XCTAssertEqual(parseTree("fn f() { return x + 1 }"), "(fn f () {(return (+ x 1))})")
    XCTAssertEqual(parseTree("return"), "(return)")
    XCTAssertEqual(parseTree("assert x > 0"), "(assert (> x 0))")
    XCTAssertEqual(parseTree("assert x > 0,\n \"positive\""), "(assert (> x 0) \"positive\")")
  }

  func testIfAndTryAreExpressions() {
    XCTAssertEqual(parseTree("let s = if x < 0 { -1 } else { 1 }"), "(let s (if (< x 0) {(- 1)} {1}))")
    XCTAssertEqual(parseTree("if a { 1 } else if b { 2 } else { 3 }"), "(if a {1} {(if b {2} {3})})")
    XCTAssertEqual(parseTree("if a {\n 1\n}\nelse {\n 2\n}"), "(if a {1} {2})")
    XCTAssertEqual(parseTree("if a { 1 }\n\n# note\nelse if b { 2 }"), "(if a {1} {(if b {2})})")
    XCTAssertEqual(parseTree("if a { 1 }\nb"), "(if a {1}); b")
    XCTAssertEqual(parseTree("try { risky() } catch err { print(err.message) }"), "(try {(call risky)} err {(call print (. err message))})")
    XCTAssertEqual(parseTree("let v = try { p(s) }\ncatch { nil }"), "(let v (try {(call p s)} _ {nil}))")
    XCTAssertEqual(parseTree("if x == {} { 1 }"), "(if (== x (record)) {1})")
  }

  func testImports() {
    XCTAssertEqual(parseTree("import nn"), "(import nn)")
    XCTAssertEqual(parseTree("import \"lib/util.meta\" as util"), "(import \"lib/util.meta\" as util)")
    XCTAssertEqual(parseErrors("import \"{x}.meta\" as u"), ["1:8: an import path must be a plain string without '{'"])
    XCTAssertEqual(parseErrors("import \"a.meta\""), ["1:16: unexpected end of input (expected 'as' after the import path)"])
  }

  func testNewlineRules() {
    XCTAssertEqual(parseTree("a +\n b"), "(+ a b)")
    XCTAssertEqual(parseTree("a and\n\n b"), "(and a b)")
    // A newline ends the statement before a leading operator (unary '+' does not exist).
    XCTAssertEqual(parseErrors("a\n+ b"), ["2:1: unexpected '+' (expected an expression)"])
    XCTAssertEqual(parseTree("x = [1,\n 2] +\n [3]\ny"), "(= x (+ (list 1 2) (list 3))); y")
    // Inside a block inside parentheses, line ends count again.
    XCTAssertEqual(parseTree("f(fn() {\n a\n b\n})"), "(call f (fn () {a; b}))")
    XCTAssertEqual(parseTree("(a\n + b)"), "(+ a b)")
  }

  func testStatementSeparators() {
    XCTAssertEqual(parseTree("a; b\nc;;\n\nd;"), "a; b; c; d")
    XCTAssertEqual(parseTree("#!/usr/bin/env meta\nx # trailing\n# only comment"), "x")
    XCTAssertEqual(parseTree(""), "")
    XCTAssertEqual(parseTree("f\n(x)"), "f; x")
    // At statement start '{' is a record, never a block.
    XCTAssertEqual(parseErrors("{ if c { a } }"), ["1:6: unexpected 'c' (expected ':' after the record key)"])
  }

  func testLocations() {
    let (program, _) = Parser.parse("let x = 1\n  y = a.b(c) + t[2]", file: "t.meta")
    guard program.statements.count == 2 else { return XCTFail("expected two statements") }
    XCTAssertEqual(program.statements[0].loc, SourceLoc(line: 1, column: 1))
    guard case .assign(let target, _, let value, let loc) = program.statements[1] else {
      return XCTFail("expected an assignment")
    }
    XCTAssertEqual(loc, SourceLoc(line: 2, column: 3))
    XCTAssertEqual(target.loc, SourceLoc(line: 2, column: 3))
    guard case .binary(.add, let call, let index, let plusLoc) = value else { return XCTFail("expected +") }
    XCTAssertEqual(plusLoc, SourceLoc(line: 2, column: 14))
    XCTAssertEqual(call.loc, SourceLoc(line: 2, column: 9), "a call sits at its callee's field name")
    XCTAssertEqual(index.loc, SourceLoc(line: 2, column: 17), "an index sits at its '['")
  }
}
