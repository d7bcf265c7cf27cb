// The REPL on a real terminal (a tmux pane): prompts, readline history,
// completion and Ctrl-C. Skipped when tmux is not installed.

import Foundation
import XCTest

final class REPLTerminalTests: XCTestCase {
  func testPromptsContinuationAndPersistentHistory() throws {
    let home = try TemporaryDirectory()
    do {
      let pane = try TerminalPane(home: home)
      try pane.waitForPrompt()
      pane.type("let alpha = 1 +"); pane.press("Enter")
      try pane.waitForPrompt("...")
      pane.type("2"); pane.press("Enter")
      pane.type("alpha * 10"); pane.press("Enter")
      try pane.waitForScreen { $0.split(separator: "\n").contains("30") }
      // An empty line ends an input stuck in continuation, showing why.
      pane.type("(1 +"); pane.press("Enter")
      try pane.waitForPrompt("...")
      pane.press("Enter")
      try pane.waitForScreen { $0.contains("<repl>:") && $0.contains("error:") }
      try pane.waitForPrompt()
      pane.type(":quit"); pane.press("Enter")
      try pane.waitForExit()
    }
    let history = try String(contentsOfFile: home.path(".meta_history"), encoding: .utf8)
    XCTAssertEqual(history, "let alpha = 1 +\n2\nalpha * 10\n(1 +\n:quit\n")

    // A new session recalls the previous one's lines.
    let pane = try TerminalPane(home: home)
    try pane.waitForPrompt()
    pane.press("Up"); pane.press("Up"); pane.press("Up")
    try pane.waitForScreen { $0.contains("> alpha * 10") }
    pane.press("C-u"); pane.press("C-d")
    try pane.waitForExit()
  }

  func testHistoryFileIsCapped() throws {
    let home = try TemporaryDirectory()
    home.write(".meta_history", (0..<1500).map { "h\($0)\n" }.joined())
    let pane = try TerminalPane(home: home)
    try pane.waitForPrompt()
    pane.type(":quit"); pane.press("Enter")
    try pane.waitForExit()
    let lines = try String(contentsOfFile: home.path(".meta_history"), encoding: .utf8)
      .split(separator: "\n").map(String.init)
    // 1501 entries, of which the newest 1000 are kept.
    XCTAssertEqual(lines.count, 1000)
    XCTAssertEqual(lines.first, "h501")
    XCTAssertEqual(lines.suffix(2), ["h1499", ":quit"])
  }

  func testCtrlCClearsTheLineAndInterruptsAnEvaluation() throws {
    let home = try TemporaryDirectory()
    let pane = try TerminalPane(home: home)
    try pane.waitForPrompt()
    pane.type("this line is abandoned")
    // Wait for the echo: Ctrl-C makes the terminal discard input not yet read.
    try pane.waitForScreen { $0.contains("> this line is abandoned") }
    pane.press("C-c")
    try pane.waitForScreen { $0.contains("> this line is abandoned^C\n") }
    pane.type("1 + 1"); pane.press("Enter")
    try pane.waitForScreen { $0.split(separator: "\n").contains("2") }

    pane.type("while true { }"); pane.press("Enter")
    Thread.sleep(forTimeInterval: 0.5)
    pane.press("C-c")
    try pane.waitForScreen { $0.contains("error:") }
    pane.type("3 * 3"); pane.press("Enter")
    try pane.waitForScreen { $0.split(separator: "\n").contains("9") }
    pane.press("C-d")
    try pane.waitForExit()
  }

  func testProgressOnTheTerminalEndsItsLineBeforeAPromptOrAnError() throws {
    let home = try TemporaryDirectory()
    let pane = try TerminalPane(home: home)
    try pane.waitForPrompt()
    // Standard error is the terminal: the bar redraws one line with `\r`, left open.
    pane.type("let p = progress(10, label: \"bar\"); p.update(3, 0.5)"); pane.press("Enter")
    try pane.waitForScreen { $0.split(separator: "\n").contains { $0.hasPrefix("bar [######") } }
    try pane.waitForPrompt()
    // A redraw (bars redraw at most ten times a second), then an error at once.
    pane.type("let t = clock(); while clock() - t < 0.2 { }; p.update(4, 0.25); error(\"boom\")"); pane.press("Enter")
    try pane.waitForScreen { $0.split(separator: "\n").contains { $0.hasPrefix("<repl>:1:") && $0.contains("error: boom") } }
    let screen = pane.screen
    XCTAssertTrue(screen.split(separator: "\n").contains { $0.hasPrefix("bar [########-") && $0.contains("4/10") }, screen)
    pane.press("C-d")
    try pane.waitForExit()
  }

