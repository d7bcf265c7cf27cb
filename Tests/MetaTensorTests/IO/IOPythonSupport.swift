import Foundation
import XCTest
@testable import MetaTensor

/// Runs a Python 3 script with NumPy for interoperability checks; throws
/// XCTSkip when python3 or numpy is not installed, so those tests degrade to
/// skips, except under `META_REQUIRE_NUMPY=1` (set by `scripts/test`, which
/// installs numpy), where a missing numpy fails the test instead.
enum PythonNumPy {
  /// Skips, or fails when numpy is required.
  private static func unavailable(_ reason: String) throws -> Never {
    if ProcessInfo.processInfo.environment["META_REQUIRE_NUMPY"] == "1" {
      throw TensorError("\(reason), but META_REQUIRE_NUMPY=1 requires it")
    }
    throw XCTSkip(reason)
  }

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
    do { try process.run() } catch { try unavailable("python3 is not available: \(error)") }
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
    if process.terminationStatus == 127 { try unavailable("python3 is not available") }
    if text.hasPrefix("__NO_NUMPY__") { try unavailable("numpy is not installed") }
    guard process.terminationStatus == 0 else {
      XCTFail("python3 failed (\(process.terminationStatus)): \(errorText)")
      return ""
    }
    return text
  }

  /// Python source of `describe(a)`: an array as `dtype;values`, the dtype
  /// MetaTensor reads it as and its values exactly (float bit patterns in hex,
  /// integers in decimal, bools as 0/1), as `PythonNumPy.describe` renders a tensor.
  static let describeSource = """
    def describe(a):
        a = np.ascontiguousarray(a).ravel()
        if a.dtype.kind == 'b': return 'bool;' + ','.join(str(int(v)) for v in a)
        if a.dtype.kind in 'iu': return 'int64;' + ','.join(str(int(v)) for v in a)
        if a.dtype.kind == 'f' and a.dtype.itemsize == 8:
            return 'float64;' + ','.join('%x' % b for b in a.astype('<f8').view('<u8'))
        return 'float32;' + ','.join('%x' % b for b in a.astype('<f4').view('<u4'))

    """

  /// The tensor as `describe` prints an array: `dtype;values`, exactly.
  static func describe(_ t: Tensor) -> String {
    let values: [String]
    switch t.dtype {
    case .float32: values = t.elements(as: Float.self).map { String($0.bitPattern, radix: 16) }
    case .float64: values = t.elements(as: Double.self).map { String($0.bitPattern, radix: 16) }
    case .int64: values = t.elements(as: Int64.self).map { String($0) }
    case .bool: values = t.elements(as: Bool.self).map { $0 ? "1" : "0" }
    }
    return "\(t.dtype);" + values.joined(separator: ",")
  }

  /// A fresh empty directory for one test's files.
  static func temporaryDirectory() throws -> String {
    let dir = FileManager.default.temporaryDirectory
      .appendingPathComponent("metatensor-io-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
  }
}
