// Walks over data that shares storage: `for i in range(60) { x = [x, x] }` stores
// 61 lists that spell 2^60 paths. Every walk either is linear in what is stored
// (comparing, tree arithmetic, printing up to its cap) or refuses at once
// (`save`, `grad`, `tensor`) or counts its steps against the host's limits
// (`tree_map`): each ends quickly, under a host's step and time limits.

import Foundation
import XCTest

@testable import MetaLang

final class SharedDataTests: XCTestCase {
  /// x and y: equal, built apart; t: the same shape with a tensor at every leaf.
  let shared = """
    var x = [1]
    for i in range(60) { x = [x, x] }
    var y = [1]
    for i in range(60) { y = [y, y] }
    var t = [tensor(1.0)]
    for i in range(60) { t = [t, t] }
    fn last(v) { var w = v\nwhile type(w) == "List" { w = w[len(w) - 1] }\nw }
    """

  /// Each case: the program, what it gives (its value printed, or its error's message).
  let cases: [(String, String)] = [
    ("x == x", "true"),
    ("x == y", "true"),
    ("[x, 1] == [y, 2]", "false"),
    ("x <= y and not (x < y)", "true"),
    ("len(sorted([y, x, y]))", "3"),
    ("sorted([[y, 2], [x, 1]])[0][1]", "1"),
    ("[1, x].index(y)", "1"),
    ("len(x + x)", "4"),
    ("last(t + t)", "tensor(2.)"),
    ("last(t * 3 - t)", "tensor(2.)"),
    ("last(stop_gradient(t))", "tensor(1.)"),
    ("try { x + 1 } catch e { e.message }", "unsupported operand types for +: List and Int"),
    ("str(object(\"O\", {p: t}))", "O(p: <1152921504606846976 tensors, 1152921504606846976 values>)"),
    ("len(enumerate(x))", "2"),
    ("try { str(x) } catch e { e.message }", "string too large (more than 10000000 bytes)"),
    ("try { repr(t) } catch e { e.message }", "string too large (more than 10000000 bytes)"),
    ("try { \"{x}\" } catch e { e.message }", "string too large (more than 10000000 bytes)"),
    ("try { print(x) } catch e { e.message }", "string too large (more than 10000000 bytes)"),
    ("try { save(x, \"/nonexistent/x.safetensors\") } catch e { e.message }",
     "save: tree too large (more than 10000000 values)"),
    ("try { grad(fn(p) { last(p).sum() })(t) } catch e { e.message }",
     "grad: argument 1 is too large a tree (more than 10000000 values)"),
    ("try { tensor(x) } catch e { e.message }", "list too large (more than 10000000 elements)"),
    ("try { tree_map(fn(v) { v }, x) } catch e { e.message }", "step limit exceeded (100000 steps)"),
    ("try { tree_map(abs, x) } catch e { e.message }", "step limit exceeded (100000 steps)"),
  ]

  func testEveryWalkEndsQuicklyUnderTheHostsLimits() throws {
    let interp = Interpreter(output: { _ in })
    interp.limits = Interpreter.Limits(maxSteps: 100_000, maxSeconds: 60)
    try interp.evaluate(shared)
    for (source, expected) in cases {
      let start = Date()
      let result = try interp.evaluate(source)
      let seconds = Date().timeIntervalSince(start)
      print(String(format: "%6.3f s  %@", seconds, source))
      XCTAssertEqual(result.description, expected, source)
      XCTAssertLessThan(seconds, 10, source)
    }
  }

  /// The time limit stops a walk that counts its steps, with a limit error.
  func testTimeLimitStopsTreeMap() {
    let interp = Interpreter(output: { _ in })
    interp.limits = Interpreter.Limits(maxSeconds: 0.5)
    let start = Date()
    XCTAssertThrowsError(try interp.evaluate(shared + "\ntree_map(fn(v) { v }, x)")) { e in
      XCTAssertEqual((e as? MetaError)?.kind, .limit)
      XCTAssertEqual((e as? MetaError)?.message, "time limit exceeded (0.5 seconds)")
    }
    XCTAssertLessThan(Date().timeIntervalSince(start), 10)
  }

  /// Sharing is kept where a walk rebuilds: the result of tree arithmetic on shared
  /// sub-lists shares them too, so it stores about as many lists as its operands.
  func testTreeArithmeticKeepsSharing() throws {
    let interp = Interpreter(output: { _ in })
    try interp.evaluate(shared)
    for source in ["t + t", "t * 2", "stop_gradient(t)"] {
      var seen = Set<StorageKey>()
      var pending = [try interp.evaluate(source)]
      while let v = pending.popLast() {
        guard case .list(let items) = v, let key = v.storageKey, seen.insert(key).inserted else { continue }
        pending += items
      }
      // t stores 61 lists; the first containers of a walk are not memoized (each is redone once).
      XCTAssertLessThanOrEqual(seen.count, 61 + TreeWalk.unmemoized, source)
    }
  }

  /// Printing copies the text of a shared sub-list it already wrote: the same
  /// text as walking every path.
  func testPrintingSharedDataCopiesItsText() throws {
    let interp = Interpreter(output: { _ in })
    try interp.evaluate("var z = [1]\nfor i in range(12) { z = [z, {a: z, \"b c\": \"é\"}] }")
    // The same text as data without sharing (tree_map rebuilds every path).
    XCTAssertEqual(try interp.evaluate("str(z) == str(tree_map(fn(v) { v }, z))").description, "true")
    XCTAssertEqual(try interp.evaluate("repr(z) == repr(tree_map(fn(v) { v }, z))").description, "true")
  }
}
