import XCTest

@testable import MetaLang

/// Error recovery, the nesting bound, incomplete-input detection, and robustness
/// against arbitrary input.
final class ParserRecoveryTests: XCTestCase {
  func testRecoveryReportsEveryErrorWithItsPosition() {
    let source = """
      let a = 1 +* 2
      let b = (3
      let c = [1, 2, 3]
      x = = 4
      print(a b)
      fn g() {
        let y = )
        y
      }
      z = "ok"
      """
    let (program, errors) = Parser.parse(source, file: "many.meta")
    XCTAssertEqual(
      errors.map { "\($0.loc): \($0.message)" },
      [
        "1:12: unexpected '*' (expected an expression)",
        "3:1: unexpected 'let' (expected ')' to close the '(' at 2:9)",
        "4:5: unexpected '=' (expected an expression)",
        "5:9: unexpected 'b' (expected ',' or ')' in the call opened at 5:6)",
        "7:11: unexpected ')' (expected an expression)",
      ])
    XCTAssertEqual(ASTDump.program(program), "(let c (list 1 2 3)); (fn g () {y}); (= z \"ok\")")
    for error in errors {
      XCTAssertEqual(error.kind, .syntax)
      XCTAssertEqual(error.file, "many.meta")
      XCTAssertFalse(error.atEndOfInput)
    }
    XCTAssertEqual(errors.first?.sourceLine, "let a = 1 +* 2")
    XCTAssertEqual(errors.last?.sourceLine, "  let y = )")
    XCTAssertEqual(
      errors.first?.render(), "many.meta:1:12: error: unexpected '*' (expected an expression)\n    let a = 1 +* 2\n               ^")
  }

  func testLexerAndParserErrorsTogetherInSourceOrder() {
    let source = "x = 3abc\ny = \"bad \\q escape\"\nz = @\nw = 'single'\nok = 1"
    let (program, errors) = Parser.parse(source, file: "t.meta")
    XCTAssertEqual(
      errors.map { "\($0.loc): \($0.message)" },
      [
        "1:5: invalid number literal '3abc'",
        "2:10: invalid escape '\\q' in string",
        "3:5: unexpected '@' (expected an expression)",
        "4:5: unexpected character ''' (strings use double quotes)",
        "4:12: unexpected character ''' (strings use double quotes)",
      ])
    // The string with a bad escape still parses; statements with lexer errors are dropped.
    XCTAssertEqual(ASTDump.program(program), "(= y \"bad q escape\"); (= ok 1)")
  }

  func testStrayClosersAndUnterminatedConstructs() {
    XCTAssertEqual(parseErrors("}\nx"), ["1:1: unexpected '}' (no block to close)"])
    XCTAssertEqual(parseErrors("a)\nb"), ["1:2: unexpected ')' (expected end of statement)"])
    let error = Parser.parse("let s = \"abc\nx = 1", file: "t.meta").errors
    XCTAssertEqual(error.map { "\($0.loc): \($0.message)" }, ["1:9: unterminated string"])
    XCTAssertEqual(error.first?.atEndOfInput, true)
    XCTAssertEqual(
      parseErrors("if x { 1 \n"), ["2:1: unexpected end of input (expected '}' to close the block opened at 1:6)"])
    // Only the innermost of several blocks open at the end is reported.
    XCTAssertEqual(
      parseErrors("fn f() {\n  if a {\n    g(1,"),
      ["3:9: unexpected end of input (expected an expression)"])
  }

  func testRecoverySkipsWholeBlocksAndRecordsOpenedInTheBrokenStatement() {
    XCTAssertEqual(
      parseErrors("x = (1 + ) + fn() {\n  let y = 2\n}\nz = {\n  a: 1 +,\n  let: 2\n}\nok"),
      ["1:10: unexpected ')' (expected an expression)", "5:9: unexpected ',' (expected an expression)"])
    XCTAssertEqual(ASTDump.program(Parser.parse("x = (1 + ) + fn() {\n  let y = 2\n}\nok", file: "t").program), "ok")
  }

