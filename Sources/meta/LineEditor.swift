// Where the REPL's lines come from: GNU readline on a terminal, plain
// standard input otherwise. The REPL only sees this protocol, so readline
// stays an implementation detail of one file.

import Foundation

/// What reading one line produced.
enum LineInput: Equatable {
  case line(String)
  /// Ctrl-C at the prompt: the line being edited was discarded.
  case interrupted
  /// Ctrl-D on an empty line, or the end of piped input.
  case endOfInput
}

/// A source of input lines for the REPL.
protocol LineEditor: AnyObject {
  /// True when a person is typing: prompts, a banner and history make sense.
  var isInteractive: Bool { get }
  /// Shows `prompt` (if interactive) and reads one line, without its newline.
  func readLine(prompt: String) -> LineInput
  /// Remembers an entered line for recall (and for the history file).
  func addToHistory(_ line: String)
  /// Called once when the REPL ends (e.g. to cap the history file).
  func close()
}

/// Reads lines from standard input without prompts: the REPL driven by a pipe or a file.
final class PlainLineEditor: LineEditor {
  var isInteractive: Bool { false }

  func readLine(prompt: String) -> LineInput {
    guard let line = Swift.readLine(strippingNewline: true) else { return .endOfInput }
    // Tolerate Windows line endings in piped input.
    return .line(line.hasSuffix("\r") ? String(line.dropLast()) : line)
  }

  func addToHistory(_ line: String) {}
}

extension LineEditor {
  func close() {}
}
