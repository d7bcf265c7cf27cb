// The REPL driven through a pipe: no prompts, values printed with their quoted
// form, errors on stderr, state kept across inputs.

import XCTest

final class REPLPipeTests: XCTestCase {
  func testExpressionsPrintTheirQuotedValueAndNilPrintsNothing() throws {
    let result = try MetaProcess.run([], stdin: "1 + 2\n\"hi\"\nnil\n[1, \"a\"]\nprint(\"raw\")\n")
    XCTAssertEqual(result.stderr, "")
    XCTAssertEqual(result.status, 0)
    XCTAssertEqual(result.stdout, "3\n\"hi\"\n[1, \"a\"]\nraw\n")
  }

  func testStatePersistsAndStatementsPrintNothing() throws {
    let result = try MetaProcess.run([], stdin: "let x = 5\nvar total = x\ntotal += 10\ntotal * 2\n")
    XCTAssertEqual(result.stdout, "30\n")
    XCTAssertEqual(result.status, 0)
  }

  func testMultiLineInputIsAccumulated() throws {
    let input = "fn triple(a) {\n  let t = a * 3\n\n  t\n}\ntriple(4)\nlet xs = [1,\n  2,\n  3]\nlen(xs)\n"
    let result = try MetaProcess.run([], stdin: input)
    XCTAssertEqual(result.stderr, "")
    XCTAssertEqual(result.stdout, "12\n3\n")
  }

  func testAnErrorDoesNotEndTheSession() throws {
    let result = try MetaProcess.run([], stdin: "let y = 1\nerror(\"oops\")\ny + 1\n")
    XCTAssertEqual(result.stdout, "2\n")
    XCTAssertTrue(result.stderr.hasPrefix("<repl>:1:"), result.stderr)
    XCTAssertTrue(result.stderr.contains("error: oops\n    error(\"oops\")\n"), result.stderr)
    XCTAssertEqual(result.status, 1, "a scripted session with an error exits 1")
  }

  func testCtrlCInterruptsTheEvaluationNotTheSession() throws {
    let result = try MetaProcess.run([], stdin: "while true { }\n1 + 1\n", interruptAfter: 1.5)
    XCTAssertEqual(result.stdout, "2\n")
    XCTAssertTrue(result.stderr.hasPrefix("<repl>:1:"), result.stderr)
    XCTAssertTrue(result.stderr.contains("interrupt"), result.stderr)
    XCTAssertEqual(result.status, 1)
  }

  func testUnfinishedInputAtEndIsAnError() throws {
    let result = try MetaProcess.run([], stdin: "1\n(2 +\n")
    XCTAssertEqual(result.stdout, "1\n")
    XCTAssertTrue(result.stderr.contains("error:"), result.stderr)
    XCTAssertEqual(result.status, 1)
  }

  func testTypeCommand() throws {
    let result = try MetaProcess.run([], stdin: ":type 1.5\n:type [1]\nlet r = {a: 1}\n:type r\n:ty \"s\"\n")
    XCTAssertEqual(result.stderr, "")
    XCTAssertEqual(result.stdout, "Float\nList\nRecord\nString\n")
  }

  func testTimeCommandPrintsValueAndElapsedTime() throws {
    let result = try MetaProcess.run([], stdin: ":time 2 + 3\n")
    XCTAssertEqual(result.stderr, "")
    let lines = result.stdout.split(separator: "\n").map(String.init)
    XCTAssertEqual(lines.first, "5")
    let time = lines.count > 1 ? lines[1] : ""
    XCTAssertNotNil(time.range(of: #"^time: [0-9.]+ (µs|ms|s)$"#, options: .regularExpression), time)
  }

  func testLoadRunsAFileInTheSession() throws {
    let dir = try TemporaryDirectory()
    let lib = dir.write("lib.meta", "let loaded = 41\nfn bump(v) { v + 1 }\n")
    let result = try MetaProcess.run([], stdin: ":load \(lib.path)\nbump(loaded)\n:load \(dir.path("none.meta"))\n")
    XCTAssertEqual(result.stdout, "42\n")
    XCTAssertEqual(result.stderr, "meta: cannot open '\(dir.path("none.meta"))' (No such file or directory)\n")
    XCTAssertEqual(result.status, 1)
  }

  func testQuitStopsReading() throws {
    let result = try MetaProcess.run([], stdin: "1\n:quit\n2\n")
    XCTAssertEqual(result.stdout, "1\n")
    XCTAssertEqual(result.status, 0)
  }

  func testHelpAndUnknownCommands() throws {
    let result = try MetaProcess.run([], stdin: ":help\n:frobnicate\n")
    XCTAssertTrue(result.stdout.contains(":type <expr>"), result.stdout)
    XCTAssertTrue(result.stdout.contains(":load <file>"), result.stdout)
    XCTAssertTrue(result.stderr.contains("unknown command ':frobnicate'"), result.stderr)
    XCTAssertEqual(result.status, 1)
  }

  func testAmbiguousCommandListsTheCandidates() throws {
    let result = try MetaProcess.run([], stdin: ":t 1 + 1\n:ty 1 + 1\n")
    XCTAssertTrue(result.stderr.contains("ambiguous command ':t' (could be :type or :time)"), result.stderr)
    XCTAssertEqual(result.stdout, "Int\n")
  }

  /// `:doc x` is `help(x)`: a builtin's reference entry, a stdlib function's
  /// signature and comment, a method through its receiver.
  func testDocShowsSignaturesAndDocumentation() throws {
    let result = try MetaProcess.run([], stdin: ":doc nll_loss\n:d sgd\nlet t = zeros([2])\n:doc t.logsumexp\n:doc\n")
    XCTAssertTrue(result.stdout.hasPrefix("nll_loss("), result.stdout)
    XCTAssertTrue(result.stdout.contains("\n(docs/tensors.md)\nsgd(lr = 0.01, momentum = 0.0, weight_decay = 0.0"), result.stdout)
    XCTAssertTrue(result.stdout.contains("\nlogsumexp(x, axis: nil, keepdims: false)\n"), result.stdout)
    XCTAssertTrue(result.stderr.contains("usage: :doc <name>"), result.stderr)
  }
}
