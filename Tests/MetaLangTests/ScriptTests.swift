// The script suite: every Tests/programs/**/*.meta carries its expectations as
// comments, and every samples/**/*.meta must run (and meet its expectations, if any).
//
//   # expect: <line>                 one printed line, in order
//   # expect error: <message>        the run ends with this runtime or resolve error
//   # expect error line: <n>         ...raised on this line
//   # expect syntax error: <message> the file does not parse
//   # args: a b c                    the script's `args`
//
// Files under a directory named `lib` are helpers for other programs and are not run.

import Foundation
import MetaLang
import XCTest

/// What a script file says should happen.
struct ScriptExpectations {
  var lines: [String] = []
  var error: String?
  var errorLine: Int?
  var syntaxError: String?
  var args: [String] = []

  var isEmpty: Bool { lines.isEmpty && error == nil && syntaxError == nil }

  init(source: String) {
    for raw in source.split(separator: "\n", omittingEmptySubsequences: false) {
      guard let hash = raw.range(of: "# expect") ?? raw.range(of: "# args:") else { continue }
      let comment = raw[raw.index(hash.lowerBound, offsetBy: 2)...]
      func value(after prefix: String) -> String? {
        comment.hasPrefix(prefix) ? String(comment.dropFirst(prefix.count)) : nil
      }
      if let v = value(after: "expect: ") {
        lines.append(v)
      } else if comment == "expect:" || comment == "expect: " {
        lines.append("")
      } else if let v = value(after: "expect error line: ") {
        errorLine = Int(v.trimmingCharacters(in: .whitespaces))
      } else if let v = value(after: "expect error: ") {
        error = v
      } else if let v = value(after: "expect syntax error: ") {
        syntaxError = v
      } else if let v = value(after: "args: ") {
        args = v.split(separator: " ").map(String.init)
      }
    }
  }
}

final class ScriptTests: XCTestCase {
  /// The repository root, found from this file's path (Tests/MetaLangTests/ScriptTests.swift).
  static let root = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  static func metaFiles(under dir: String) -> [URL] {
    let base = root.appendingPathComponent(dir)
    guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else { return [] }
    return walker.compactMap { $0 as? URL }
      .filter { $0.pathExtension == "meta" && !$0.pathComponents.contains("lib") }
      .sorted { $0.path < $1.path }
  }

  /// Runs one file; returns a description of each way it missed its expectations.
  static func check(_ url: URL, requireExpectations: Bool) -> [String] {
    guard let source = try? String(contentsOf: url, encoding: .utf8) else { return ["cannot read"] }
    let expect = ScriptExpectations(source: source)
    if requireExpectations && expect.isEmpty { return ["has no expectations"] }
    var printed = ""
    let interp = Interpreter(output: { printed += $0 })
    interp.arguments = expect.args
    interp.limits.maxSeconds = 60
    var problems: [String] = []
    do {
      try interp.run(file: url.path)
      if let e = expect.error { problems.append("expected error '\(e)', but it ran to the end") }
      if let e = expect.syntaxError { problems.append("expected syntax error '\(e)', but it ran") }
    } catch let e as MetaError {
      if e.kind == .syntax {
        if e.message != expect.syntaxError { problems.append("syntax error: \(e.render())") }
      } else if e.message != expect.error {
        problems.append("unexpected error: \(e.render())")
      } else if let line = expect.errorLine, line != e.loc.line {
        problems.append("error on line \(e.loc.line), expected line \(line)")
      }
    } catch {
      problems.append("unexpected Swift error: \(error)")
    }
    var lines = printed.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if lines.last == "" { lines.removeLast() }
    // A file without expectations (a sample) only has to run.
    if !expect.isEmpty, expect.syntaxError == nil, lines != expect.lines {
      for i in 0..<max(lines.count, expect.lines.count) {
        let got = i < lines.count ? lines[i] : "<nothing>"
        let want = i < expect.lines.count ? expect.lines[i] : "<nothing>"
        if got != want {
          problems.append("output line \(i + 1): got \(got.debugDescription), expected \(want.debugDescription)")
          break
        }
      }
    }
    return problems
  }

  func testPrograms() {
    let files = Self.metaFiles(under: "Tests/programs")
    XCTAssertGreaterThan(files.count, 20, "the script suite found too few programs in \(Self.root.path)")
    for url in files {
      for problem in Self.check(url, requireExpectations: true) {
        XCTFail("\(url.lastPathComponent): \(problem)")
      }
    }
  }

  /// Samples marked `# test: release` train for real; `scripts/run-release-scripts`
  /// runs them (and Tests/training) with the release binary instead.
  func testSamples() {
    for url in Self.metaFiles(under: "samples") {
      if let text = try? String(contentsOf: url, encoding: .utf8), text.contains("# test: release") { continue }
      for problem in Self.check(url, requireExpectations: false) {
        XCTFail("samples/\(url.lastPathComponent): \(problem)")
      }
    }
  }

  func testExpectationParsing() {
    let e = ScriptExpectations(source: "print(1)  # expect: 1\n# expect error: boom\n# expect error line: 3\n# args: a b")
    XCTAssertEqual(e.lines, ["1"])
    XCTAssertEqual(e.error, "boom")
    XCTAssertEqual(e.errorLine, 3)
    XCTAssertEqual(e.args, ["a", "b"])
  }
}
