// The embedding sample runs to completion and shows each feature it demonstrates.

import XCTest

final class EmbedExampleTests: XCTestCase {
  func testEmbedExampleRunsToCompletion() throws {
    let result = try MetaProcess.run(executable: MetaProcess.executable("embed-example"), [])
    XCTAssertEqual(result.stderr, "")
    XCTAssertEqual(result.status, 0, result.stdout)
    let lines = result.stdout.split(separator: "\n").map(String.init)
    // hypot(3, 4) = 5, scaled by 2.
    XCTAssertTrue(lines.contains("distance: 10.0 cm"), result.stdout)
    // The native function's own message reaches the script's catch.
    XCTAssertTrue(lines.contains { $0.hasPrefix("caught in Meta: ") && $0.contains("x must be a number, not String") },
                  result.stdout)
    XCTAssertTrue(lines.contains("read back in Swift: d = 10.0"), result.stdout)
    // The uncaught error arrives in Swift rendered with its location and source line.
    let swiftError = try XCTUnwrap(lines.firstIndex(of: "caught in Swift:"), result.stdout)
    XCTAssertTrue(lines.count > swiftError + 2 && lines[swiftError + 1].hasPrefix("bad.meta:1:"), result.stdout)
    XCTAssertTrue(lines[swiftError + 1].contains("hypot takes 2 positional arguments (got 1)"), result.stdout)
    XCTAssertEqual(lines[swiftError + 2], "    hypot(1)")
    XCTAssertTrue(lines.contains { $0.hasPrefix("stopped by the step limit: ") }, result.stdout)
    XCTAssertFalse(result.stdout.contains("the loop ended?"))
  }
}
