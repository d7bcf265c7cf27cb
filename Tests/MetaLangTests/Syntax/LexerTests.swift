import XCTest

@testable import MetaLang

final class LexerTests: XCTestCase {
  /// Each token as `line:col kind`, without the final end-of-input token.
  private func lex(_ source: String) -> (tokens: [String], errors: [String]) {
    let (tokens, errors) = Lexer.tokenize(source, file: "t.meta")
    XCTAssertEqual(tokens.last.map { if case .endOfInput = $0.kind { true } else { false } }, true)
    return (tokens.dropLast().map { "\($0.loc) \(describe($0))" }, errors.map { "\($0.loc): \($0.message)" })
  }

  private func describe(_ token: Token) -> String {
    switch token.kind {
    case .int(let i): return "int(\(i))"
    case .float(let d): return "float(\(d))"
    case .string(let segments): return "string(\(segments.map(describe).joined(separator: ",")))"
    case .identifier(let n): return "name(\(n))"
    case .keyword(let k): return "kw(\(k.rawValue))"
    case .symbol(let s): return s.rawValue
    case .newline: return "NL"
    case .interpolationEnd: return "END\(token.text)"
    case .error: return "ERROR"
    case .endOfInput: return "EOF"
    }
  }

  private func describe(_ segment: StringSegment) -> String {
    switch segment {
    case .text(let t): return t.debugDescription
    case .code(let tokens, let format, let loc):
      let inner = tokens.map { "\($0.loc) \(describe($0))" }.joined(separator: " ")
      return "{@\(loc) \(inner)\(format.map { " fmt=" + $0 } ?? "")}"
    }
  }

  /// The kinds only.
  private func kinds(_ source: String) -> [String] {
    lex(source).tokens.map { String($0.split(separator: " ", maxSplits: 1)[1]) }
  }

  func testEveryKeyword() {
    let words = Keyword.allCases.map(\.rawValue)
    XCTAssertEqual(words.count, 22)
    XCTAssertEqual(kinds(words.joined(separator: " ")), words.map { "kw(\($0))" })
    XCTAssertEqual(kinds("lets _x x1 If"), ["name(lets)", "name(_x)", "name(x1)", "name(If)"])
  }

  func testEverySymbolWithLongestMatch() {
    let symbols = Symbol.allCases.map(\.rawValue)
    XCTAssertEqual(kinds(symbols.joined(separator: " ")), symbols)
    XCTAssertEqual(kinds("a**=b//=c"), ["name(a)", "**", "=", "name(b)", "//", "=", "name(c)"])
    XCTAssertEqual(kinds("x<=-1"), ["name(x)", "<=", "-", "int(1)"])
    XCTAssertEqual(kinds("::2"), [":", ":", "int(2)"])
  }

  func testNumbers() {
    XCTAssertEqual(kinds("3 3.0 1e-3 2.5E+4 .5 1_000 1_000.5 0 1e3"), [
      "int(3)", "float(3.0)", "float(0.001)", "float(25000.0)", "float(0.5)", "int(1000)", "float(1000.5)",
      "int(0)", "float(1000.0)",
    ])
    XCTAssertEqual(kinds("9223372036854775807"), ["int(9223372036854775807)"])
    XCTAssertEqual(kinds("3.foo"), ["int(3)", ".", "name(foo)"])
    XCTAssertEqual(kinds("x.5"), ["name(x)", "float(0.5)"])
    XCTAssertEqual(kinds("1e999"), ["float(inf)"])
  }

  func testNumberErrors() {
    XCTAssertEqual(lex("99999999999999999999").errors, ["1:1: integer literal 99999999999999999999 is too large"])
    XCTAssertEqual(lex("x = 9223372036854775808").errors, ["1:5: integer literal 9223372036854775808 is too large"])
    XCTAssertEqual(lex("3abc").errors, ["1:1: invalid number literal '3abc'"])
    XCTAssertEqual(lex("1e").errors, ["1:1: invalid number literal '1e'"])
    XCTAssertEqual(lex("1__0").errors, ["1:1: invalid number literal '1__0'"])
    XCTAssertEqual(lex("1_").errors, ["1:1: invalid number literal '1_'"])
    XCTAssertEqual(lex("1_.5").errors, ["1:1: invalid number literal '1_.5'"])
    XCTAssertEqual(kinds("3abc + 1"), ["ERROR", "+", "int(1)"])
  }

