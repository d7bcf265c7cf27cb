// Units of the command-line program that need no child process.

import MetaLang
import XCTest

@testable import meta

final class CommandLineTests: XCTestCase {
  func testScriptArgumentsAreSeparatedFromMetaOptions() {
    XCTAssertEqual(CommandLineArguments.normalize([]), [])
    XCTAssertEqual(CommandLineArguments.normalize(["x.meta", "--full"]), ["--", "x.meta", "--full"])
    XCTAssertEqual(CommandLineArguments.normalize(["--seed", "3", "x.meta", "--seed", "4"]),
                   ["--seed", "3", "--", "x.meta", "--seed", "4"])
    XCTAssertEqual(CommandLineArguments.normalize(["-e", "print(1)", "a", "-b"]),
                   ["-e", "print(1)", "--", "a", "-b"])
    XCTAssertEqual(CommandLineArguments.normalize(["--threads", "2", "check", "a.meta"]),
                   ["check", "--threads", "2", "a.meta"])
    XCTAssertEqual(CommandLineArguments.normalize(["./check"]), ["--", "./check"])
    XCTAssertEqual(CommandLineArguments.normalize(["--", "check"]), ["--", "check"])
    XCTAssertEqual(CommandLineArguments.normalize(["--version"]), ["--version"])
  }

  func testCommandNamesAcceptUniquePrefixes() {
    XCTAssertEqual(REPLCommand.named("quit"), .quit)
    XCTAssertEqual(REPLCommand.named("q"), .quit)
    XCTAssertEqual(REPLCommand.named("ty"), .type)
    XCTAssertEqual(REPLCommand.named("ti"), .time)
    XCTAssertNil(REPLCommand.named("t"), "ambiguous: type or time")
    XCTAssertNil(REPLCommand.named(""))
    XCTAssertNil(REPLCommand.named("quitter"))
    XCTAssertEqual(REPLCommand.notFound("t"), "ambiguous command ':t' (could be :type or :time)")
    XCTAssertEqual(REPLCommand.notFound("quitter"), "unknown command ':quitter' (:help lists the commands)")
    XCTAssertEqual(REPLCommand.notFound(""), "unknown command ':' (:help lists the commands)")
  }

  func testDurationsAreShownInAReadableUnit() {
    XCTAssertEqual(REPL.format(.microseconds(12)), "12.0 µs")
    XCTAssertEqual(REPL.format(.milliseconds(250)), "250.00 ms")
    XCTAssertEqual(REPL.format(.seconds(3)), "3.000 s")
  }

  func testLoadPathsMayBeQuotedOrStartWithTilde() {
    XCTAssertEqual(REPL.expandPath("\"my file.meta\""), "my file.meta")
    XCTAssertEqual(REPL.expandPath("'a.meta'"), "a.meta")
    XCTAssertEqual(REPL.expandPath("plain.meta"), "plain.meta")
    let home = ProcessInfo.processInfo.environment["HOME"] ?? ""
    if !home.isEmpty { XCTAssertEqual(REPL.expandPath("~/x.meta"), home + "/x.meta") }
  }

  func testCompletionOfKeywordsCommandsAndFiles() {
    let completer = Completer(interpreter: Interpreter())
    guard case .words(let words) = completer.complete(word: "whi", before: "") else {
      return XCTFail("expected words")
    }
    XCTAssertTrue(words.contains("while"))
    XCTAssertEqual(completer.complete(word: "l", before: ":"), .words(["load"]))
    XCTAssertEqual(completer.complete(word: "t", before: "  :"), .words(["time", "type"]))
    XCTAssertEqual(completer.complete(word: "sam", before: ":load "), .fileNames)
    XCTAssertEqual(completer.complete(word: "", before: "x = "), .words([]))
    XCTAssertEqual(completer.complete(word: "12", before: ""), .words([]))
  }

  /// Inside a call's parentheses the function's named arguments come first
  /// (`label: `), found through the callee's name or field path.
  func testCompletionOfNamedArguments() throws {
    let interpreter = Interpreter()
    try interpreter.evaluate("fn f(alpha, beta = 2) { alpha }\nlet opt = {step: fn(self, params, lr = 1) { params }}")
    let completer = Completer(interpreter: interpreter)
    XCTAssertEqual(completer.complete(word: "", before: "f("), .words(["alpha: ", "beta: "]))
    XCTAssertEqual(completer.complete(word: "bet", before: "f(1, [2, 3], g(4), "), .words(["beta: "]))
    XCTAssertEqual(completer.complete(word: "", before: "opt.step(p, "), .words(["params: ", "lr: "]))
    XCTAssertEqual(completer.complete(word: "", before: "logsumexp(x, "), .words(["axis: ", "keepdims: "]))
    guard case .words(let mixed) = completer.complete(word: "a", before: "f(") else { return XCTFail("expected words") }
    XCTAssertEqual(mixed.first, "alpha: ")
    XCTAssertTrue(mixed.contains("and"), "the usual names follow")
    XCTAssertEqual(completer.complete(word: "", before: "f(1) + ("), .words([]), "a parenthesis, not a call")
    XCTAssertEqual(completer.complete(word: "", before: "[f("), .words(["alpha: ", "beta: "]))
  }

  func testCompletionOfGlobalsAndFieldPaths() throws {
    let interpreter = Interpreter()
    try interpreter.evaluate("let settings = {learning_rate: 0.1, layers: {first: 1, second: 2}}\nlet setup = 1")
    let completer = Completer(interpreter: interpreter)
    XCTAssertEqual(completer.complete(word: "sett", before: "print("), .words(["settings"]))
    guard case .words(let both) = completer.complete(word: "set", before: "") else {
      return XCTFail("expected words")
    }
    XCTAssertTrue(both.contains("settings") && both.contains("setup"), "\(both)")
    XCTAssertEqual(completer.complete(word: "settings.l", before: ""),
                   .words(["settings.layers", "settings.learning_rate"]))
    XCTAssertEqual(completer.complete(word: "settings.layers.s", before: "1 + "),
                   .words(["settings.layers.second"]))
    XCTAssertEqual(completer.complete(word: "settings.nothing.x", before: ""), .words([]))
    XCTAssertEqual(completer.complete(word: "nothing.x", before: ""), .words([]))
    // Paths are looked up, never evaluated: a call is not a path.
    XCTAssertNil(completer.lookUp(path: "f()"))
  }

  func testThreadsReachTheInterpreter() throws {
    let options = try SessionOptions.parse(["--threads", "3"])
    XCTAssertEqual(Session(options: options, arguments: [], idleInterrupt: .exit).interpreter.threads, 3)
    let defaults = try SessionOptions.parse([])
    XCTAssertEqual(Session(options: defaults, arguments: [], idleInterrupt: .exit).interpreter.threads,
                   Interpreter().threads)
  }

  func testModulePathsComeFromMetaPath() {
    XCTAssertEqual(Session.moduleLoader(environment: ["META_PATH": "a::b"]).searchPaths, ["a", "b"])
    XCTAssertEqual(Session.moduleLoader(environment: [:]).searchPaths, [])
  }

  func testIdentifiers() {
    XCTAssertTrue(Completer.isIdentifier("abc_1"))
    XCTAssertTrue(Completer.isIdentifier("_x"))
    XCTAssertFalse(Completer.isIdentifier("1x"))
    XCTAssertFalse(Completer.isIdentifier(""))
    XCTAssertFalse(Completer.isIdentifier("a-b"))
    XCTAssertFalse(Completer.isIdentifier("é"))
  }
}