  func testErrorsInsideInterpolationPointIntoTheFile() {
    XCTAssertEqual(parseErrors("x = 1\nprint(\"a {1 +} b\")"), ["2:14: unexpected '}' (expected an expression)"])
    XCTAssertEqual(parseErrors("\"{}\""), ["1:3: unexpected '}' (expected an expression)"])
    XCTAssertEqual(parseErrors("\"{a b}\""), ["1:5: unexpected 'b' (expected '}' to end the expression in the string)"])
    XCTAssertEqual(parseErrors("s = \"x\n  {f(,)}\""), ["2:6: unexpected ',' (expected an expression)"])
  }

  // MARK: - Nesting bound

  private func nested(_ open: String, _ inner: String, _ close: String, _ n: Int) -> String {
    String(repeating: open, count: n) + inner + String(repeating: close, count: n)
  }

  private func assertNestingBound(
    _ make: (Int) -> String, column: (Int) -> Int, file: StaticString = #filePath, line: UInt = #line
  ) {
    let atBound = Parser.parse(make(maxParseDepth), file: "t.meta")
    XCTAssertEqual(atBound.errors.map(\.description), [], "at the bound", file: file, line: line)
    XCTAssertEqual(atBound.program.statements.count, 1, file: file, line: line)
    let over = Parser.parse(make(maxParseDepth + 1), file: "t.meta").errors
    XCTAssertEqual(
      over.map { "\($0.loc): \($0.message)" }, ["1:\(column(maxParseDepth + 1)): expression nested too deeply"],
      "over the bound", file: file, line: line)
    XCTAssertEqual(over.first?.atEndOfInput, false, file: file, line: line)
  }

  func testNestingBoundAtAndOverTheLimit() {
    XCTAssertEqual(maxParseDepth, 200)
    assertNestingBound({ self.nested("(", "1", ")", $0) }, column: { $0 })
    assertNestingBound({ self.nested("[", "1", "]", $0) }, column: { $0 })
    assertNestingBound({ self.nested("{a: ", "1", "}", $0) }, column: { 4 * $0 - 3 })
    // The parameter list of the function over the bound is the level too deep.
    assertNestingBound({ self.nested("fn() {", "1", "}", $0) }, column: { 6 * $0 - 3 })
    assertNestingBound({ String(repeating: "-", count: $0) + "1" }, column: { $0 })
    assertNestingBound({ String(repeating: "not ", count: $0) + "a" }, column: { 4 * $0 - 3 })
    assertNestingBound({ "1" + String(repeating: "+1", count: $0) }, column: { 2 * $0 })
    assertNestingBound({ "f" + String(repeating: "()", count: $0) }, column: { 2 * $0 })
    assertNestingBound({ "2" + String(repeating: "**2", count: $0) }, column: { 3 * $0 - 1 })
    // `if a {1}` then n-1 `else if` links, each one level deeper; the block of the
    // last link is the level too deep.
    assertNestingBound(
      { "if a {1}" + String(repeating: " else if a {1}", count: $0 - 1) }, column: { 14 * ($0 - 1) + 6 })
  }

  func testNestedStringsAreBounded() {
    let make = { (n: Int) in self.nested("\"{", "1", "}\"", n) }
    XCTAssertEqual(Parser.parse(make(maxParseDepth - 1), file: "t").errors.map(\.description), [])
    let over = Parser.parse(make(maxParseDepth + 1), file: "t").errors.map(\.message)
    XCTAssertFalse(over.isEmpty)
    XCTAssertTrue(over.allSatisfy { $0 == "strings nested too deeply" || $0 == "expression nested too deeply" }, "\(over)")
  }

  func testHugeNestingIsAnErrorNotACrash() {
    // 100 times the bound: input that would overflow the stack if the parser recursed per level.
    let n = 100 * maxParseDepth
    for source in [
      String(repeating: "(", count: n), String(repeating: "[", count: n) + "1",
      String(repeating: "-", count: n) + "1", String(repeating: "\"{", count: n),
      String(repeating: "fn(){", count: n), String(repeating: "1+", count: n) + "1",
    ] {
      let errors = Parser.parse(source, file: "deep").errors
      XCTAssertEqual(errors.first?.loc.line, 1)
      XCTAssertTrue(
        errors.contains { $0.message.hasSuffix("nested too deeply") }, "\(errors.map(\.description).prefix(3))")
      XCTAssertLessThanOrEqual(errors.count, 2, "one nesting error, at most one end-of-input error")
      XCTAssertFalse(Parser.isIncomplete(source))
    }
  }