  func testStringsAndEscapes() {
    XCTAssertEqual(kinds(#""""#), [#"string("")"#])
    XCTAssertEqual(kinds(#""a\n\t\r\0\"\\\{\}b""#), [#"string("a\n\t\r\0\"\\{}b")"#])
    XCTAssertEqual(kinds("\"two\nlines\""), [#"string("two\nlines")"#])
    XCTAssertEqual(kinds("\"two\r\nlines\r\""), [#"string("two\nlines\r")"#])
    XCTAssertEqual(kinds("\"é 😀\""), [#"string("é 😀")"#])
    XCTAssertEqual(kinds("\"a } b\""), [#"string("a } b")"#])
    XCTAssertEqual(lex(#"x = "a\qb""#).errors, [#"1:7: invalid escape '\q' in string"#])
    XCTAssertEqual(kinds(#""a\qb""#), [#"string("aqb")"#])
    let unterminated = Lexer.tokenize("x = \"abc\n\n", file: "t").errors
    XCTAssertEqual(unterminated.map { "\($0.loc): \($0.message)" }, ["1:5: unterminated string"])
    XCTAssertEqual(unterminated.first?.atEndOfInput, true)
    XCTAssertEqual(lex("\"ab\\").errors, ["1:1: unterminated string"])
  }

  func testInterpolationSegmentsAndPositions() {
    XCTAssertEqual(lex(#"s = "loss {x:.3f}!""#).tokens, [
      "1:1 name(s)", "1:3 =",
      #"1:5 string("loss ",{@1:11 1:12 name(x) 1:13 END: fmt=.3f},"!")"#,
    ])
    XCTAssertEqual(kinds(#""{t[1:2]}""#), [#"string({@1:2 1:3 name(t) 1:4 [ 1:5 int(1) 1:6 : 1:7 int(2) 1:8 ] 1:9 END}})"#])
    XCTAssertEqual(kinds(#""{ {a: 1}.a }""#), [
      #"string({@1:2 1:4 { 1:5 name(a) 1:6 : 1:8 int(1) 1:9 } 1:10 . 1:11 name(a) 1:13 END}})"#
    ])
    // Nested strings, and an embedded expression spanning lines.
    XCTAssertEqual(kinds("\"{f(\"x{y}\")}\""), [
      #"string({@1:2 1:3 name(f) 1:4 ( 1:5 string("x",{@1:7 1:8 name(y) 1:9 END}}) 1:11 ) 1:12 END}})"#
    ])
    XCTAssertEqual(kinds("\"a{\n  b}\""), [#"string("a",{@1:3 2:3 name(b) 2:4 END}})"#])
    XCTAssertEqual(kinds(#""{x:>10}""#), [#"string({@1:2 1:3 name(x) 1:4 END: fmt=>10})"#])
    XCTAssertEqual(kinds(#""{x:}""#), [#"string({@1:2 1:3 name(x) 1:4 END: fmt=})"#])
  }

  func testInterpolationErrors() {
    XCTAssertEqual(lex(#"s = "{x:.2f" + 1"#).errors, ["1:12: missing '}' after format spec in string"])
    XCTAssertEqual(lex("\"{x").errors, ["1:1: unterminated string"])
    XCTAssertEqual(lex("\"{\"inner").errors, ["1:3: unterminated string"])
  }

  func testNewlinesCommentsAndPositions() {
    XCTAssertEqual(lex("#!/usr/bin/env meta\na # c\n\n\n  b;c\r\n\td").tokens, [
      "2:1 name(a)", "2:6 NL", "5:3 name(b)", "5:4 ;", "5:5 name(c)", "5:7 NL", "6:2 name(d)",
    ])
    XCTAssertEqual(kinds("# only a comment"), [])
    XCTAssertEqual(kinds("\n\n x"), ["name(x)"])
  }

  func testColumnsCountUnicodeScalars() {
    XCTAssertEqual(lex("\"é😀\" x").tokens.last, "1:6 name(x)")
  }

  func testBadCharacters() {
    XCTAssertEqual(lex("a ! b").errors, ["1:3: unexpected character '!' (use 'not' or '!=')"])
    XCTAssertEqual(lex("a && b").errors, [
      "1:3: unexpected character '&' (use 'and')", "1:4: unexpected character '&' (use 'and')",
    ])
    XCTAssertEqual(lex("a || b").errors.first, "1:3: unexpected character '|' (use 'or')")
    XCTAssertEqual(lex("'s'").errors.first, "1:1: unexpected character ''' (strings use double quotes)")
    XCTAssertEqual(lex("x = λ").errors, ["1:5: unexpected character 'λ'"])
    XCTAssertEqual(kinds("a $ b"), ["name(a)", "ERROR", "name(b)"])
  }
}
