// One run of the `meta` program: the interpreter with its buffered output,
// Ctrl-C handling, and the one way errors are shown.

import Foundation
import MetaLang

/// The interpreter plus everything the command line wraps around it.
final class Session {
  let interpreter: Interpreter
  let stdout: OutputBuffer
  /// Where progress bars and `eprint` go: standard error.
  let diagnostics: DiagnosticsStream
  let interrupts: InterruptHandler
  /// "rank r of n" in a job of several ranks (Job.attach): errors name the rank.
  var rankLabel: String?

  init(options: SessionOptions, arguments: [String], idleInterrupt: InterruptHandler.IdleAction) {
    let stdout = OutputBuffer(fd: STDOUT_FILENO)
    self.stdout = stdout
    // Progress and `eprint` go to standard error (as tqdm's and cargo's do), so
    // `meta x.meta > file` keeps only the results.
    let diagnostics = DiagnosticsStream(after: stdout)
    self.diagnostics = diagnostics
    interpreter = Interpreter(
      seed: options.seed, loader: Session.moduleLoader(), output: { stdout.write($0) },
      diagnostics: { diagnostics.write($0) })
    if let threads = options.threads { interpreter.threads = threads }
    interpreter.diagnosticsIsTerminal = isatty(STDERR_FILENO) != 0
    interpreter.showsProgress = !options.quiet
    interpreter.arguments = arguments
    interpreter.limits.maxMemory = options.maxMemory.map(\.bytes) ?? MemoryLimit.defaultBytes
    interrupts = InterruptHandler(interpreter: interpreter, output: stdout, idleAction: idleInterrupt)
  }

  /// Files, with the directories of `META_PATH` (colon-separated) searched for
  /// `import name` before the embedded stdlib.
  static func moduleLoader(
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) -> FileModuleLoader {
    let paths = (environment["META_PATH"] ?? "").split(separator: ":").map(String.init)
    return FileModuleLoader(searchPaths: paths)
  }

  /// Runs `body` on the interpreter with Ctrl-C wired to interrupt it.
  func evaluate<T>(_ body: (Interpreter) throws -> T) throws -> T {
    try interrupts.whileEvaluating { try body(interpreter) }
  }

  /// Shows `error` on standard error after everything printed so far.
  ///
  /// - Parameter sources: text of inputs that are not files on disk (REPL input,
  ///   `-e`), by the name they were evaluated under, for the source line.
  func report(_ error: any Error, sources: [String: String] = [:]) {
    stdout.flush()
    diagnostics.endLine()
    let text = ErrorText.render(error, sources: sources)
    writeToStandardError((rankLabel.map { "[\($0)] " } ?? "") + text + "\n")
  }
}

/// Standard error as the diagnostics channel. What was printed before a line
/// appears before it (stdout is flushed first), and a progress bar left open by
/// its `\r` redraws is ended before an error report starts.
final class DiagnosticsStream: @unchecked Sendable {
  private let stdout: OutputBuffer
  private let lock = NSLock()
  private var lineOpen = false

  init(after stdout: OutputBuffer) { self.stdout = stdout }

  func write(_ text: String) {
    guard !text.isEmpty else { return }
    stdout.flush()
    lock.lock()
    defer { lock.unlock() }
    writeToStandardError(text)
    lineOpen = !text.hasSuffix("\n")
  }

  /// Ends a line left open; returns whether there was one.
  @discardableResult
  func endLine() -> Bool {
    lock.lock()
    defer { lock.unlock() }
    guard lineOpen else { return false }
    writeToStandardError("\n")
    lineOpen = false
    return true
  }
}

/// Turns any error the interpreter or the file system raises into the text the user sees.
enum ErrorText {
  static func render(_ error: any Error, sources: [String: String] = [:]) -> String {
    switch error {
    case let error as MetaError:
      return withSource(error, sources: sources).render()
    case let error as CannotOpen:
      return error.description
    default:
      return "meta: error: \(error)"
    }
  }

  /// Fills in the offending line when the interpreter did not, from the input
  /// text or, for errors inside files (scripts, imported modules), from the file.
  static func withSource(_ error: MetaError, sources: [String: String]) -> MetaError {
    var error = error
    func text(_ file: String) -> String? { sources[file] ?? (try? String(contentsOfFile: file, encoding: .utf8)) }
    if error.sourceLine == nil, let source = text(error.file) { error.attachSource(source) }
    if error.userCallLine == nil, let call = error.userCall, let source = text(call.file) {
      error.attachUserCallSource(source)
    }
    return error
  }
}

/// A script or input file that cannot be read.
struct CannotOpen: Error, CustomStringConvertible {
  let path: String
  let reason: String
  var description: String { "meta: cannot open '\(path)' (\(reason))" }

  /// Reads `path` as UTF-8 text, or explains (with the system's words) why not.
  static func read(_ path: String) throws -> String {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { throw CannotOpen(path: path, reason: String(cString: strerror(errno))) }
    defer { close(fd) }
    var data = [UInt8]()
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
      if n < 0 {
        if errno == EINTR { continue }
        throw CannotOpen(path: path, reason: String(cString: strerror(errno)))
      }
      if n == 0 { break }
      data.append(contentsOf: chunk[0..<n])
    }
    guard let text = String(validating: data, as: UTF8.self) else {
      throw CannotOpen(path: path, reason: "not valid UTF-8 text")
    }
    return text
  }
}
