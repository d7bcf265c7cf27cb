// Every limit, at its bound and one past it.

import Foundation
import XCTest

@testable import MetaLang

final class LimitTests: XCTestCase {
  /// Runs `source` and returns the error it raised, if any.
  func error(_ source: String, _ interp: Interpreter = Interpreter(output: { _ in })) -> MetaError? {
    do {
      try interp.evaluate(source)
      return nil
    } catch let e as MetaError {
      return e
    } catch {
      XCTFail("not a MetaError: \(error)")
      return nil
    }
  }

  let recurse = "fn f(n) { if n == 0 { 0 } else { 1 + f(n - 1) } }\n"

  func testCallDepthAtBound() throws {
    // The top level is depth 0, so maxCallDepth nested calls fit exactly.
    let interp = Interpreter(output: { _ in })
    let v = try interp.evaluate(recurse + "f(\(Interpreter.maxCallDepth - 1))")
    guard case .int(let n) = v else { return XCTFail("got \(v)") }
    XCTAssertEqual(n, Interpreter.maxCallDepth - 1)
  }

  func testCallDepthOverBound() {
    let e = error(recurse + "f(\(Interpreter.maxCallDepth))")
    XCTAssertEqual(e?.message, "stack overflow")
    XCTAssertEqual(e?.kind, .limit)
    // The traceback names the function.
    XCTAssertEqual(e?.stack.first?.function, "f")
  }

  func testStackOverflowIsCatchable() throws {
    let interp = Interpreter(output: { _ in })
    let v = try interp.evaluate("fn g() { g() }\ntry { g() } catch e { e.message }")
    guard case .string(let s) = v else { return XCTFail("got \(v)") }
    XCTAssertEqual(s, "stack overflow")
    // Still usable afterwards, with the frames unwound.
    let w = try interp.evaluate(recurse + "f(10)")
    guard case .int(10) = w else { return XCTFail("got \(w)") }
  }

  /// A Meta call's native stack use in this (debug or release) build, measured, and
  /// checked against the evaluation thread's stack with a wide margin.
  func testNativeStackPerCall() throws {
    let interp = Interpreter(output: { _ in })
    var addresses: [Int] = []
    interp.register("mark") { _ in
      var local = 0
      withUnsafeMutablePointer(to: &local) { addresses.append(Int(bitPattern: $0)) }
      return .int(0)
    }
    let depth = 1000
    try interp.evaluate(
      "fn down(n) { if n == 0 { mark() } else { 1 + down(n - 1) } }\nmark()\ndown(\(depth))")
    XCTAssertEqual(addresses.count, 2)
    let perCall = abs(addresses[0] - addresses[1]) / depth
    print("native stack per Meta call: \(perCall) bytes")
    XCTAssertGreaterThan(perCall, 0)
    // Deep expressions inside each frame use more; keep a factor of 8 in reserve.
    XCTAssertLessThan(perCall * Interpreter.maxCallDepth * 8, Interpreter.evaluationStackSize)
  }

  func testValueStackOverflow() {
    // A function with many locals runs out of value-stack slots before maxCallDepth.
    let locals = (0..<200).map { "let v\($0) = n" }.joined(separator: "\n")
    let program = "fn big(n) {\n\(locals)\nif n == 0 { 0 } else { big(n - 1) } }\n"
    let framesThatFit = Interpreter.valueStackSize / 201
    XCTAssertLessThan(framesThatFit, Interpreter.maxCallDepth)
    XCTAssertNil(error(program + "big(\(framesThatFit - 10))"))
    XCTAssertEqual(error(program + "big(\(framesThatFit + 10))")?.message, "stack overflow")
  }

