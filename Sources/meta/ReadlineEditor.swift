// GNU readline as the REPL's line editor: editing keys, persistent history,
// tab completion, and Ctrl-C clearing the line being edited.
//
// Readline's callback interface is used instead of the blocking `readline()`
// call so the editor can wait on standard input and on Ctrl-C at the same
// time: SIGINT is observed by `InterruptHandler` (no signal handler of ours
// ever runs inside readline), which wakes the editor through a pipe.

import CReadline
import Foundation

/// The REPL's editor when standard input is a terminal.
final class ReadlineEditor: LineEditor {
  /// Entries kept in memory and in the history file.
  static let historyLimit: Int32 = 1000

  var isInteractive: Bool { true }

  fileprivate let completer: Completer
  /// Word breaks for file names, kept for readline (which does not copy them).
  fileprivate let fileNameBreaks = strdup(Completer.fileNameBreakCharacters)
  /// Set by the line callback: the outcome of the current `readLine`.
  fileprivate var delivered: LineInput?
  private let wakeDescriptor: Int32
  private let historyPath: String?
  private var lastHistoryEntry: String?

  /// - Parameters:
  ///   - wakeDescriptor: readable when Ctrl-C was pressed at the prompt (see `InterruptHandler`).
  ///   - historyPath: the history file, created if missing; nil keeps history in memory only.
  init(completer: Completer, wakeDescriptor: Int32, historyPath: String?) {
    self.completer = completer
    self.wakeDescriptor = wakeDescriptor
    self.historyPath = historyPath
    // SIGINT belongs to InterruptHandler. The strings are copies readline keeps for good.
    meta_rl_configure(strdup("meta"), strdup(Completer.wordBreakCharacters), chooseWordBreaks,
                      completeWord)
    stifle_history(Self.historyLimit)
    if let historyPath {
      // append_history() needs an existing file; create it private to the user.
      let fd = open(historyPath, O_WRONLY | O_CREAT | O_APPEND, 0o600)
      if fd >= 0 { Glibc.close(fd) }
      _ = read_history(historyPath)
      _ = history_truncate_file(historyPath, Self.historyLimit)
    }
    activeEditor = self
  }

  deinit {
    if activeEditor === self { activeEditor = nil }
    free(fileNameBreaks)
  }

  func readLine(prompt: String) -> LineInput {
    activeEditor = self
    delivered = nil
    drainWakeups()
    rl_callback_handler_install(prompt, deliverLine)
    while true {
      var fds = [
        pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0),
        pollfd(fd: wakeDescriptor, events: Int16(POLLIN), revents: 0),
      ]
      let ready = poll(&fds, nfds_t(wakeDescriptor >= 0 ? 2 : 1), -1)
      if ready < 0 {
        if errno == EINTR { continue }
        rl_callback_handler_remove()
        return .endOfInput
      }
      if wakeDescriptor >= 0, fds[1].revents & Int16(POLLIN) != 0 {
        drainWakeups()
        // Abandon the line: readline's documented clean-up for a signal in callback mode.
        rl_free_line_state()
        rl_callback_sigcleanup()
        // Before the handler goes: restoring the terminal returns the cursor to column 0.
        writeToStandardOutput("^C\n")
        rl_callback_handler_remove()
        return .interrupted
      }
      let events = fds[0].revents
      if events & Int16(POLLIN) != 0 {
        rl_callback_read_char()
        if let delivered { return delivered }
      } else if events & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 {
        rl_callback_handler_remove()
        return .endOfInput
      }
    }
  }

  func addToHistory(_ line: String) {
    guard !line.allSatisfy(\.isWhitespace), line != lastHistoryEntry else { return }
    lastHistoryEntry = line
    add_history(line)
    if let historyPath { _ = append_history(1, historyPath) }
  }

  /// Caps the history file (it only grows while the session runs).
  func close() {
    if let historyPath { _ = history_truncate_file(historyPath, Self.historyLimit) }
  }

  private func drainWakeups() {
    guard wakeDescriptor >= 0 else { return }
    var scratch = [UInt8](repeating: 0, count: 64)
    while read(wakeDescriptor, &scratch, scratch.count) > 0 {}
  }
}

private func writeToStandardOutput(_ text: String) {
  var copy = text
  _ = copy.withUTF8 { writeFully(STDOUT_FILENO, UnsafeRawBufferPointer($0)) }
}

// MARK: - Callbacks

/// Readline calls back through plain C function pointers, which cannot capture
/// context; this slot is how the two callbacks below find the editor (its
/// completer, and where to put a finished line). Set by the editor before every
/// read and only touched on the thread that runs the REPL. It is the program's
/// only global mutable state.
nonisolated(unsafe) private weak var activeEditor: ReadlineEditor?

/// Readline's line callback: receives the finished line (nil at end of input).
private func deliverLine(_ line: UnsafeMutablePointer<CChar>?) {
  // Stop readline from prompting again; the REPL decides what comes next.
  rl_callback_handler_remove()
  guard let editor = activeEditor else {
    free(line)
    return
  }
  if let line {
    editor.delivered = .line(String(cString: line))
    free(line)
  } else {
    editor.delivered = .endOfInput
  }
}

/// Readline's word-break hook: a `:load` argument is completed as one path, so
/// `/` must not split it. nil keeps the usual word breaks.
private func chooseWordBreaks() -> UnsafeMutablePointer<CChar>? {
  guard let editor = activeEditor, let line = meta_rl_line_buffer() else { return nil }
  return Completer.completesFileName(before: String(cString: line)) ? editor.fileNameBreaks : nil
}

/// Readline's completion callback: `text` is the word before the cursor,
/// `start` its byte offset in the line.
private func completeWord(
  _ text: UnsafePointer<CChar>?, _ start: Int32, _ end: Int32
) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
  // Our answer is final: no fallback to file names unless asked for below.
  meta_rl_set_completion_over(1)
  guard let editor = activeEditor, let text, let line = meta_rl_line_buffer() else { return nil }
  let offset = min(max(0, Int(start)), strlen(line))
  let before = String(decoding: UnsafeRawBufferPointer(start: line, count: offset), as: UTF8.self)
  switch editor.completer.complete(word: String(cString: text), before: before) {
  case .fileNames:
    meta_rl_set_completion_over(0)
    return nil
  case .words(let words):
    return matchList(words)
  }
}

/// The array readline expects from a completion function, allocated with
/// malloc because readline frees it: the common prefix of all matches (what
/// replaces the word), then the matches, then NULL.
private func matchList(_ words: [String]) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
  guard let first = words.first else { return nil }
  let entries = words.count == 1 ? [first] : [commonPrefix(words)] + words
  let size = MemoryLayout<UnsafeMutablePointer<CChar>?>.stride * (entries.count + 1)
  guard let raw = malloc(size) else { return nil }
  let list = raw.bindMemory(to: UnsafeMutablePointer<CChar>?.self, capacity: entries.count + 1)
  for (i, entry) in entries.enumerated() { list[i] = strdup(entry) }
  list[entries.count] = nil
  return list
}

private func commonPrefix(_ words: [String]) -> String {
  guard var prefix = words.first else { return "" }
  for word in words.dropFirst() {
    while !word.hasPrefix(prefix) { prefix.removeLast() }
  }
  return prefix
}
