import XCTest

@testable import MetaLang

/// `applyFormatSpec`. Expected texts were produced by Python's `format(value, spec)`,
/// except for Bool and non-scalar values, where Meta prints its own spelling.
final class FormatSpecTests: XCTestCase {
  func testMatchesPythonFormat() throws {
    let cases: [(Value, String, String)] = [
      (.int(42), "", "42"),
      (.int(42), "d", "42"),
      (.int(42), "5d", "   42"),
      (.int(-42), "5d", "  -42"),
      (.int(42), "<5", "42   "),
      (.int(42), "^6", "  42  "),
      (.int(42), ">8", "      42"),
      (.int(42), "*^7", "**42***"),
      (.int(42), "+d", "+42"),
      (.int(42), " d", " 42"),
      (.int(-42), "+d", "-42"),
      (.int(42), "05d", "00042"),
      (.int(-42), "05d", "-0042"),
      (.int(1234567), ",", "1,234,567"),
      (.int(1234567), "_", "1_234_567"),
      (.int(-1234567), "015,", "-00,001,234,567"),
      (.int(1234), "08,", "0,001,234"),
      (.int(1234), "010,", "00,001,234"),
      (.int(1234), "0=10,", "00,001,234"),
      (.int(1234), "x=10,", "xxxxx1,234"),
      (.int(1234), "0>10,", "000001,234"),
      (.int(255), "x", "ff"),
      (.int(255), "X", "FF"),
      (.int(255), "#x", "0xff"),
      (.int(255), "#X", "0XFF"),
      (.int(255), "#o", "0o377"),
      (.int(5), "b", "101"),
      (.int(5), "#010b", "0b00000101"),
      (.int(65535), "_x", "ffff"),
      (.int(-255), "#x", "-0xff"),
      (.int(42), "e", "4.200000e+01"),
      (.int(42), ".2f", "42.00"),
      (.int(42), "%", "4200.000000%"),
      (.int(3), ".1%", "300.0%"),
      (.int(0), "d", "0"),
      (.int(42), "g", "42"),
      (.int(12345678), "g", "1.23457e+07"),
      (.int(9223372036854775807), ",", "9,223,372,036,854,775,807"),
      (.int(Int.min), "d", "-9223372036854775808"),
      (.int(Int.min), "x", "-8000000000000000"),
      (.int(42), "=+8", "+     42"),
      (.int(42), "x<6", "42xxxx"),
      (.int(42), "0", "42"),
      (.int(7), "03", "007"),
      (.int(-7), "<05", "-7000"),
      (.int(12345), "010_d", "00_012_345"),
      (.float(3.14159), ".4f", "3.1416"),
      (.float(3.14159), "e", "3.141590e+00"),
      (.float(3.14159), ".2e", "3.14e+00"),
      (.float(0.000123), "E", "1.230000E-04"),
      (.float(1234.5), "g", "1234.5"),
      (.float(0.0001234), "g", "0.0001234"),
      (.float(1e-05), "g", "1e-05"),
      (.float(123456789.0), "g", "1.23457e+08"),
      (.float(123456789.0), ".3g", "1.23e+08"),
      (.float(0.5), ".0f", "0"),
      (.float(1.5), ".0f", "2"),
      (.float(2.5), ".0f", "2"),
      (.float(2.675), ".2f", "2.67"),
      (.float(-0.0), ".1f", "-0.0"),
      (.float(-0.0), "", "-0.0"),
      (.float(1e+16), "", "1e+16"),
      (.float(0.1), ">8", "     0.1"),
      (.float(0.1234), ".1%", "12.3%"),
      (.float(0.5), "%", "50.000000%"),
      (.float(1234567.891), ",.2f", "1,234,567.89"),
      (.float(1234567.891), "_.1f", "1_234_567.9"),
      (.float(-1234.5), "012,.1f", "-0,001,234.5"),
      (.float(3.0), "+.2f", "+3.00"),
      (.float(3.0), " .2f", " 3.00"),
      (.float(12.0), ".2", "1.2e+01"),
      (.float(1.0), ".2", "1.0"),
      (.float(123.456), ".4", "123.5"),
      (.float(0.0001), ".3", "0.0001"),
      (.float(5.0), ".1", "5e+00"),
      (.float(100.0), ".3", "1e+02"),
      (.float(1e+100), ".3", "1e+100"),
      (.float(.infinity), "", "inf"),
      (.float(-.infinity), "f", "-inf"),
      (.float(.infinity), "F", "INF"),
      (.float(.nan), "f", "nan"),
      (.float(.nan), "+", "+nan"),
      (.float(.infinity), "010f", "0000000inf"),
      (.float(-.infinity), "+08", "-0000inf"),
      (.float(.nan), "E", "NAN"),
      (.float(1.5), "#.0f", "2."),
      (.float(1.0), "#g", "1.00000"),
      (.float(1.0), "#.3g", "1.00"),
      (.float(1e+16), ",", "1e+16"),
      (.float(1234.5), ",", "1,234.5"),
      (.float(-1.5), "=+10.2f", "-     1.50"),
      (.float(1.5), "*<10", "1.5*******"),
      (.float(1.5), "^9", "   1.5   "),
      (.float(2.5), "08.3f", "0002.500"),
      (.float(1e-07), "", "1e-07"),
      (.float(1e+22), "f", "10000000000000000000000.000000"),
      (.float(0.1), ".20f", "0.10000000000000000555"),
      (.float(0.1), ".17g", "0.10000000000000001"),
      (.float(1.0), ".0e", "1e+00"),
      (.float(9.99), ".1f", "10.0"),
      (.float(9.96), ".1f", "10.0"),
      (.float(1e+300), ".2e", "1.00e+300"),
      (.float(5e-324), "e", "4.940656e-324"),
      (.float(5e-324), "", "5e-324"),
      (.float(123.456), "10.2f", "    123.46"),
      (.float(123.456), "<10.2f", "123.46    "),
      (.float(123.456), "G", "123.456"),
      (.float(1e-10), "G", "1E-10"),
      (.float(0.0), "g", "0"),
      (.float(0.0), "e", "0.000000e+00"),
      (.float(0.0), "%", "0.000000%"),
      (.float(0.5), ".0%", "50%"),
      (.float(100000.0), ".0", "1e+05"),
      (.float(1.234e-05), ".2", "1.2e-05"),
      (.float(1234.5678), ".6", "1234.57"),
      (.float(1234.5678), ".10", "1234.5678"),
      (.float(-12.5), ".3", "-12.5"),
      (.float(1.0), "#", "1.0"),
      (.float(1.0), "#.2", "1.0"),
      (.float(1e+20), ".3", "1e+20"),
      (.float(99.95), ".3", "1e+02"),
      (.float(1e-05), "", "1e-05"),
      (.float(1.5e+300), "", "1.5e+300"),
      (.float(123456789012.0), "", "123456789012.0"),
      (.float(0.30000000000000004), ".3f", "0.300"),
      (.float(2.0), "g", "2"),
      (.float(1e+16), "g", "1e+16"),
      (.float(1000000000000000.0), "g", "1e+15"),
      (.float(0.0001), "g", "0.0001"),
      (.float(1e-05), ".3g", "1e-05"),
      (.float(1.5), "0", "1.5"),
      (.float(-1.5), "06", "-001.5"),
      (.float(1234.5), "09,", "001,234.5"),
      (.float(1.5), ".0", "2e+00"),
      (.float(0.5), "#.0e", "5.e-01"),
      (.string("ab"), "", "ab"),
      (.string("ab"), "s", "ab"),
      (.string("ab"), "5", "ab   "),
      (.string("ab"), ">5", "   ab"),
      (.string("ab"), "^5", " ab  "),
      (.string("ab"), "^6", "  ab  "),
      (.string("ab"), "*>5", "***ab"),
      (.string("abcdef"), ".3", "abc"),
      (.string("abcdef"), "5.2s", "ab   "),
      (.string("ab"), "05", "ab000"),
      (.string("é"), "3", "é  "),
      (.string("ab"), "<", "ab"),
      (.string(""), "3", "   "),
      (.string("abc"), "2", "abc"),
      (.string("ab"), "0>5", "000ab"),
    ]
    for (value, spec, expected) in cases {
      XCTAssertEqual(try applyFormatSpec(value, spec), expected, "format(\(value.repr), '\(spec)')")
    }
  }

