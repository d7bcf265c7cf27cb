// Output redirected to a file is block-buffered, but a finished line still goes
// out within about a second, so the log of a long training run stays current.

import Foundation
import XCTest

final class OutputFlushTests: XCTestCase {
  func testRedirectedOutputShowsLinesWhileTheScriptRuns() throws {
    let scratch = try TemporaryDirectory()
    // Two lines 1.2 s apart, then 6 s more of work before the script ends.
    let script = scratch.write("slow.meta", """
      print("first")
      let t = clock()
      while clock() - t < 1.2 { }
      print("second")
      let u = clock()
      while clock() - u < 6 { }
      print("done")
      """)
    let outURL = scratch.write("stdout.txt", "")
    let process = Process()
    process.executableURL = try MetaProcess.executable("meta")
    process.arguments = [script.path]
    process.standardOutput = try FileHandle(forWritingTo: outURL)
    process.standardError = FileHandle.nullDevice
    try process.run()
    defer { if process.isRunning { process.terminate() } }

    // Both lines must reach the file while the script is still busy.
    var seen = ""
    let deadline = Date().addingTimeInterval(30)
    while Date() < deadline, process.isRunning, !seen.contains("second\n") {
      Thread.sleep(forTimeInterval: 0.05)
      seen = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
    }
    XCTAssertTrue(process.isRunning, "the script ended before its output appeared: \(seen.debugDescription)")
    XCTAssertEqual(seen, "first\nsecond\n")
    process.waitUntilExit()
    XCTAssertEqual(try String(contentsOf: outURL, encoding: .utf8), "first\nsecond\ndone\n")
  }
}
