// `meta FILE args...`, `-e`, `--version`, `--help`, `--seed`, `--threads`, and
// how errors and missing files are reported.

import Foundation
import XCTest

final class ScriptTests: XCTestCase {
  func testScriptSeesItsArgumentsIncludingOptionLikeOnes() throws {
    let dir = try TemporaryDirectory()
    let script = dir.write("args.meta", "print(len(args))\nfor a in args { print(a) }\n")
    let result = try MetaProcess.run([script.path, "one", "--full", "-x", "--seed", "3"])
    XCTAssertEqual(result.stderr, "")
    XCTAssertEqual(result.status, 0)
    XCTAssertEqual(result.stdout, "5\none\n--full\n-x\n--seed\n3\n")
  }

  func testShebangScriptRunsDirectlyAndThroughMeta() throws {
    let dir = try TemporaryDirectory()
    let script = dir.write("hello.meta", "#!/usr/bin/env meta\nprint(\"hello\", 6 * 7)\n")
    let viaMeta = try MetaProcess.run([script.path])
    XCTAssertEqual(viaMeta.stdout, "hello 42\n")
    XCTAssertEqual(viaMeta.status, 0)

    // Executed by the kernel through `/usr/bin/env meta`, with meta on PATH.
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
    let path = MetaProcess.productsDirectory.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
    let direct = try MetaProcess.run(executable: script, ["ignored-arg"], environment: ["PATH": path])
    XCTAssertEqual(direct.stdout, "hello 42\n")
    XCTAssertEqual(direct.status, 0)
  }

  func testEvalRunsSourceLikeAScript() throws {
    let printed = try MetaProcess.run(["-e", "let x = 20\nprint(x + 1)"])
    XCTAssertEqual(printed.stdout, "21\n")
    XCTAssertEqual(printed.status, 0)
    // Like a script file, a final expression's value is not printed.
    let silent = try MetaProcess.run(["-e", "1 + 2"])
    XCTAssertEqual(silent.stdout, "")
    XCTAssertEqual(silent.status, 0)
    // Arguments after the source go to `args`, option-like ones too.
    let withArgs = try MetaProcess.run(["-e", "print(len(args), args[0], args[1])", "a", "--b"])
    XCTAssertEqual(withArgs.stdout, "2 a --b\n")
  }

