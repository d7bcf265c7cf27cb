// Costly steps and the limits (issue 13): the time limit and Ctrl-C were polled every
// 1,024 steps whatever a step cost, so a loop of O(n) string builtins ran minutes past a
// 1-second limit; `len`, `s[i]` and slices were O(n), `find` quadratic.

import Foundation
import XCTest

@testable import MetaLang

final class CostTests: XCTestCase {
  /// Runs `source` under a time limit of `limit` seconds; returns the error (if any)
  /// and the seconds it took.
  func run(_ source: String, limit: Double = 1) -> (error: MetaError?, seconds: Double) {
    let interp = Interpreter(output: { _ in })
    interp.limits.maxSeconds = limit
    let start = Date()
    do {
      try interp.evaluate(source)
      return (nil, Date().timeIntervalSince(start))
    } catch {
      XCTAssertTrue(error is MetaError, "\(error)")
      return (error as? MetaError, Date().timeIntervalSince(start))
    }
  }

  func assertTimeLimit(_ source: String, file: StaticString = #filePath, line: UInt = #line) {
    let (error, seconds) = run(source)
    XCTAssertEqual(error?.message, "time limit exceeded (1.0 seconds)", file: file, line: line)
    XCTAssertEqual(error?.kind, .limit, file: file, line: line)
    XCTAssertLessThan(seconds, 2.5, file: file, line: line)
  }

  /// One builtin that runs for seconds (decoding Omniglot's 32,460 PNGs, about 20 s in a
  /// debug build) stops at the deadline, between images. Needs the real archives.
  func testOmniglotDecodingStopsAtTheDeadline() throws {
    let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    let root = repo.deletingLastPathComponent().appendingPathComponent("shared/data/omniglot").path
    guard FileManager.default.fileExists(atPath: root + "/images_background.zip") else {
      throw XCTSkip("Omniglot archives not found at \(root)")
    }
    assertTimeLimit("omniglot(root: \"\(root)\", cache: false)")
  }

  // MARK: The programs, under a 1-second limit

  func testLenOfALongStringIsConstantTime() {
    let (error, seconds) = run("let s = \"a\" * 10000000\nfor i in range(1024) { len(s) }\nlen(s)")
    XCTAssertNil(error)
    XCTAssertLessThan(seconds, 1)
    assertTimeLimit("let s = \"a\" * 10000000\nwhile true { len(s) }")
  }

  func testFindIsLinear() throws {
    let (error, seconds) = run("assert (\"a\" * 10000000).find(\"a\" * 5000000 + \"b\") == -1")
    XCTAssertNil(error)
    XCTAssertLessThan(seconds, 1)
    for method in ["contains", "split", "replace"] {
      let args = method == "replace" ? "\"a\" * 5000 + \"b\", \"x\"" : "\"a\" * 5000 + \"b\""
      let (error, seconds) = run("(\"a\" * 10000000).\(method)(\(args))")
      XCTAssertNil(error, method)
      XCTAssertLessThan(seconds, 1, method)
    }
  }

  func testIndexingAndSlicingALongStringAreConstantTime() {
    let (error, seconds) = run(
      """
      let s = "a" * 5000000 + "é" * 2500000
      var n = 0
      for i in range(0, 7500000, 997) { n += len(s[i]) + len(s[i:i + 3]) }
      assert n == \(4 * ((7_500_000 + 996) / 997))
      """)
    XCTAssertNil(error)
    XCTAssertLessThan(seconds, 1)
  }

  /// Steps that stay costly (a 10 MB copy each) are stopped at the next step after
  /// the deadline, not 1,024 steps later: the deadline's timer pokes the schedule.
  func testCostlyStepsStopSoonAfterTheDeadline() {
    assertTimeLimit("let s = \"a\" * 10000000\nwhile true { s.upper() }")
    assertTimeLimit("let s = \"a\" * 9999999\nwhile true { s + \"b\" }")
    assertTimeLimit("let xs = [0] * 10000000\nwhile true { xs.copy() }")
  }