  func testTabCompletesGlobalsAndFields() throws {
    let home = try TemporaryDirectory()
    let pane = try TerminalPane(home: home)
    try pane.waitForPrompt()
    pane.type("let velocity = {speed: 3, heading: 4}"); pane.press("Enter")
    pane.type("veloc"); pane.press("Tab")
    try pane.waitForScreen { $0.contains("> velocity") }
    pane.press("BSpace")  // the space readline appended after the unique match
    pane.type(".sp"); pane.press("Tab")
    try pane.waitForScreen { $0.contains("> velocity.speed") }
    pane.press("Enter")
    try pane.waitForScreen { $0.split(separator: "\n").contains("3") }
    pane.press("C-d")
    try pane.waitForExit()
  }
}

/// `meta` running in a detached tmux session of its own (private server socket).
final class TerminalPane {
  private let tmux: URL
  private let socket = "meta-cli-test-\(UUID().uuidString)"

  init(home: TemporaryDirectory) throws {
    guard let tmux = ["/usr/bin/tmux", "/usr/local/bin/tmux", "/bin/tmux"]
      .map(URL.init(fileURLWithPath:))
      .first(where: { FileManager.default.isExecutableFile(atPath: $0.path) })
    else { throw XCTSkip("tmux is not installed") }
    self.tmux = tmux
    let meta = try MetaProcess.executable("meta")
    let command = "env HOME='\(home.url.path)' TERM=xterm '\(meta.path)'"
    try run(["-f", "/dev/null", "new-session", "-d", "-s", "meta", "-x", "100", "-y", "30", command])
  }

  deinit { _ = try? run(["kill-server"]) }

  /// Types `text` literally.
  func type(_ text: String) { _ = try? run(["send-keys", "-t", "meta", "-l", text]) }

  /// Presses a key by tmux name: Enter, Tab, Up, C-c, C-d, BSpace, ...
  func press(_ key: String) { _ = try? run(["send-keys", "-t", "meta", key]) }

  var screen: String { (try? run(["capture-pane", "-p", "-t", "meta"]).stdout) ?? "" }

  /// Polls the screen until `condition` holds.
  func waitForScreen(timeout: TimeInterval = 20, _ condition: (String) -> Bool) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
      if condition(screen) { return }
      Thread.sleep(forTimeInterval: 0.05)
    }
    throw TerminalTimeout(waitingFor: "the expected screen", screen: screen)
  }

  /// Waits until the last non-empty line is `prompt` (tmux drops its trailing space).
  func waitForPrompt(_ prompt: String = ">") throws {
    try waitForScreen { screen in
      screen.split(separator: "\n").last { !$0.allSatisfy(\.isWhitespace) }
        .map { $0.trimmingCharacters(in: .whitespaces) == prompt } ?? false
    }
  }

  /// Waits until `meta` has left (its session disappears).
  func waitForExit(timeout: TimeInterval = 20) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
      if let result = try? run(["has-session", "-t", "meta"]), result.status != 0 { return }
      Thread.sleep(forTimeInterval: 0.05)
    }
    throw TerminalTimeout(waitingFor: "meta to exit", screen: screen)
  }

  /// Runs a tmux client and waits for it. Not through `Process`: on Linux it
  /// waits until every descendant that inherited its bookkeeping descriptor
  /// has exited, and the tmux server the first client forks never does.
  @discardableResult
  private func run(_ arguments: [String]) throws -> ProcessResult {
    let scratch = try TemporaryDirectory()
    let outputPath = scratch.path("out.txt")
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let argv = ([tmux.path, "-L", socket] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid = pid_t()
    let spawned = posix_spawn(&pid, tmux.path, &actions, nil, argv, environ)
    guard spawned == 0 else { throw TerminalTimeout(waitingFor: "tmux to start", screen: "") }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    let exitStatus = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    return ProcessResult(status: exitStatus, stdout: output, stderr: "")
  }
}

/// A terminal session that did not reach the expected state in time.
struct TerminalTimeout: Error, CustomStringConvertible {
  let waitingFor: String
  let screen: String
  var description: String { "timed out waiting for \(waitingFor); the screen shows:\n\(screen)" }
}
