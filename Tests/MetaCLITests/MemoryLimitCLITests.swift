// `meta` under a 6 GB address space (`ulimit -v`): a tensor too big for it was a
// fatal error in malloc (issue 13); now it is an "out of memory" error at the call,
// from the default `--max-memory` (3/4 of what the process may have) or, past that,
// from the failed allocation itself.

import Foundation
import XCTest

final class MemoryLimitCLITests: XCTestCase {
  /// Runs `meta arguments...` with at most `kilobytes` of address space.
  func runLimited(_ arguments: [String], kilobytes: Int = 6_000_000) throws -> ProcessResult {
    let meta = try MetaProcess.executable("meta")
    return try MetaProcess.run(
      executable: URL(fileURLWithPath: "/bin/sh"),
      ["-c", "ulimit -v \(kilobytes) && exec \"$0\" \"$@\"", meta.path] + arguments)
  }

  func testDefaultLimitFollowsTheAddressSpace() throws {
    // 3/4 of 6,000,000 KiB.
    let limit = 6_000_000 * 1024 * 3 / 4
    for (source, column) in [("zeros([1500000000])", 1), ("ones([1]).expand([2000000000]) + 1", 32)] {
      let r = try runLimited(["-e", source])
      XCTAssertEqual(r.status, 1, r.stderr)
      XCTAssertTrue(r.stderr.hasPrefix("<string>:1:\(column): error: out of memory: a tensor of "), r.stderr)
      XCTAssertTrue(r.stderr.contains("(limit \(limit) bytes)"), r.stderr)
    }
  }

  func testLimitOnTheCommandLine() throws {
    let r = try runLimited([
      "--max-memory", "256M", "-e",
      """
      var xs = []
      let e = try { for i in range(100) { xs.append(ones([16777216])) } } catch e { e.message }
      print(len(xs), e)
      """,
    ])
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertEqual(
      r.stdout, "4 out of memory: a tensor of 67108864 bytes does not fit, 268435456 in use (limit 268435456 bytes)\n")
    let bad = try MetaProcess.run(["--max-memory", "lots", "-e", "1"])
    XCTAssertEqual(bad.status, 64)
    XCTAssertTrue(bad.stderr.contains("--max-memory"), bad.stderr)
  }

  /// With no limit of its own (`none`), a failed allocation is still an error, not an abort.
  func testFailedAllocationIsAnError() throws {
    let r = try runLimited(["--max-memory", "none", "-e", "zeros([1500000000])"])
    XCTAssertEqual(r.status, 1, r.stderr)
    XCTAssertTrue(
      r.stderr.hasPrefix("<string>:1:1: error: out of memory: cannot allocate 6442450944 bytes for a tensor of 1500000000 elements"),
      r.stderr)
    // Printing a large tensor reads only the elements it shows (a copy of all 1.6 GB
    // did not fit in 3 GB and aborted).
    let p = try runLimited(["--max-memory", "none", "-e", "print(zeros([400000000]))"], kilobytes: 3_000_000)
    XCTAssertEqual(p.status, 0, p.stderr)
    XCTAssertEqual(p.stdout, "tensor([0., 0., 0., ..., 0., 0., 0.], shape=[400000000])\n")
  }

  /// Too little address space for the evaluation thread's stack: an error, not a hang.
  func testNoRoomForTheEvaluationThread() throws {
    let kilobytes = 480_000  // below the 512 MiB stack
    let r = try runLimited(["-e", "print(1)"], kilobytes: kilobytes)
    XCTAssertEqual(r.status, 1, r.stderr)
    XCTAssertTrue(r.stderr.contains("error: cannot start the evaluation thread"), r.stderr)
  }
}