  func testStepLimitAtAndOverBound() {
    let interp = Interpreter(output: { _ in })
    interp.limits.maxSteps = 100
    // Each loop iteration is one step.
    XCTAssertNil(error("var i = 0\nwhile i < 100 { i += 1 }", interp))
    let e = error("var i = 0\nwhile i < 101 { i += 1 }", interp)
    XCTAssertEqual(e?.message, "step limit exceeded (100 steps)")
    XCTAssertEqual(e?.kind, .limit)
    // Calls count too: 50 calls plus 50 iterations.
    XCTAssertNil(error("fn h() { nil }\nfor i in range(50) { h() }", interp))
    XCTAssertNotNil(error("fn h() { nil }\nfor i in range(51) { h() }", interp))
    // The budget is per top-level evaluation.
    XCTAssertNil(error("var i = 0\nwhile i < 100 { i += 1 }", interp))
  }

  func testStepLimitIsCatchable() throws {
    let interp = Interpreter(output: { _ in })
    interp.limits.maxSteps = 1000
    let v = try interp.evaluate("try { while true {} } catch e { e.message }")
    guard case .string(let s) = v else { return XCTFail("got \(v)") }
    XCTAssertEqual(s, "step limit exceeded (1000 steps)")
  }

  func testTimeLimit() {
    let interp = Interpreter(output: { _ in })
    interp.limits.maxSeconds = 0.2
    let start = Date()
    let e = error("while true {}", interp)
    XCTAssertEqual(e?.message, "time limit exceeded (0.2 seconds)")
    XCTAssertEqual(e?.kind, .limit)
    XCTAssertLessThan(Date().timeIntervalSince(start), 5)
    // Within the limit a program runs normally.
    XCTAssertNil(error("var i = 0\nwhile i < 1000 { i += 1 }", interp))
  }

  func testInterruptIsNotCatchable() {
    let interp = Interpreter(output: { _ in })
    let flag = interp.interruptFlag
    DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { flag.raise() }
    let e = error("var caught = false\ntry { while true {} } catch e { caught = true }", interp)
    XCTAssertEqual(e?.kind, .interrupt)
    XCTAssertEqual(e?.message, "interrupted")
    // The flag does not leak into the next evaluation.
    XCTAssertNil(error("var i = 0\nwhile i < 10000 { i += 1 }", interp))
  }

  func testCollectionSizeAtAndOverBound() {
    let n = Interpreter.maxCollectionSize
    XCTAssertNil(error("let s = \"a\" * \(n)"))
    XCTAssertEqual(error("let s = \"a\" * \(n + 1)")?.message, "string too large (more than \(n) bytes)")
    XCTAssertEqual(error("let s = \"ab\" * \(Int.max)")?.message, "string too large (more than \(n) bytes)")
    XCTAssertNil(error("let r = len(range(\(n)))"))
    XCTAssertEqual(error("range(\(n + 1))")?.message, "list too large (more than \(n) elements)")
    XCTAssertEqual(error("[0] * \(n + 1)")?.message, "list too large (more than \(n) elements)")
    XCTAssertEqual(error("range(-\(Int.max) - 1, \(Int.max))")?.message, "list too large (more than \(n) elements)")
  }

  /// Text a script builds by joining or printing is held to the same cap, checked
  /// before the text is built.
  func testBuiltTextAtAndOverBound() {
    let n = Interpreter.maxCollectionSize
    let interp = Interpreter(output: { _ in })
    let big = "string too large (more than \(n) bytes)"
    // join: the parts and the separators count.
    XCTAssertNil(error("let s = \"-\".join([\"a\" * \(n / 2), \"b\" * \(n / 2 - 1)])\nassert len(s) == \(n)", interp))
    XCTAssertEqual(error("\"-\".join([\"a\" * \(n / 2), \"b\" * \(n / 2)])", interp)?.message, big)
    XCTAssertEqual(error("\"\".join([\"x\" * 10000000] * 1000)", interp)?.message, big)
    // str, repr, print and interpolation of a container: `["` + s + `"]` is len(s) + 4 bytes.
    XCTAssertNil(error("let at = [\"x\" * \(n - 4)]\nlet over = [\"x\" * \(n - 3)]", interp))
    for (show, at) in [("str", "at"), ("repr", "at"), ("print", "at"), ("", "\"{at}\"")] {
      let call = show.isEmpty ? at : "\(show)(\(at))"
      let overCall = show.isEmpty ? "\"{over}\"" : "\(show)(over)"
      XCTAssertNil(error(call, interp), call)
      XCTAssertEqual(error(overCall, interp)?.message, big, overCall)
    }
    XCTAssertEqual(error("print([\"x\" * 10000000] * 1000)", interp)?.message, big)
    XCTAssertEqual(error("repr(\"x\" * \(n - 1))", interp)?.message, big)
    XCTAssertNil(error("assert len(repr(\"x\" * \(n - 2))) == \(n)", interp))
    // A host reading the text gets it cut off with "..." instead.
    let value = (try? interp.evaluate("over")) ?? .nil_
    XCTAssertEqual(value.description.utf8.count, n + 3)
    XCTAssertTrue(value.description.hasSuffix("xx\"..."))
  }