  func testInterruptStopsCostlySteps() {
    let interp = Interpreter(output: { _ in })
    let flag = interp.interruptFlag
    DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { flag.raise() }
    let start = Date()
    XCTAssertThrowsError(try interp.evaluate("let s = \"a\" * 10000000\nwhile true { s.lower() }")) {
      XCTAssertEqual(($0 as? MetaError)?.kind, .interrupt)
    }
    XCTAssertLessThan(Date().timeIntervalSince(start), 1.5)
  }

  /// A limit error a script catches is raised again at its next step.
  func testCaughtTimeLimitRecurs() {
    let (error, seconds) = run("var n = 0\nwhile true { try { while true {} } catch e { n += 1 } }")
    XCTAssertEqual(error?.message, "time limit exceeded (1.0 seconds)")
    XCTAssertLessThan(seconds, 2.5)
  }

  // MARK: Work counts as steps

  /// `workPerStep` units of a builtin's work count as one step: at the bound and over it.
  func testWorkCountsAgainstTheStepLimit() throws {
    let w = Interpreter.workPerStep
    func steps(_ source: String, max: Int) -> String? {
      let interp = Interpreter(output: { _ in })
      interp.limits.maxSteps = max
      do { try interp.evaluate(source); return nil } catch { return (error as? MetaError)?.message }
    }
    // Building the string charges 1,000 steps, `upper` another 1,000.
    let source = "(\"a\" * \(1000 * w)).upper()"
    XCTAssertNil(steps(source, max: 2000))
    XCTAssertEqual(steps(source, max: 1999), "step limit exceeded (1999 steps)")
    // Reported at the builtin's call site, as its own errors are.
    let interp = Interpreter(output: { _ in })
    interp.limits.maxSteps = 1500
    XCTAssertThrowsError(try interp.evaluate("let s = \"a\" * \(1000 * w)\nlet t = s.upper()")) { error in
      XCTAssertEqual((error as? MetaError)?.message, "step limit exceeded (1500 steps)")
      XCTAssertEqual((error as? MetaError)?.loc, SourceLoc(line: 2, column: 11))
    }
    // Without the charge a 10 MB string cost one step; now 156,250.
    XCTAssertEqual(steps("(\"a\" * 10000000).find(\"b\")", max: 100_000), "step limit exceeded (100000 steps)")
  }

  /// The collection builtins charge the elements they walk: a loop of `sum` over a
  /// million-element list is a million / workPerStep steps per call, not one.
  func testCollectionBuiltinsChargeTheirElements() throws {
    let n = 1000 * Interpreter.workPerStep
    for call in ["sum(xs)", "sorted(xs)", "reversed(xs)", "min(xs)", "max(xs)", "any(xs)", "all(xs)",
                 "enumerate(xs)", "zip(xs, xs)"] {
      let interp = Interpreter(output: { _ in })
      try interp.evaluate("let xs = range(\(n))")
      // Twenty calls are at least 20,000 steps of work (a few dozen uncharged).
      interp.limits.maxSteps = 19_000
      XCTAssertThrowsError(try interp.evaluate("for i in range(20) { \(call) }"), call) { error in
        XCTAssertEqual((error as? MetaError)?.message, "step limit exceeded (19000 steps)", call)
      }
    }
  }

  // MARK: String positions

