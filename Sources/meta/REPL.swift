// The read-eval-print loop: reads (possibly multi-line) inputs, evaluates them
// in one interpreter session and prints expression values.

import Foundation
import MetaLang

/// One REPL session over a line editor.
final class REPL {
  static let banner = "Meta 0.1.0. Type :help for help, :quit or Ctrl-D to leave."
  /// The name inputs have in error messages.
  static let inputName = "<repl>"
  static let historyFileName = ".meta_history"

  let session: Session
  let editor: any LineEditor
  /// Whether any input failed; the exit status of a scripted (piped) session.
  private(set) var failed = false

  init(session: Session, editor: any LineEditor) {
    self.session = session
    self.editor = editor
  }

  /// Starts the REPL on standard input: readline on a terminal, plain lines otherwise.
  static func start(options: SessionOptions) -> Int32 {
    let interactive = isatty(STDIN_FILENO) == 1
    let session = Session(options: options, arguments: [],
                          idleInterrupt: interactive ? .wakeEditor : .exit)
    // Ctrl-C in `fit` gives back the history so far instead of an error.
    session.interpreter.interruptReturns = true
    let editor: any LineEditor
    if interactive {
      let home = ProcessInfo.processInfo.environment["HOME"].flatMap { $0.isEmpty ? nil : $0 }
      editor = ReadlineEditor(
        completer: Completer(interpreter: session.interpreter),
        wakeDescriptor: session.interrupts.wakeDescriptor,
        historyPath: home.map { URL(fileURLWithPath: $0).appendingPathComponent(historyFileName).path })
    } else {
      editor = PlainLineEditor()
    }
    return REPL(session: session, editor: editor).run()
  }

  /// Runs until end of input or `:quit`; returns the exit status.
  func run() -> Int32 {
    if editor.isInteractive { session.stdout.write(Self.banner + "\n") }
    var pending: [String] = []
    reading: while true {
      // Everything printed so far must be visible before waiting for the user, and
      // the prompt must not land on a progress bar's unfinished line.
      session.stdout.flush()
      session.diagnostics.endLine()
      switch editor.readLine(prompt: pending.isEmpty ? "> " : "... ") {
      case .endOfInput:
        // An unfinished input is evaluated anyway, to show its error.
        if !pending.isEmpty { evaluate(pending.joined(separator: "\n")) }
        if editor.isInteractive { session.stdout.write("\n") }
        break reading
      case .interrupted:
        pending = []
      case .line(let line):
        editor.addToHistory(line)
        let blank = line.allSatisfy(\.isWhitespace)
        if pending.isEmpty {
          if blank { continue }
          let trimmed = line.drop(while: \.isWhitespace)
          if trimmed.hasPrefix(":") {
            if runCommand(String(trimmed)) == .quit { break reading }
            continue
          }
        }
        // At a terminal an empty line ends an input stuck in continuation (the
        // user sees why); piped input keeps blank lines, as inside a function body.
        let forced = editor.isInteractive && blank
        pending.append(line)
        let source = pending.joined(separator: "\n")
        if !forced && Interpreter.isIncomplete(source) { continue }
        pending = []
        evaluate(source)
      }
    }
    session.stdout.flush()
    editor.close()
    return failed && !editor.isInteractive ? ExitStatus.failure : ExitStatus.success
  }

  /// Evaluates one complete input and prints its value, or reports its error.
  func evaluate(_ source: String) {
    do {
      let value = try session.evaluate { try $0.evaluateInteractive(source, name: Self.inputName) }
      if let value { show(value) }
    } catch {
      fail(error, source: source)
    }
  }

  /// Prints a result the way the REPL shows values: quoted form, nothing for nil.
  func show(_ value: Value) {
    if case .nil_ = value { return }
    session.stdout.write(value.repr + "\n")
  }

  /// Reports an error and remembers that one happened.
  func fail(_ error: any Error, source: String? = nil) {
    failed = true
    if editor.isInteractive, let error = error as? MetaError, error.kind == .interrupt,
       !session.diagnostics.endLine() {
      // The terminal echoed ^C where the cursor was: start the report on its own line
      // (unless that already ended a progress bar's line).
      session.stdout.write("\n")
    }
    session.report(error, sources: source.map { [Self.inputName: $0] } ?? [:])
  }
}
