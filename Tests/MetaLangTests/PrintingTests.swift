import XCTest

@testable import MetaLang

/// Printing rules and `formatFloat`. Expected float texts are Python's `repr`.
final class PrintingTests: XCTestCase {
  func testFormatFloatMatchesPythonRepr() {
    let cases: [(Double, String)] = [
      (0.1+0.2, "0.30000000000000004"),
      (1e16, "1e+16"),
      (1e15, "1000000000000000.0"),
      (1e-5, "1e-05"),
      (1e-4, "0.0001"),
      (123456.789, "123456.789"),
      (-0.0, "-0.0"),
      (5e-324, "5e-324"),
      (1.0, "1.0"),
      (0.1, "0.1"),
      (2.5e-05, "2.5e-05"),
      (1.5e300, "1.5e+300"),
      (123456789012.0, "123456789012.0"),
      (1.0 / 3, "0.3333333333333333"),
      (2.0 / 3, "0.6666666666666666"),
      (100.0, "100.0"),
      (1e22, "1e+22"),
      (1e21, "1e+21"),
      (9007199254740993.0, "9007199254740992.0"),
      (1.7976931348623157e308, "1.7976931348623157e+308"),
      (2.2250738585072014e-308, "2.2250738585072014e-308"),
      (0.001, "0.001"),
      (12345678901234567.0, "1.2345678901234568e+16"),
      (1234567890123456.7, "1234567890123456.8"),
      (-1.5, "-1.5"),
      (3.141592653589793, "3.141592653589793"),
      (1e-7, "1e-07"),
      (0.5, "0.5"),
      (4.35, "4.35"),
      (0.3, "0.3"),
      (1e100, "1e+100"),
      (6.02214076e23, "6.02214076e+23"),
      (1e-300, "1e-300"),
      (.infinity, "inf"),
      (-.infinity, "-inf"),
      (.nan, "nan"),
      (9007199254740992.0, "9007199254740992.0"),
      (9223372036854775808.0, "9.223372036854776e+18"),
      (1e23, "1e+23"),
      (0.000123, "0.000123"),
      (1.1, "1.1"),
      (100.5, "100.5"),
      (9.5e-5, "9.5e-05"),
      (-2.5e-7, "-2.5e-07"),
      (1e-323, "1e-323"),
    ]
    for (x, expected) in cases {
      XCTAssertEqual(formatFloat(x), expected, "formatFloat(\(x))")
    }
  }

  func testFormatFloatReadsBack() {
    var x = 1.0e-310
    while x < 1.0e300 {
      for y in [x, x * 1.2345678901, -x / 3] {
        XCTAssertEqual(Double(formatFloat(y)), y, "\(y)")
        XCTAssertTrue(formatFloat(y).contains(where: { $0 == "." || $0 == "e" }))
      }
      x *= 7.3
    }
  }

  func testScalarsAndStrings() {
    XCTAssertEqual(Value.int(-42).description, "-42")
    XCTAssertEqual(Value.int(Int.min).description, "-9223372036854775808")
    XCTAssertEqual(Value.float(2).description, "2.0")
    XCTAssertEqual(Value.bool(true).description, "true")
    XCTAssertEqual(Value.bool(false).description, "false")
    XCTAssertEqual(Value.nil_.description, "nil")
    XCTAssertEqual(Value.string("a\"b\n").description, "a\"b\n")
    XCTAssertEqual(Value.string("a\"b\\c\n\t\r\0{x}").repr, #""a\"b\\c\n\t\r\0{x}""#)
  }

  func testContainers() {
    let list = Value.list([.string("a"), .int(1), .float(0.5), .nil_, .list([]), .bool(true)])
    XCTAssertEqual(list.description, #"["a", 1, 0.5, nil, [], true]"#)
    let record = Value.record(Record([("lr", .float(0.1)), ("steps", .int(5))]))
    XCTAssertEqual(record.description, "{lr: 0.1, steps: 5}")
    let odd = Value.record(Record([("any key", .int(2)), ("_ok1", .string("s")), ("1x", .nil_), ("", .int(0))]))
    XCTAssertEqual(odd.description, #"{"any key": 2, _ok1: "s", "1x": nil, "": 0}"#)
    XCTAssertEqual(Value.record(Record()).description, "{}")
    XCTAssertEqual(Value.list([record, .list([.string("x")])]).description, #"[{lr: 0.1, steps: 5}, ["x"]]"#)
  }

  func testFunctionsAndNatives() {
    XCTAssertEqual(Value.function(Function(name: "scale")).description, "<fn scale>")
    XCTAssertEqual(Value.function(Function(name: "<fn>")).description, "<fn>")
    XCTAssertEqual(Value.list([.native(Thing())]).description, "[<thing>]")
  }

  private final class Thing: NativeObject {
    var typeName: String { "Thing" }
    var description: String { "<thing>" }
  }

  func testDeepNestingIsCappedNotAStackOverflow() {
    var value = Value.int(1)
    for _ in 0..<100_000 { value = .list([value]) }
    let text = value.description
    let cap = Interpreter.maxNestingDepth
    XCTAssertEqual(text, String(repeating: "[", count: cap) + "..." + String(repeating: "]", count: cap))
    // Take the structure apart from the outside in, so freeing it does not recurse either.
    while case .list(let items) = value, let inner = items.first { value = inner }
    XCTAssertEqual(value.description, "1")

    var record = Value.int(0)
    for _ in 0..<(cap + 1) { record = .record(Record([("a", record)])) }
    XCTAssertEqual(record.description, String(repeating: "{a: ", count: cap) + "..." + String(repeating: "}", count: cap))
    while case .record(let r) = record, let inner = r["a"] { record = inner }
  }
}