  func testInvalidSpecsThrow() {
    let cases: [(Value, String)] = [
      (.int(42), "s"),  // Unknown format code 's' for object of type 'int'
      (.int(42), ".2d"),  // Precision not allowed in integer format specifier
      (.float(1.5), "d"),  // Unknown format code 'd' for object of type 'float'
      (.string("ab"), "d"),  // Unknown format code 'd' for object of type 'str'
      (.string("ab"), "+"),  // Sign not allowed in string format specifier
      (.string("ab"), "="),  // '=' alignment not allowed in string format specifier
      (.string("ab"), ","),  // Cannot specify ',' with 's'.
      (.string("ab"), "#"),  // Alternate form (#) not allowed in string format specifier
      (.int(42), ".4q"),  // Unknown format code 'q' for object of type 'int'
      (.int(42), "abc"),  // Invalid format specifier 'abc' for object of type 'int'
      (.int(42), ",x"),  // Cannot specify ',' with 'x'.
      (.float(1.5), "."),  // Format specifier missing precision
      (.float(1.5), "x"),  // Unknown format code 'x' for object of type 'float'
      (.float(1.5), ",,"),  // Cannot specify ',' with ','.
      (.int(42), ".2x"),  // Precision not allowed in integer format specifier
      (.int(42), "5."),  // Format specifier missing precision
      (.string("ab"), ".2f"),  // Unknown format code 'f' for object of type 'str'
      (.int(42), "_,"),  // Cannot specify both ',' and '_'.
      (.int(255), ",b"),  // Cannot specify ',' with 'b'.
      (.int(42), "c"), (.float(1.5), "n"), (.float(1.5), "z"), (.list([]), "d"), (.nil_, "+"),
      (.int(1), "1001"), (.int(1), "99999999999999999999999"), (.float(1), ".1001f"), (.int(1), "5.."),
    ]
    for (value, spec) in cases {
      XCTAssertThrowsError(try applyFormatSpec(value, spec), "format(\(value.repr), '\(spec)')") { error in
        guard let error = error as? MetaError else { return XCTFail("not a MetaError: \(error)") }
        XCTAssertEqual(error.kind, .runtime)
        XCTAssertEqual(error.file, "<format>")
        XCTAssertTrue(error.message.hasPrefix("invalid format spec '\(spec)' for \(value.typeName)"), error.message)
      }
    }
  }

