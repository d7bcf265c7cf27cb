// The differential suite: Meta against PyTorch's reference values in
// Tests/differential/fixtures (docs/differential-testing.md). No Python runs here.
//
// A case listed in Tests/differential/known_failures.txt is expected to fail; one
// that passes fails the test ("now passes"), so the list only ever shrinks.
// DIFFTEST_REPORT=<file> writes every failing case (listed or not) with its first
// difference, for maintaining the list.

import Foundation
import XCTest

final class DifferentialTests: XCTestCase {
  /// Every fixture group has a test below (checked by testEveryGroupIsChecked).
  static let checkedGroups = [
    "elementwise", "arithmetic", "reductions", "softmax", "shape", "creation", "nn", "compositions", "programs",
    "planned_reductions", "planned_elementwise", "planned_shape", "planned_nn", "planned_distributions",
    "dtypes", "truth", "linalg",
  ]

  func testElementwise() throws { try check("elementwise") }
  func testArithmetic() throws { try check("arithmetic") }
  func testReductions() throws { try check("reductions") }
  func testSoftmax() throws { try check("softmax") }
  func testShape() throws { try check("shape") }
  func testCreation() throws { try check("creation") }
  func testNN() throws { try check("nn") }
  func testCompositions() throws { try check("compositions") }
  func testRandomPrograms() throws { try check("programs") }
  func testPlannedReductions() throws { try check("planned_reductions") }
  func testPlannedElementwise() throws { try check("planned_elementwise") }
  func testPlannedShape() throws { try check("planned_shape") }
  func testPlannedNN() throws { try check("planned_nn") }
  func testPlannedDistributions() throws { try check("planned_distributions") }
  func testDtypes() throws { try check("dtypes") }
  func testTruth() throws { try check("truth") }
  func testLinalg() throws { try check("linalg") }

  func testEveryGroupIsChecked() throws {
    XCTAssertEqual(try Fixtures.groupNames(), Self.checkedGroups.sorted())
  }

  /// Each listed name is a real case, listed once, with a reason.
  func testKnownFailuresNameRealCases() throws {
    var names = Set<String>()
    for group in try Fixtures.groupNames() { names.formUnion(try Fixtures.load(group).map(\.name)) }
    let text = try String(contentsOf: Fixtures.directory.appendingPathComponent("known_failures.txt"), encoding: .utf8)
    var seen = Set<String>()
    for raw in text.split(separator: "\n") {
      let line = raw.trimmingCharacters(in: .whitespaces)
      if line.isEmpty || line.hasPrefix("#") { continue }
      let parts = line.split(separator: " ", maxSplits: 1)
      let name = String(parts[0])
      XCTAssertTrue(names.contains(name), "known_failures.txt lists \(name), which no fixture has")
      XCTAssertTrue(seen.insert(name).inserted, "known_failures.txt lists \(name) twice")
      XCTAssertEqual(parts.count, 2, "known_failures.txt: \(name) needs a reason")
    }
  }

  private func check(_ group: String) throws {
    let cases = try Fixtures.load(group)
    let known = try Fixtures.knownFailures()
    XCTAssertFalse(cases.isEmpty, "\(group): no cases")
    let runner = CaseRunner()
    var report: [String] = []
    var passed = 0, expected = 0
    for c in cases {
      let failure = runner.run(c)
      if let failure { report.append("\(c.name) \(failure)") }
      switch (failure, known[c.name]) {
      case (nil, nil): passed += 1
      case (nil, let reason?):
        XCTFail("\(c.name) now passes: remove it from Tests/differential/known_failures.txt (listed: \(reason))")
      case (let f?, nil):
        XCTFail("\(group)/\(c.name): `\(c.expr)`: \(f)")
      case (_?, _?): expected += 1
      }
    }
    print("differential \(group): \(cases.count) cases, \(passed) pass, \(expected) known failures")
    if let path = ProcessInfo.processInfo.environment["DIFFTEST_REPORT"], !report.isEmpty {
      let text = report.map { "\(group)\t\($0)\n" }.joined()
      if let handle = FileHandle(forWritingAtPath: path) {
        handle.seekToEndOfFile()
        handle.write(Data(text.utf8))
        handle.closeFile()
      } else {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
      }
    }
  }
}
