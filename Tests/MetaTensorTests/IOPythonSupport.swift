import Foundation
import XCTest

/// Runs a Python 3 script with NumPy for interoperability checks; throws
/// XCTSkip when python3 or numpy is not installed, so those tests degrade to skips.
enum PythonNumPy {
  static func run(_ script: String, arguments: [String] = [], stdin: String = "") throws -> String {
    let guarded = """
      import sys
      try:
          import numpy as np
      except ImportError:
          print("__NO_NUMPY__"); sys.exit(0)
      """ + "\n" + script
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", guarded] + arguments
    let output = Pipe(), errors = Pipe(), input = Pipe()
    process.standardOutput = output
    process.standardError = errors
    process.standardInput = input
    do { try process.run() } catch { throw XCTSkip("python3 is not available: \(error)") }
    // Feed stdin and drain stdout concurrently so neither pipe fills up and blocks.
    let writer = Thread {
      input.fileHandleForWriting.write(Data(stdin.utf8))
      try? input.fileHandleForWriting.close()
    }
    writer.start()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    let text = String(decoding: data, as: UTF8.self)
    if process.terminationStatus == 127 { throw XCTSkip("python3 is not available") }
    if text.hasPrefix("__NO_NUMPY__") { throw XCTSkip("numpy is not installed") }
    guard process.terminationStatus == 0 else {
      XCTFail("python3 failed (\(process.terminationStatus)): \(errorText)")
      return ""
    }
    return text
  }

  /// A fresh empty directory for one test's files.
  static func temporaryDirectory() throws -> String {
    let dir = FileManager.default.temporaryDirectory
      .appendingPathComponent("metatensor-io-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
  }
}
