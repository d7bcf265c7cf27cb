// Runs the built `meta` (and `embed-example`) executables as child processes.

import Foundation
import XCTest

/// What a finished child process left behind.
struct ProcessResult {
  var status: Int32
  var stdout: String
  var stderr: String
}

enum MetaProcess {
  /// The directory holding the built products (next to the test bundle).
  static var productsDirectory: URL {
    let candidates = [
      Bundle.main.bundleURL,
      Bundle.main.bundleURL.deletingLastPathComponent(),
      URL(fileURLWithPath: CommandLine.arguments.first ?? ".").deletingLastPathComponent(),
    ]
    return candidates.first {
      FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent("meta").path)
    } ?? Bundle.main.bundleURL.deletingLastPathComponent()
  }

  /// The package root (for samples/).
  static let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  static func executable(_ name: String) throws -> URL {
    let url = productsDirectory.appendingPathComponent(name)
    guard FileManager.default.isExecutableFile(atPath: url.path) else {
      throw MissingProduct(path: url.path)
    }
    return url
  }

  /// Runs `meta` with `arguments`, feeding `stdin` (empty input if nil).
  static func run(
    _ arguments: [String], stdin: String = "", environment: [String: String] = [:],
    directory: URL? = nil, mergeOutput: Bool = false, interruptAfter: TimeInterval? = nil,
    timeout: TimeInterval = 120
  ) throws -> ProcessResult {
    try run(executable: executable("meta"), arguments, stdin: stdin, environment: environment,
            directory: directory, mergeOutput: mergeOutput, interruptAfter: interruptAfter,
            timeout: timeout)
  }

  /// Runs any program; output goes through files so a chatty child never blocks on a pipe.
  /// With `mergeOutput`, stderr goes into the same file as stdout (to check their order);
  /// `interruptAfter` sends SIGINT (what Ctrl-C sends) that many seconds after the start.
  static func run(
    executable: URL, _ arguments: [String], stdin: String = "",
    environment: [String: String] = [:], directory: URL? = nil, mergeOutput: Bool = false,
    interruptAfter: TimeInterval? = nil, timeout: TimeInterval = 120
  ) throws -> ProcessResult {
    let scratch = try TemporaryDirectory()
    let inURL = scratch.write("stdin.txt", stdin)
    let outURL = scratch.write("stdout.txt", "")
    let errURL = scratch.write("stderr.txt", "")
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    if let directory { process.currentDirectoryURL = directory }
    let input = try FileHandle(forReadingFrom: inURL)
    let output = try FileHandle(forWritingTo: outURL)
    let errors = mergeOutput ? output : try FileHandle(forWritingTo: errURL)
    process.standardInput = input
    process.standardOutput = output
    process.standardError = errors
    let done = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in done.signal() }
    try process.run()
    if let interruptAfter {
      Thread.sleep(forTimeInterval: interruptAfter)
      process.interrupt()
    }
    if done.wait(timeout: .now() + timeout) == .timedOut {
      process.terminate()
      _ = done.wait(timeout: .now() + 10)
      XCTFail("\(executable.lastPathComponent) \(arguments) timed out after \(timeout) s")
    }
    try? input.close(); try? output.close(); try? errors.close()
    return ProcessResult(
      status: process.terminationStatus,
      stdout: try String(contentsOf: outURL, encoding: .utf8),
      stderr: try String(contentsOf: errURL, encoding: .utf8))
  }
}

/// A product the tests need was not built (run `swift build --build-tests` first).
struct MissingProduct: Error, CustomStringConvertible {
  let path: String
  var description: String { "not built: \(path)" }
}

/// A fresh directory removed when the value goes away.
final class TemporaryDirectory {
  let url: URL

  init() throws {
    url = FileManager.default.temporaryDirectory
      .appendingPathComponent("meta-cli-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(at: url) }

  /// Writes `text` to `name` inside the directory and returns its URL.
  @discardableResult
  func write(_ name: String, _ text: String) -> URL {
    let file = url.appendingPathComponent(name)
    _ = FileManager.default.createFile(atPath: file.path, contents: Data(text.utf8))
    return file
  }

  func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}