  func testTolistAtAndOverBound() {
    let n = Interpreter.maxCollectionSize
    let list = "list too large (more than \(n) elements)"
    XCTAssertNil(error("assert len(ones([1]).expand([\(n)]).tolist()) == \(n)"))
    XCTAssertEqual(error("ones([1]).expand([\(n + 1)]).tolist()")?.message, list)
    // Every level counts, checked before anything is copied: 10^9 elements are refused at once.
    XCTAssertEqual(error("ones([1, 1]).expand([\(n / 2 + 1), 2]).tolist()")?.message, list)
    XCTAssertEqual(error("ones([1]).expand([1000000000]).tolist()")?.message, list)
  }

  func testRankCapReachesTheLanguage() {
    XCTAssertNil(error("assert ones([1] * 64).ndim == 64\nassert len(str(ones([1] * 64).tolist())) == 64 * 2 + 3"))
    XCTAssertEqual(error("ones([1] * 100000).tolist()")?.message, "ones: 100000 dimensions (at most 64 are supported)")
    XCTAssertEqual(error("ones([1] * 65)")?.message, "ones: 65 dimensions (at most 64 are supported)")
    XCTAssertEqual(error("ones([1] * 64).reshape([1] * 65)")?.message, "reshape: 65 dimensions (at most 64 are supported)")
    XCTAssertEqual(error("ones([1] * 64).unsqueeze(0)")?.message, "unsqueeze: 65 dimensions (at most 64 are supported)")
    XCTAssertEqual(error("ones([1]).expand([1] * 65)")?.message, "expand: 65 dimensions (at most 64 are supported)")
    // tensor(nested lists): the nesting is the rank.
    XCTAssertNil(error("var x = 1.0\nfor i in range(64) { x = [x] }\nassert tensor(x).ndim == 64"))
    XCTAssertEqual(
      error("var x = 1.0\nfor i in range(65) { x = [x] }\ntensor(x)")?.message,
      "tensor: lists nested more than 64 deep (a tensor has at most 64 dimensions)")
  }

  func testLabelAtAndOverBound() {
    let n = MetaDataset.maxLabel
    XCTAssertNil(error("dataset(ones([2, 1]), [0, \(n)])"))
    XCTAssertEqual(
      error("dataset(ones([2, 1]), [0, \(n + 1)])")?.message,
      "dataset: label \(n + 1).0 at position 1 is not a class id in 0...\(n)")
  }

  func testFormatWidthAtAndOverBound() {
    XCTAssertNil(error("assert len(\"{1:\(maxFormatWidth)}\") == \(maxFormatWidth)"))
    XCTAssertNotNil(error("\"{1:\(maxFormatWidth + 1)}\""))
  }

  func testPlotPointsAtAndOverBound() {
    func series(_ n: Int) -> PlotSeries {
      PlotSeries(name: "s", xs: (0..<n).map(Double.init), ys: (0..<n).map { Double($0 % 7) })
    }
    let n = PlotData.maxPointsPerSeries
    XCTAssertEqual(PlotData.thinned(series(n)).ys.count, n, "kept as it is")
    XCTAssertLessThan(PlotData.thinned(series(n + 1)).ys.count, n + 1, "thinned")
  }
}
