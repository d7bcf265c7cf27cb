// `meta check FILE...`: parse and resolve only, every error of every file.

import XCTest

final class CheckTests: XCTestCase {
  func testReportsEveryErrorOfEveryFile() throws {
    let dir = try TemporaryDirectory()
    // Two independent errors found before running: assigning to constants.
    let a = dir.write("a.meta", "let k = 1\nk = 2\nlet j = 3\nj += 4\n")
    // A syntax error.
    let b = dir.write("b.meta", "print(\"fine\")\nlet = 5\n")
    // A clean file.
    let c = dir.write("c.meta", "let z = 1\nprint(z)\n")
    let result = try MetaProcess.run(["check", a.path, b.path, c.path])
    XCTAssertEqual(result.status, 1)
    XCTAssertEqual(result.stdout, "", "check runs nothing")
    let headlines = result.stderr.split(separator: "\n").filter { $0.contains(": error: ") }
    XCTAssertTrue(headlines.contains { $0.hasPrefix("\(a.path):2:") }, result.stderr)
    XCTAssertTrue(headlines.contains { $0.hasPrefix("\(a.path):4:") }, result.stderr)
    XCTAssertTrue(headlines.contains { $0.hasPrefix("\(b.path):2:") }, result.stderr)
    XCTAssertFalse(result.stderr.contains(c.path), result.stderr)
    // Each error shows its source line.
    XCTAssertTrue(result.stderr.contains("\n    k = 2\n"), result.stderr)
    XCTAssertTrue(result.stderr.contains("\n    let = 5\n"), result.stderr)
  }

  func testCleanFilesPassWithoutRunning() throws {
    let dir = try TemporaryDirectory()
    let a = dir.write("a.meta", "fn f(x) { x * 2 }\nprint(f(2))\nerror(\"only at run time\")\n")
    let result = try MetaProcess.run(["check", a.path])
    XCTAssertEqual(result.status, 0, result.stderr)
    XCTAssertEqual(result.stdout, "")
    XCTAssertEqual(result.stderr, "")
  }

  /// As pyflakes: a name read but declared nowhere (a typo on the last line
  /// of a long script) is reported before anything runs, once per name; names
  /// declared later in the file, builtins, the prelude, imports and `args` are not.
  func testReportsNamesUsedButNeverDefined() throws {
    let dir = try TemporaryDirectory()
    let a = dir.write("a.meta", """
      import nn
      fn f(x) { x + later + missing }
      let later = 2
      print(f(1), maml, nn.mlp([1, 1]), args, pi)
      for i in range(2) { print(i, missing, tensr([1]), latr) }
      optim.adam(lr: 0.1)

      """)
    let result = try MetaProcess.run(["check", a.path])
    XCTAssertEqual(result.status, 1)
    XCTAssertEqual(result.stdout, "")
    let headlines = result.stderr.split(separator: "\n").filter { $0.contains(": error: ") }
    XCTAssertEqual(headlines, [
      "\(a.path):2:23: error: undefined name 'missing' (no let, var, fn or import declares it)",
      "\(a.path):5:39: error: undefined name 'tensr' (did you mean 'tensor'?; no let, var, fn or import declares it)",
      // A name the program declares further down counts as close too.
      "\(a.path):5:51: error: undefined name 'latr' (did you mean 'later'?; no let, var, fn or import declares it)",
      "\(a.path):6:1: error: undefined name 'optim' (a stdlib module: add 'import optim'; no let, var, fn or import declares it)",
    ], result.stderr)
  }

  func testMissingFileIsReportedAndOthersStillChecked() throws {
    let dir = try TemporaryDirectory()
    let bad = dir.write("bad.meta", "let = 1\n")
    let result = try MetaProcess.run(["check", dir.path("missing.meta"), bad.path])
    XCTAssertEqual(result.status, 1)
    XCTAssertTrue(result.stderr.hasPrefix(
      "meta: cannot open '\(dir.path("missing.meta"))' (No such file or directory)\n"), result.stderr)
    XCTAssertTrue(result.stderr.contains("\(bad.path):1:"), result.stderr)
  }

  func testOptionsBeforeTheSubcommandAreAccepted() throws {
    let dir = try TemporaryDirectory()
    let a = dir.write("a.meta", "print(1)\n")
    let result = try MetaProcess.run(["--seed", "3", "check", a.path])
    XCTAssertEqual(result.status, 0, result.stderr)
    XCTAssertEqual(result.stdout, "")
  }
}
