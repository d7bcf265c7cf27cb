// Ctrl-C: stop the running evaluation, never the REPL.
//
// SIGINT is ignored at the process level and observed through a dispatch
// source instead, so it arrives on an ordinary queue where it may take locks
// and call into the interpreter (a real signal handler may do neither).

import Dispatch
import Foundation
import MetaLang

/// Routes SIGINT to whatever the program is doing at that moment.
final class InterruptHandler: @unchecked Sendable {
  /// What a Ctrl-C means while no evaluation runs.
  enum IdleAction {
    /// Wake the line editor (it clears the line being edited).
    case wakeEditor
    /// Leave with status 130, as a program without a prompt should.
    case exit
  }

  /// The read end of a pipe that receives one byte per Ctrl-C at the prompt;
  /// the line editor polls it next to standard input.
  let wakeDescriptor: Int32
  private let wakeWriteEnd: Int32
  private let lock = NSLock()
  // Guarded by `lock`. The interpreter is only used for `interrupt()`, which is
  // documented as safe to call from any thread.
  private let interpreter: Interpreter
  private let output: OutputBuffer
  private var idleAction: IdleAction
  private var evaluating = false
  private var interruptsDuringEvaluation = 0
  private var source: DispatchSourceSignal?

  init(interpreter: Interpreter, output: OutputBuffer, idleAction: IdleAction) {
    self.interpreter = interpreter
    self.output = output
    self.idleAction = idleAction
    var fds: [Int32] = [-1, -1]
    if pipe(&fds) == 0 {
      for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
      wakeDescriptor = fds[0]
      wakeWriteEnd = fds[1]
    } else {
      // Without a pipe Ctrl-C still interrupts evaluations; only the prompt won't see it.
      wakeDescriptor = -1
      wakeWriteEnd = -1
    }
    signal(SIGINT, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
    source.setEventHandler { [weak self] in self?.handleInterrupt() }
    source.resume()
    self.source = source
  }

  deinit {
    source?.cancel()
    signal(SIGINT, SIG_DFL)
    if wakeDescriptor >= 0 { close(wakeDescriptor) }
    if wakeWriteEnd >= 0 { close(wakeWriteEnd) }
  }

  /// Changes what Ctrl-C does outside evaluations.
  func setIdleAction(_ action: IdleAction) {
    lock.lock()
    idleAction = action
    lock.unlock()
  }

  /// Runs `body` (an evaluation) so that Ctrl-C interrupts it.
  func whileEvaluating<T>(_ body: () throws -> T) rethrows -> T {
    lock.lock()
    evaluating = true
    interruptsDuringEvaluation = 0
    lock.unlock()
    defer {
      lock.lock()
      evaluating = false
      lock.unlock()
    }
    return try body()
  }

  private func handleInterrupt() {
    lock.lock()
    defer { lock.unlock() }
    if evaluating {
      interruptsDuringEvaluation += 1
      // A second Ctrl-C means the evaluation did not respond (e.g. it is stuck in a
      // long native call): give the user their terminal back.
      if interruptsDuringEvaluation >= 2 { hardExit() }
      interpreter.interrupt()
      return
    }
    switch idleAction {
    case .exit:
      hardExit()
    case .wakeEditor:
      var byte: UInt8 = 3
      if wakeWriteEnd >= 0 { _ = write(wakeWriteEnd, &byte, 1) }
    }
  }

  private func hardExit() -> Never {
    output.flush()
    writeToStandardError("\nmeta: interrupted\n")
    _exit(130)
  }
}
