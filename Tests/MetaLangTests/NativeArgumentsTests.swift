// A host's functions and objects read their arguments with the same checks and
// messages as the builtins (`ArgumentReader`).

import MetaLang
import XCTest

/// A native object whose call and method read their arguments with the reader.
final class Counter: NativeCallable, NativeMethods {
  var typeName: String { "Counter" }
  var description: String { "<Counter>" }
  func call(_ arguments: NativeArguments) throws -> Value {
    try arguments.expect(1)
    return .int(try arguments.int(0))
  }
  func callMethod(_ name: String, _ arguments: NativeArguments) throws -> Value? {
    guard name == "add" else { return nil }
    try arguments.checkLabels(["times"])
    try arguments.expect(1...2)
    let times = arguments.named("times").flatMap { if case .int(let n) = $0 { n } else { nil } } ?? 1
    return .int((try arguments.int(0) + (arguments.count == 2 ? try arguments.int(1) : 0)) * times)
  }
}

final class NativeArgumentsTests: XCTestCase {
  let interp = Interpreter(output: { _ in })

  func message(_ source: String) -> String? {
    do {
      _ = try interp.evaluate(source)
      return nil
    } catch let e as MetaError {
      return e.message
    } catch {
      return "\(error)"
    }
  }

  func testHostFunctionReadsTypedArguments() throws {
    interp.register("host_scale") { args in
      try args.checkLabels(["by"])
      try args.expect(1)
      let by = args.named("by").map { if case .float(let f) = $0 { f } else { 1 } } ?? 2
      return .float(try args.number(0) * by)
    }
    guard case .float(let x) = try interp.evaluate("host_scale(3)") else { return XCTFail("not a Float") }
    XCTAssertEqual(x, 6)
    guard case .float(let y) = try interp.evaluate("host_scale(3, by: 0.5)") else { return XCTFail("not a Float") }
    XCTAssertEqual(y, 1.5)
    XCTAssertEqual(message("host_scale(\"x\")"), "bad argument #1 to 'host_scale' (number expected, got String)")
    XCTAssertEqual(message("host_scale()"), "wrong number of arguments to 'host_scale' (expected 1, got 0)")
    XCTAssertEqual(message("host_scale(1, times: 2)"), "unknown argument 'times' to 'host_scale' (valid: by)")
  }

  func testMissingArgumentIsAnErrorNotATrap() {
    interp.register("host_second") { args in .int(try args.int(1)) }
    XCTAssertEqual(message("host_second(1)"), "bad argument #2 to 'host_second' (Int expected, got no value)")
    XCTAssertEqual(message("host_second(1, \"x\")"), "bad argument #2 to 'host_second' (Int expected, got String)")
    let none = NativeArguments(positional: [])
    XCTAssertThrowsError(try none.int(0))
    XCTAssertThrowsError(try none.number(-1))
    XCTAssertThrowsError(try none.string(3))
    XCTAssertThrowsError(try none.list(0))
    XCTAssertThrowsError(try none.record(0))
    XCTAssertThrowsError(try none.callable(0))
  }

  func testTypedAccessors() throws {
    let args = NativeArguments(
      positional: [.int(1), .float(2.5), .string("s"), .list([.int(1)]), .record(Record([("a", .int(1))]))],
      named: [("by", .int(2))], function: "f")
    XCTAssertEqual(args.count, 5)
    XCTAssertEqual(try args.int(0), 1)
    XCTAssertEqual(try args.number(0), 1.0)
    XCTAssertEqual(try args.number(1), 2.5)
    XCTAssertEqual(try args.string(2), "s")
    XCTAssertEqual(try args.list(3).count, 1)
    XCTAssertEqual(try args.record(4).keys, ["a"])
    XCTAssertNotNil(args.named("by"))
    XCTAssertNil(args.named("to"))
    XCTAssertThrowsError(try args.int(1))
    XCTAssertThrowsError(try args.callable(0))
    XCTAssertThrowsError(try args.expect(0...4))
    XCTAssertNoThrow(try args.expect(5))
    XCTAssertNoThrow(try args.checkLabels(["by"]))
    XCTAssertThrowsError(try args.checkLabels([]))
    // The old initializer still works; the name defaults to Lua's "?".
    XCTAssertEqual(NativeArguments(positional: [], named: []).function, "?")
  }

  func testNativeObjectsReadTheirArgumentsLikeBuiltins() throws {
    interp.define("c", .native(Counter()))
    guard case .int(let n) = try interp.evaluate("c.add(2, 3, times: 2)") else { return XCTFail("not an Int") }
    XCTAssertEqual(n, 10)
    XCTAssertEqual(message("c.add(\"x\")"), "bad argument #1 to 'add' (Int expected, got String)")
    XCTAssertEqual(message("c.add(1, by: 2)"), "unknown argument 'by' to 'add' (valid: times)")
    XCTAssertEqual(message("c.add()"), "wrong number of arguments to 'add' (expected 1 to 2, got 0)")
    XCTAssertEqual(message("c(1.5)"), "bad argument #1 to 'Counter' (Int expected, got Float)")
  }
}