  // MARK: - isIncomplete

  func testIsIncompleteForEachUnfinishedConstruct() {
    let incomplete = [
      "f(1,", "x = [1, 2", "r = {a: 1,", "if c {", "if c { 1 } else {", "while x {\n  y = 1\n",
      "fn f(x) {", "fn f(", "x = 1 +", "x = a and", "assert x,", "\"abc", "\"abc {x", "\"{x:.2f",
      "try { 1 }", "for i in", "let x =", "print(\"a\",\n", "x = (1 +\n\n", "a.", "f(fn(x) {\n",
    ]
    for source in incomplete {
      XCTAssertTrue(Parser.isIncomplete(source), "should be incomplete: \(source.debugDescription)")
    }
  }

  func testIsIncompleteIsFalseForCompleteOrBrokenInput() {
    let complete = [
      "", "x", "if c { 1 }", "if c { 1 }\n", "if c { 1 } else { 2 }", "f(1, 2)", "let x = 1 # note",
      "\"abc\"", "try { 1 } catch { 2 }", "fn f() { }", ")", "x = (1 + ) + (", "let = 3",
      "a < b < c", "1 +* 2\nf(", "3abc(",
    ]
    for source in complete {
      XCTAssertFalse(Parser.isIncomplete(source), "should not be incomplete: \(source.debugDescription)")
    }
  }

  // MARK: - Robustness

  /// xorshift64*: a fixed-seed generator so failures reproduce.
  private struct Random {
    var state: UInt64
    mutating func next(_ bound: Int) -> Int {
      state ^= state >> 12
      state ^= state << 25
      state ^= state >> 27
      return Int((state &* 2_685_821_657_736_338_717) >> 33) % bound
    }
  }

  private func checkInvariants(_ source: String, file: StaticString = #filePath, line: UInt = #line) {
    let (_, errors) = Parser.parse(source, file: "fuzz")
    _ = Parser.isIncomplete(source)
    let lineCount = source.split(separator: "\n", omittingEmptySubsequences: false).count
    for error in errors {
      guard error.kind == .syntax, error.file == "fuzz", error.loc.line >= 1, error.loc.column >= 1,
        error.loc.line <= lineCount, error.sourceLine != nil
      else {
        return XCTFail("bad error \(error) for \(source.debugDescription)", file: file, line: line)
      }
    }
  }

  func testRandomBytesNeverTrap() {
    var random = Random(state: 0x9E37_79B9_7F4A_7C15)
    let alphabet = Array("()[]{}\"\\:;,.+-*/%@=<>!#&|' \n\t0123456789_eExyzabc".utf8) + [0xC3, 0xA9, 0xFF, 0x00]
    for _ in 0..<2000 {
      let length = random.next(60)
      let bytes = (0..<length).map { _ in
        random.next(4) == 0 ? UInt8(random.next(256)) : alphabet[random.next(alphabet.count)]
      }
      checkInvariants(String(decoding: bytes, as: UTF8.self))
    }
  }

  func testRandomTokenSoupsNeverTrap() {
    var random = Random(state: 42)
    let vocabulary = [
      "let", "var", "fn", "f", "(", ")", "[", "]", "{", "}", "\"", "\"{", "}\"", ":", "::", ",", ";",
      "\n", "+", "-", "**", "//", "@", "==", "<", "=", "+=", "if", "else", "try", "catch", "for", "in",
      "while", "return", "break", ".", "#", "not", "and", "or", "x", "1", "2.5", "1e-3", "\"s\"",
      "\"a {x:.2f} b\"", "import", "as", "assert", "nil", "true", "\\", "'",
    ]
    for _ in 0..<2000 {
      let length = random.next(40)
      let words = (0..<length).map { _ in vocabulary[random.next(vocabulary.count)] }
      checkInvariants(words.joined(separator: random.next(3) == 0 ? "" : " "))
    }
  }
}