  /// Every length, index and slice of assorted strings (short and long, ASCII and not,
  /// with "\r\n" and combining marks) agrees with a walk over `Array(s)`.
  func testStringLayoutAgreesWithCharacters() throws {
    let pieces = ["a", "b", "é", "e\u{301}", "\r\n", "\r", "\n", "🙂", "👩‍👩‍👧", "z", "-"]
    var rng = SystemRandomNumberGenerator()
    let interp = Interpreter(output: { _ in })
    for length in [0, 1, 5, 63, 64, 65, 300, 1000] {
      for asciiOnly in [true, false] {
        let s = (0..<length).map { _ in asciiOnly ? ["a", "b", "-"].randomElement(using: &rng)! : pieces.randomElement(using: &rng)! }.joined()
        let chars = Array(s)
        interp[global: "s"] = .string(s)
        XCTAssertEqual(try interp.evaluate("len(s)").description, "\(chars.count)")
        for _ in 0..<20 where !chars.isEmpty {
          let i = Int.random(in: -chars.count..<chars.count)
          XCTAssertEqual(Self.text(try interp.evaluate("s[\(i)]")), String(chars[i < 0 ? i + chars.count : i]))
        }
        for _ in 0..<20 {
          let a = Int.random(in: -length - 3...length + 3), b = Int.random(in: -length - 3...length + 3)
          let step = [1, 2, 3, 7, -1, -2, -5, 64].randomElement(using: &rng)!
          let expected = Self.slice(chars, a, b, step)
          XCTAssertEqual(
            Self.text(try interp.evaluate("s[\(a):\(b):\(step)]")), expected, "s[\(a):\(b):\(step)] of \(s.debugDescription)")
        }
      }
    }
  }

  static func text(_ v: Value) -> String? {
    if case .string(let s) = v { return s }
    return nil
  }

  /// Python's slice of an array of Characters.
  static func slice(_ c: [Character], _ a: Int, _ b: Int, _ step: Int) -> String {
    let n = c.count
    func adjust(_ v: Int) -> Int {
      if v < 0 { return v < -n ? (step < 0 ? -1 : 0) : v + n }
      return v >= n ? (step < 0 ? n - 1 : n) : v
    }
    return String(stride(from: adjust(a), to: adjust(b), by: step).map { c[$0] })
  }

  /// Strings shorter than `stringLayoutMinBytes` are walked, longer ones keep a layout:
  /// both agree at the bound, ASCII or not.
  func testLayoutBound() throws {
    let n = Interpreter.stringLayoutMinBytes
    let interp = Interpreter(output: { _ in })
    for s in [String(repeating: "a", count: n - 1), String(repeating: "a", count: n),
              String(repeating: "a", count: n - 3) + "é\r\n", String(repeating: "a", count: n - 2) + "é\r\n"] {
      interp[global: "s"] = .string(s)
      let chars = Array(s)
      let v = try interp.evaluate("[len(s), s[-1], s[-2], s[1:4], s[::-100], s.find(\"é\")]")
      let expected: [Value] = [
        .int(chars.count), .string(String(chars[chars.count - 1])), .string(String(chars[chars.count - 2])),
        .string("aaa"), .string(Self.slice(chars, -1, -chars.count - 1, -100)),
        .int(chars.firstIndex(of: "é") ?? -1),
      ]
      XCTAssertEqual(v.description, Value.list(expected).description, "\(s.utf8.count) bytes")
    }
  }

  /// More long strings than the layout slots, used in turn: evicted layouts are measured
  /// again, never confused with another string's.
  func testManyLongStringsInTurn() throws {
    let n = Interpreter.stringLayoutSlots + 2
    let interp = Interpreter(output: { _ in })
    let v = try interp.evaluate(
      """
      var xs = []
      for k in range(\(n)) { xs.append(str(k) * 300 + "é" * k) }
      var out = []
      for round in range(3) { for k in range(\(n)) { out.append(len(xs[k]) - 300 * len(str(k)) + xs[k].find("é")) } }
      out
      """)
    var once: [Int] = []
    for k in 0..<n {
      let found: Int = k == 0 ? -1 : 300 * String(k).count
      once.append(k + found)
    }
    XCTAssertEqual(v.description, "\(once + once + once)")
  }

  func testFindMatchesWholeCharacters() throws {
    let interp = Interpreter(output: { _ in })
    interp[global: "s"] = .string("x e\u{301} e a\r\nb" + String(repeating: "-", count: 300) + "e")
    // "e" inside "é" (e + combining accent) is not a match; "\n" inside "\r\n" is, as before.
    XCTAssertEqual(try interp.evaluate("[s.find(\"e\"), s.find(\"\\n\"), s.find(\"-e\"), len(s)]").description, "[4, 7, 308, 310]")
  }
}