  func testErrorMessages() {
    XCTAssertThrowsError(try applyFormatSpec(.float(1.5), ".4q")) { error in
      XCTAssertEqual((error as? MetaError)?.message, "invalid format spec '.4q' for Float (unknown type 'q')")
    }
    XCTAssertThrowsError(try applyFormatSpec(.string("a"), "d")) { error in
      XCTAssertEqual((error as? MetaError)?.message, "invalid format spec 'd' for String ('d' needs a number)")
    }
  }

  /// Interpolation reports a bad spec at the formatted value, not at "<format>:0:0".
  func testErrorIsReportedAtTheInterpolation() {
    let interp = Interpreter(output: { _ in })
    XCTAssertThrowsError(try interp.evaluate("let x = 1.5\nlet s = \"a {x:2000f}\"", name: "f.meta")) { error in
      guard let e = error as? MetaError else { return XCTFail("not a MetaError: \(error)") }
      XCTAssertEqual(e.kind, .runtime)
      XCTAssertEqual("\(e.file):\(e.loc.line):\(e.loc.column)", "f.meta:2:13")
      XCTAssertEqual(e.message, "invalid format spec '2000f' for Float (width and precision are at most 1000)")
      XCTAssertTrue(e.render().hasPrefix("f.meta:2:13: error: invalid format spec"), e.render())
    }
    // Caught by `try` like any runtime error, with the same place.
    let v = try? interp.evaluate("try { \"{[1]:d}\" } catch e { \"{e.line}:{e.column} {e.message}\" }")
    XCTAssertEqual(v?.description, "1:9 invalid format spec 'd' for List ('d' needs a number)")
  }

  func testBoolNilAndContainers() throws {
    XCTAssertEqual(try applyFormatSpec(.bool(true), ""), "true")
    XCTAssertEqual(try applyFormatSpec(.bool(true), ">6"), "  true")
    XCTAssertEqual(try applyFormatSpec(.bool(false), "5d"), "    0")
    XCTAssertEqual(try applyFormatSpec(.bool(true), ".1f"), "1.0")
    XCTAssertEqual(try applyFormatSpec(.nil_, ">5"), "  nil")
    XCTAssertEqual(try applyFormatSpec(.list([.int(1), .string("a")]), "<10"), #"[1, "a"]  "#)
    XCTAssertEqual(try applyFormatSpec(.string("héllo"), "^9"), "  héllo  ")
  }

  func testWidthAndPrecisionAtTheBound() throws {
    XCTAssertEqual(try applyFormatSpec(.int(1), "1000").count, 1000)
    let text = try applyFormatSpec(.float(1), ".1000f")
    XCTAssertEqual(text.count, 1002)
    XCTAssertEqual(try applyFormatSpec(.float(1e308), ",.2f").count, 309 + 102 + 3)
  }
}
