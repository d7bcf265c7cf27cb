// Standard output carries only what a script prints; progress bars and eprint go
// to standard error (as tqdm's, pip's and cargo's do), and --quiet hides progress.

import Foundation
import XCTest

final class CleanOutputTests: XCTestCase {
  /// A short training run between two prints, a progress line every step.
  private static let training = """
    import nn
    print("before")
    let algo = maml(Learner(nn.mlp([1, 8, 1]), lr: 0.01), outer: adam(lr: 0.01))
    let h = algo.fit(sine_tasks(shots: 3, queries: 3), steps: 3, batch: 2, log_every: 1)
    print("trained", len(h))
    eprint("note")
    """

  private func run(_ options: [String], mergeOutput: Bool = false) throws -> ProcessResult {
    let scratch = try TemporaryDirectory()
    let script = scratch.write("train.meta", Self.training)
    return try MetaProcess.run(options + [script.path], mergeOutput: mergeOutput)
  }

  func testProgressGoesToStandardErrorAndOutputHoldsOnlyPrints() throws {
    let r = try run([])
    XCTAssertEqual(r.status, 0, r.stderr)
    XCTAssertEqual(r.stdout, "before\ntrained 3\n")
    let lines = r.stderr.split(separator: "\n").map(String.init)
    XCTAssertEqual(lines.count, 5, r.stderr)
    for (i, line) in lines.prefix(3).enumerated() {
      XCTAssertTrue(line.hasPrefix("maml step \(i + 1)/3 loss "), line)
    }
    XCTAssertTrue(lines[3].hasPrefix("maml done: 3/3 steps in "), lines[3])
    XCTAssertEqual(lines[4], "note")
  }

  func testQuietHidesProgressButNotEprint() throws {
    for flag in ["--quiet", "-q"] {
      let r = try run([flag])
      XCTAssertEqual(r.status, 0, r.stderr)
      XCTAssertEqual(r.stdout, "before\ntrained 3\n", flag)
      XCTAssertEqual(r.stderr, "note\n", flag)
    }
  }

  func testProgressKeepsItsPlaceAmongPrintsOnOneStream() throws {
    // Both streams into one file (a terminal, or `2>&1`): stdout is flushed
    // before each progress line, so the order is the order of events.
    let r = try run([], mergeOutput: true)
    XCTAssertEqual(r.status, 0, r.stdout)
    let lines = r.stdout.split(separator: "\n").map(String.init)
    XCTAssertEqual(lines.count, 7, r.stdout)
    XCTAssertEqual(lines.first, "before")
    XCTAssertTrue(lines[1].hasPrefix("maml step 1/3"), lines[1])
    XCTAssertTrue(lines[4].hasPrefix("maml done: 3/3"), lines[4])
    XCTAssertEqual(Array(lines.suffix(2)), ["trained 3", "note"])
  }

  func testHelpDocumentsQuiet() throws {
    let r = try MetaProcess.run(["--help"])
    XCTAssertEqual(r.status, 0)
    XCTAssertTrue(r.stdout.contains("-q, --quiet"), r.stdout)
    XCTAssertTrue(r.stdout.contains("standard error"), r.stdout)
  }
}
