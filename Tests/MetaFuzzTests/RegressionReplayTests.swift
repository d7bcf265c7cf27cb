// Every input that ever made a fuzz target trap (fuzz/regressions/<target>/) goes
// through the same entry point again: the test passes when each one returns.
// A regression traps and takes the test process down with it.

import Foundation
import MetaFuzz
import MetaTensor
import XCTest

final class RegressionReplayTests: XCTestCase {
  static let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("fuzz/regressions").path

  /// Runs `body` in a fresh working directory, since scripts may write files.
  private func inScratchDirectory(_ body: () throws -> Void) throws {
    let previous = FileManager.default.currentDirectoryPath
    let scratch = NSTemporaryDirectory() + "meta-fuzz-test-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    defer {
      FileManager.default.changeCurrentDirectoryPath(previous)
      try? FileManager.default.removeItem(atPath: scratch)
    }
    XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(scratch))
    try body()
  }

  func testEveryRegressionInputReturns() throws {
    XCTAssertTrue(FileManager.default.fileExists(atPath: RegressionReplayTests.root + "/README.md"))
    try inScratchDirectory {
      for target in FuzzTarget.allCases {
        let directory = RegressionReplayTests.root + "/" + target.rawValue
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let runner = FuzzRunner(target)
        for name in names.sorted() where !name.hasPrefix(".") {
          let data = try XCTUnwrap(FileManager.default.contents(atPath: directory + "/" + name), name)
          runner.run([UInt8](data))
        }
      }
    }
  }

  /// The generated seeds are valid files of their kind (a seed the reader rejects
  /// would start the fuzzer from nothing), and they pass the round-trip checks.
  func testGeneratedSeedsDecodeAndRoundTrip() throws {
    let npy = FuzzSeeds.files(for: .npy)
    XCTAssertGreaterThan(npy.count, 10)
    for (name, bytes) in npy {
      XCTAssertNoThrow(try NpyFile.decode(bytes, name: name))
      FuzzRunner(.npy).run(bytes)
    }
    let safetensors = FuzzSeeds.files(for: .safetensors)
    XCTAssertGreaterThan(safetensors.count, 5)
    for (name, bytes) in safetensors {
      XCTAssertNoThrow(try SafetensorsFile.decode(bytes, name: name))
      FuzzRunner(.safetensors).run(bytes)
    }
    let csv = FuzzRunner(.csv)
    for (_, bytes) in FuzzSeeds.files(for: .csv) { csv.run(bytes) }
  }

  func testDictionaryHasKeywordsOperatorsAndBuiltins() {
    let lines = Set(FuzzSeeds.dictionary(for: .lang).split(separator: "\n").map(String.init))
    for word in ["\"let\"", "\"catch\"", "\"**\"", "\"+=\"", "\"print\"", "\"load_csv\"", "\"zeros\""] {
      XCTAssertTrue(lines.contains(word), word)
    }
  }
}
