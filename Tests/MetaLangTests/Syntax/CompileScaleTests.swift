// Compiling is linear in the number of names, and counts against the host's limits
// (issue 13: a function of 100,000 parameters took over 30 s to parse, 50,000 named
// arguments 13-16 s, a 300,000-key record literal over 30 s, all outside the time limit).

import Foundation
import XCTest

@testable import MetaLang

final class CompileScaleTests: XCTestCase {
  /// Seconds a program of the sizes below may take to parse and resolve. An optimized
  /// build takes 0.1-0.4 s; a debug build is about 8 times slower. A quadratic parser
  /// took minutes.
  #if DEBUG
    static let bound = 8.0
  #else
    static let bound = 1.0
  #endif

  /// Parses and resolves `source`, failing on any error; returns the seconds taken.
  func compileTime(_ source: String, file: StaticString = #filePath, line: UInt = #line) -> Double {
    let interp = Interpreter(output: { _ in })
    let start = DispatchTime.now().uptimeNanoseconds
    let errors = interp.check(source, name: "big.meta")
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    XCTAssertEqual(errors.map(\.message), [], file: file, line: line)
    return seconds
  }

  func testHundredThousandParameters() throws {
    let n = 100_000
    let params = (0..<n).map { "p\($0)" }.joined(separator: ", ")
    let seconds = compileTime("fn f(\(params)) { p0 + p\(n - 1) }\n")
    XCTAssertLessThan(seconds, Self.bound)
    // A duplicate among them is still found.
    let interp = Interpreter(output: { _ in })
    let errors = interp.check("fn f(\(params), p7) { p0 }", name: "dup.meta")
    XCTAssertEqual(errors.map(\.message), ["duplicate parameter 'p7'"])
  }

  func testFiftyThousandNamedArguments() throws {
    let n = 50_000
    let args = (0..<n).map { "a\($0): \($0)" }.joined(separator: ", ")
    let seconds = compileTime("fn f(x) { x }\nlet g = fn() { f(1, \(args)) }\n")
    XCTAssertLessThan(seconds, Self.bound)
    let interp = Interpreter(output: { _ in })
    XCTAssertEqual(interp.check("f(\(args), a9: 1)", name: "dup.meta").map(\.message), ["duplicate argument 'a9'"])
  }

  /// Binding many named arguments to many parameters at run time is linear too.
  func testNamedArgumentsBindInLinearTime() throws {
    let n = 50_000
    let params = (0..<n).map { "p\($0)" }.joined(separator: ", ")
    let args = (0..<n).reversed().map { "p\($0): \($0)" }.joined(separator: ", ")
    let interp = Interpreter(output: { _ in })
    let start = Date()
    let v = try interp.evaluate("fn f(\(params)) { p0 + p\(n - 1) }\nf(\(args))")
    XCTAssertEqual(v.description, "\(n - 1)")
    XCTAssertLessThan(Date().timeIntervalSince(start), Self.bound)
  }

  func testThreeHundredThousandKeyRecord() throws {
    let n = 300_000
    let fields = (0..<n).map { "k\($0): \($0)" }.joined(separator: ", ")
    let seconds = compileTime("let r = {\(fields)}\n")
    XCTAssertLessThan(seconds, Self.bound)
    XCTAssertEqual(
      Interpreter(output: { _ in }).check("let r = {k1: 0, k5: 0, k5: 1}", name: "dup.meta").map(\.message),
      ["duplicate key 'k5' in record"])
  }

  /// A record literal is built without a lookup per key (quadratic in its size).
  func testLargeRecordLiteralBuildsInLinearTime() throws {
    let n = 30_000
    let fields = (0..<n).map { "k\($0): \($0)" }.joined(separator: ", ")
    let interp = Interpreter(output: { _ in })
    let start = Date()
    XCTAssertEqual(try interp.evaluate("let r = {\(fields)}\n[len(r), r.k\(n - 1)]").description, "[\(n), \(n - 1)]")
    XCTAssertLessThan(Date().timeIntervalSince(start), Self.bound)
  }

  /// The time limit starts before compiling: a program too big to parse in time ends
  /// with the limit error soon after the limit, not after its whole parse.
  func testTimeLimitBoundsCompilation() throws {
    // Two million statements: about 8 s to compile in a debug build.
    let source = String(repeating: "x = [1, 2]\n", count: 2_000_000)
    for limit in [0.05, 0.3] {
      let interp = Interpreter(output: { _ in })
      interp.limits.maxSeconds = limit
      let start = Date()
      XCTAssertThrowsError(try interp.evaluate("var x = 0\n" + source, name: "huge.meta")) { error in
        guard let e = error as? MetaError else { return XCTFail("not a MetaError: \(error)") }
        XCTAssertEqual(e.kind, .limit)
        XCTAssertEqual(e.message, "time limit exceeded (\(formatFloat(limit)) seconds)")
        XCTAssertEqual(e.file, "huge.meta")
        XCTAssertGreaterThan(e.loc.line, 1)
      }
      XCTAssertLessThan(Date().timeIntervalSince(start), limit + 1.5)
      // Nothing of the stopped program was declared; the interpreter still works.
      XCTAssertEqual(try interp.evaluate("var x = 5\nx + 1").description, "6")
    }
  }

  /// Ctrl-C stops a long compilation too.
  func testInterruptStopsCompilation() {
    let source = String(repeating: "x = [1, 2]\n", count: 2_000_000)
    let interp = Interpreter(output: { _ in })
    let flag = interp.interruptFlag
    DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { flag.raise() }
    let start = Date()
    XCTAssertThrowsError(try interp.evaluate("var x = 0\n" + source)) { error in
      XCTAssertEqual((error as? MetaError)?.kind, .interrupt)
    }
    XCTAssertLessThan(Date().timeIntervalSince(start), 2)
  }
}
