// The non-interactive modes: run a file, run `-e` source, check files.
// Each returns the process exit status instead of exiting, so the caller can
// flush output first.

import Foundation
import MetaLang

/// Exit statuses of the `meta` program.
enum ExitStatus {
  static let success: Int32 = 0
  /// Any error: syntax, name, runtime, limit, unreadable file.
  static let failure: Int32 = 1
  /// A malformed command line (as sysexits.h EX_USAGE).
  static let usage: Int32 = 64
  /// Stopped by Ctrl-C (128 + SIGINT, as shells report it).
  static let interrupted: Int32 = 130
}

enum ScriptRunner {
  /// Runs the script at `path`. A missing file is reported like any error.
  static func runFile(_ path: String, session: Session) -> Int32 {
    do {
      // Read it once here so an unreadable path gets a plain message, not a trace.
      _ = try CannotOpen.read(path)
      try session.evaluate { _ = try $0.run(file: path) }
      session.stdout.flush()
      return ExitStatus.success
    } catch {
      session.report(error)
      return status(for: error)
    }
  }

  /// The name `-e` source has in error messages.
  static let commandLineSourceName = "<string>"

  /// Runs `source` exactly as if it were a script file (its final value is not printed).
  static func runSource(_ source: String, session: Session) -> Int32 {
    do {
      try session.evaluate { _ = try $0.evaluate(source, name: commandLineSourceName) }
      session.stdout.flush()
      return ExitStatus.success
    } catch {
      session.report(error, sources: [commandLineSourceName: source])
      return status(for: error)
    }
  }

  /// Parses and resolves every file without running it, reporting all errors of all files.
  static func check(_ paths: [String], session: Session) -> Int32 {
    var failed = false
    for path in paths {
      let errors: [any Error]
      do {
        let source = try CannotOpen.read(path)
        errors = session.interpreter.check(source, name: path).map {
          ErrorText.withSource($0, sources: [path: source])
        }
      } catch {
        errors = [error]
      }
      for error in errors {
        session.report(error)
        failed = true
      }
    }
    return failed ? ExitStatus.failure : ExitStatus.success
  }

  static func status(for error: any Error) -> Int32 {
    if let error = error as? MetaError, error.kind == .interrupt { return ExitStatus.interrupted }
    return ExitStatus.failure
  }
}
