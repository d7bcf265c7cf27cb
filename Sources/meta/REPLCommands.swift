// The REPL's colon commands: :help, :doc, :type, :time, :load, :quit.

import Foundation
import MetaLang

/// The commands, their names and their help text.
enum REPLCommand: String, CaseIterable {
  case help, doc, type, time, load, quit

  /// Names offered by tab completion after `:`.
  static var names: [String] { allCases.map(\.rawValue) }

  static let helpText = """
    Enter statements or expressions; the value of an expression is printed.
    Input continues on a "... " line while a bracket or block is open; an empty
    line ends it. Tab completes names and fields (x.<Tab>). Ctrl-C interrupts a
    running evaluation, or clears the line being edited.

      :help          this text
      :doc <name>    the signature and documentation of a function (as help(f))
      :type <expr>   the kind of the value (Int, List, Tensor, ...)
      :time <expr>   evaluate, then print the value and the time it took
      :load <file>   run a file in this session; its definitions stay
      :quit          leave (Ctrl-D too)
    Commands may be shortened to any unique prefix (:q, :d, :ty, :ti; :t is ambiguous).
    """

  /// The commands `word` may name: itself, else every command it is a prefix of
  /// (none for an empty word).
  static func matching(_ word: String) -> [REPLCommand] {
    if let exact = REPLCommand(rawValue: word) { return [exact] }
    return word.isEmpty ? [] : allCases.filter { $0.rawValue.hasPrefix(word) }
  }

  /// The command `word` names: itself or a unique prefix of one.
  static func named(_ word: String) -> REPLCommand? {
    let candidates = matching(word)
    return candidates.count == 1 ? candidates[0] : nil
  }

  /// Why `word` names no command: "ambiguous command ':t' (could be :type or :time)" for a
  /// prefix of several, else "unknown command ':x' (:help lists the commands)".
  static func notFound(_ word: String) -> String {
    let candidates = matching(word).map { ":" + $0.rawValue }
    guard candidates.count > 1 else { return "unknown command ':\(word)' (:help lists the commands)" }
    let choices = candidates.dropLast().joined(separator: ", ") + " or " + candidates[candidates.count - 1]
    return "ambiguous command ':\(word)' (could be \(choices))"
  }
}

extension REPL {
  enum CommandOutcome { case proceed, quit }

  /// Runs a `:command argument` line.
  func runCommand(_ line: String) -> CommandOutcome {
    let body = line.dropFirst()  // the ':'
    let word = String(body.prefix { !$0.isWhitespace })
    let argument = body.dropFirst(word.count).trimmingCharacters(in: .whitespaces)
    guard let command = REPLCommand.named(word) else {
      fail(CommandError(REPLCommand.notFound(word)))
      return .proceed
    }
    switch command {
    case .help:
      session.stdout.write(REPLCommand.helpText + "\n")
    case .quit:
      return .quit
    case .doc:
      guard !argument.isEmpty else { fail(CommandError("usage: :doc <name>  (e.g. :doc maml, :doc t.sum)")); break }
      do {
        _ = try session.evaluate { try $0.evaluateInteractive("help(\(argument))", name: Self.inputName) }
      } catch {
        fail(error, source: argument)
      }
    case .type:
      guard !argument.isEmpty else { fail(CommandError("usage: :type <expression>")); break }
      do {
        let value = try session.evaluate { try $0.evaluateInteractive(argument, name: Self.inputName) }
        guard let value else { throw CommandError(":type needs an expression, not a statement") }
        session.stdout.write(value.typeName + "\n")
      } catch {
        fail(error, source: argument)
      }
    case .time:
      guard !argument.isEmpty else { fail(CommandError("usage: :time <expression>")); break }
      let clock = ContinuousClock()
      let start = clock.now
      do {
        let value = try session.evaluate { try $0.evaluateInteractive(argument, name: Self.inputName) }
        let elapsed = clock.now - start
        if let value { show(value) }
        session.stdout.write("time: \(Self.format(elapsed))\n")
      } catch {
        fail(error, source: argument)
      }
    case .load:
      guard !argument.isEmpty else { fail(CommandError("usage: :load <file>")); break }
      let path = Self.expandPath(argument)
      do {
        _ = try CannotOpen.read(path)
        try session.evaluate { _ = try $0.run(file: path) }
      } catch {
        fail(error)
      }
    }
    return .proceed
  }

  /// `1.25 ms`, `3.402 s`: three significant-ish digits in a readable unit.
  static func format(_ duration: Duration) -> String {
    let parts = duration.components
    let seconds = Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    if seconds < 1e-3 { return String(format: "%.1f µs", seconds * 1e6) }
    if seconds < 1 { return String(format: "%.2f ms", seconds * 1e3) }
    return String(format: "%.3f s", seconds)
  }

  /// Accepts a quoted path and a leading `~/`.
  static func expandPath(_ argument: String) -> String {
    var path = argument
    if path.count >= 2, let first = path.first, first == "\"" || first == "'", path.last == first {
      path = String(path.dropFirst().dropLast())
    }
    if path.hasPrefix("~/"), let home = ProcessInfo.processInfo.environment["HOME"] {
      path = home + path.dropFirst()
    }
    return path
  }
}

/// A misused REPL command.
struct CommandError: Error, CustomStringConvertible {
  let description: String
  init(_ message: String) { description = message }
}