  func testEvalErrorIsReportedWithItsSourceLine() throws {
    let result = try MetaProcess.run(["-e", "let a = 1\nerror(\"nope\")"])
    XCTAssertEqual(result.status, 1)
    let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: false)
    XCTAssertTrue(lines.first?.hasPrefix("<string>:2:") ?? false, result.stderr)
    XCTAssertTrue(lines.first?.hasSuffix(": error: nope") ?? false, result.stderr)
    XCTAssertEqual(lines.count > 1 ? String(lines[1]) : "", "    error(\"nope\")")
  }

  func testRuntimeErrorShowsLocationSourceLineCaretAndTraceback() throws {
    let dir = try TemporaryDirectory()
    let source = "print(\"before\")\nfn fail(x) {\n  error(\"bad {x}\")\n}\nfail(7)\n"
    let script = dir.write("boom.meta", source)
    let result = try MetaProcess.run([script.path])
    XCTAssertEqual(result.status, 1)
    XCTAssertEqual(result.stdout, "before\n", "output printed before the error is not lost")
    let lines = result.stderr.split(separator: "\n").map(String.init)
    guard lines.count >= 6 else { return XCTFail("short report:\n\(result.stderr)") }

    // Headline: path:line:column: error: message, on the line of error(...).
    let prefix = "\(script.path):3:"
    XCTAssertTrue(lines[0].hasPrefix(prefix), lines[0])
    XCTAssertTrue(lines[0].hasSuffix(": error: bad 7"), lines[0])
    let columnText = lines[0].dropFirst(prefix.count).prefix { $0.isNumber }
    let column = try XCTUnwrap(Int(columnText), lines[0])
    // The column lies on the failing call `error("bad {x}")`, which spans columns 3...17.
    XCTAssertTrue((3...17).contains(column), "column \(column)")

    // The source line, then a caret under that column (both indented by 4).
    XCTAssertEqual(lines[1], "    " + "  error(\"bad {x}\")")
    XCTAssertEqual(lines[2], String(repeating: " ", count: 4 + column - 1) + "^")

    // The Meta call stack, innermost first: inside `fail`, then the script's call on line 5.
    XCTAssertEqual(lines[3], "stack traceback:")
    XCTAssertTrue(lines[4].hasPrefix("    \(script.path):3:") && lines[4].hasSuffix(": in fail"), lines[4])
    XCTAssertTrue(lines[5].hasPrefix("    \(script.path):5:"), lines[5])
  }

  func testErrorComesAfterEarlierOutputOnASharedStream() throws {
    let dir = try TemporaryDirectory()
    let script = dir.write("order.meta", "print(\"first\")\nprint(\"second\")\nerror(\"third\")\n")
    let result = try MetaProcess.run([script.path], mergeOutput: true)
    XCTAssertEqual(result.status, 1)
    XCTAssertTrue(result.stdout.hasPrefix("first\nsecond\n\(script.path):3:"), result.stdout)
  }

  func testCtrlCStopsAScriptWithATraceback() throws {
    let dir = try TemporaryDirectory()
    let script = dir.write("spin.meta", "print(\"started\")\nvar n = 0\nwhile true { n += 1 }\n")
    let result = try MetaProcess.run([script.path], interruptAfter: 1.5)
    XCTAssertEqual(result.status, 130)
    XCTAssertEqual(result.stdout, "started\n")
    XCTAssertTrue(result.stderr.hasPrefix("\(script.path):3:"), result.stderr)
    XCTAssertTrue(result.stderr.contains("\n    while true { n += 1 }\n"), result.stderr)
  }

  func testMissingFileIsAnErrorNotACrash() throws {
    let dir = try TemporaryDirectory()
    let result = try MetaProcess.run(["x.meta"], directory: dir.url)
    XCTAssertEqual(result.status, 1)
    XCTAssertEqual(result.stdout, "")
    XCTAssertEqual(result.stderr, "meta: cannot open 'x.meta' (No such file or directory)\n")
  }

  func testDirectoryInsteadOfFileIsAnError() throws {
    let dir = try TemporaryDirectory()
    let result = try MetaProcess.run([dir.url.path])
    XCTAssertEqual(result.status, 1)
    XCTAssertEqual(result.stderr, "meta: cannot open '\(dir.url.path)' (Is a directory)\n")
  }

  func testFileNamedLikeTheCheckSubcommandRunsWithDotSlash() throws {
    let dir = try TemporaryDirectory()
    dir.write("check", "print(\"ran the file\")\n")
    let result = try MetaProcess.run(["./check"], directory: dir.url)
    XCTAssertEqual(result.stdout, "ran the file\n")
    XCTAssertEqual(result.status, 0)
  }

  func testVersion() throws {
    let result = try MetaProcess.run(["--version"])
    XCTAssertEqual(result.stdout, "meta 0.1.0\n")
    XCTAssertEqual(result.status, 0)
  }

  func testHelpDescribesTheModesAndOptions() throws {
    let result = try MetaProcess.run(["--help"])
    XCTAssertEqual(result.status, 0)
    for expected in ["USAGE: meta", "meta check <file>", "-e, --eval <source>", "--seed <n>",
                     "--threads <n>", "REPL", "--version"] {
      XCTAssertTrue(result.stdout.contains(expected), "help lacks \(expected):\n\(result.stdout)")
    }
  }

  func testSeedReachesTheInterpreter() throws {
    let program = "print(random(), random())"
    let first = try MetaProcess.run(["--seed", "7", "-e", program])
    let again = try MetaProcess.run(["--seed", "7", "-e", program])
    let other = try MetaProcess.run(["--seed", "8", "-e", program])
    XCTAssertEqual(first.status, 0, first.stderr)
    XCTAssertFalse(first.stdout.isEmpty)
    XCTAssertEqual(first.stdout, again.stdout, "the same seed gives the same numbers")
    XCTAssertNotEqual(first.stdout, other.stdout, "another seed gives other numbers")
  }

  func testThreadsIsValidated() throws {
    let ok = try MetaProcess.run(["--threads", "2", "-e", "print(\"fine\")"])
    XCTAssertEqual(ok.stdout, "fine\n")
    XCTAssertEqual(ok.status, 0)
    let zero = try MetaProcess.run(["--threads", "0", "-e", "print(\"never\")"])
    XCTAssertNotEqual(zero.status, 0)
    XCTAssertEqual(zero.stdout, "")
    XCTAssertTrue(zero.stderr.contains("--threads must be at least 1"), zero.stderr)
    let junk = try MetaProcess.run(["--seed", "many", "-e", "print(1)"])
    XCTAssertNotEqual(junk.status, 0)
    XCTAssertEqual(junk.stdout, "")
  }

  /// `import name` searches the directories of META_PATH (colon-separated) before the stdlib;
  /// the library itself reads no environment variable, the program hands it the paths.
  func testMetaPathAddsModuleDirectories() throws {
    let dir = try TemporaryDirectory()
    dir.write("envmod.meta", "let from_env = true\n")
    dir.write("nn.meta", "let mine = 1\n")
    let program = "import envmod\nimport nn\nprint(envmod.from_env, nn.mine)"
    let result = try MetaProcess.run(["-e", program], environment: ["META_PATH": "/nonexistent:" + dir.url.path])
    XCTAssertEqual(result.stderr, "")
    XCTAssertEqual(result.stdout, "true 1\n")
    let without = try MetaProcess.run(["-e", "import envmod"], environment: ["META_PATH": ""])
    XCTAssertEqual(without.status, 1)
    XCTAssertTrue(without.stderr.contains("module 'envmod' not found"), without.stderr)
  }

  func testPrintHeavyScriptIsBufferedAndComplete() throws {
    let dir = try TemporaryDirectory()
    let script = dir.write("many.meta", "for i in range(200000) { print(i) }\n")
    let start = Date()
    let result = try MetaProcess.run([script.path])
    let seconds = Date().timeIntervalSince(start)
    XCTAssertEqual(result.status, 0, result.stderr)
    let lines = result.stdout.split(separator: "\n")
    XCTAssertEqual(lines.count, 200_000)
    XCTAssertEqual(lines.last, "199999")
    print("200k print calls took \(String(format: "%.2f", seconds)) s (debug build)")
  }

  func testTourRuns() throws {
    let tour = MetaProcess.packageRoot.appendingPathComponent("samples/tour.meta")
    let result = try MetaProcess.run([tour.path])
    XCTAssertEqual(result.stderr, "")
    XCTAssertEqual(result.status, 0)
    // Each line below is worked out by hand from the tour's source.
    let expected = [
      "hello from Meta, count is 4",
      "3 1 3.5 1024",
      "Int Float String List Record Nil",
      "[1, 2, 3] [100, 2, 3]",
      "0.01 5 [\"lr\", \"steps\"]",
      "6.0 1.5",
      "ticks: 3",
      "twice: 21",
      "sign: 1 odd sum: 25",
      "squares: [1, 4, 9]",
      "caught boom",
      "pi is about 3.142",
      // The outer loop's update is w0 -= 0.25 (w0 - mean(targets)), so after 50
      // steps w0 = 3 - 3 * 0.75^50, which rounds to 3.000.
      "meta-learned start: 3.000",
      // [[1, 2], [3, 4]] squared: [[1 + 6, 2 + 8], [3 + 12, 6 + 16]].
      "tensor([[ 7., 10.],",
      "        [15., 22.]])",
      "shape: [2, 2] sum: 10.0",
      // grad of the same meta-loss gives the same update as the hand-derived one.
      "with grad: 3.000",
    ]
    XCTAssertEqual(result.stdout, expected.joined(separator: "\n") + "\n")
  }
}
