import Foundation
import XCTest
@testable import MetaTensor

final class IOAtomicFileTests: XCTestCase {
  private func entries(_ dir: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
  }

  func testWriteCreatesAndReplaces() throws {
    let dir = try PythonNumPy.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = dir + "/a.bin"
    try AtomicFile.write([1, 2, 3], to: path)
    XCTAssertEqual(try AtomicFile.read(path), [1, 2, 3])
    // Larger than the 1 MiB read chunk.
    let big = [UInt8]((0..<1_500_000).lazy.map { UInt8(truncatingIfNeeded: $0 &* 7) })
    try AtomicFile.write(big, to: path)
    XCTAssertTrue(try AtomicFile.read(path) == big)
    try AtomicFile.write([], to: path)
    XCTAssertEqual(try AtomicFile.read(path), [])
    XCTAssertEqual(entries(dir), ["a.bin"])  // no temporary files left behind
  }

  func testRelativePathWritesIntoCurrentDirectory() throws {
    let dir = try PythonNumPy.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let previous = FileManager.default.currentDirectoryPath
    XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(dir))
    defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
    try AtomicFile.write([9], to: "rel.bin")
    XCTAssertEqual(try AtomicFile.read(dir + "/rel.bin"), [9])
  }

  func testFailureLeavesDestinationUntouched() throws {
    let dir = try PythonNumPy.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    // The destination is a non-empty directory: rename fails after the data was written.
    try FileManager.default.createDirectory(atPath: dir + "/target/inner", withIntermediateDirectories: true)
    XCTAssertThrowsError(try AtomicFile.write([1, 2], to: dir + "/target")) { error in
      XCTAssertTrue("\(error)".contains("target: cannot replace the file"), "\(error)")
    }
    XCTAssertEqual(entries(dir), ["target"])
    XCTAssertEqual(entries(dir + "/target"), ["inner"])
    // A missing directory: nothing can be created.
    XCTAssertThrowsError(try AtomicFile.write([1], to: dir + "/nope/x.bin")) { error in
      XCTAssertTrue("\(error)".contains("cannot create a temporary file"), "\(error)")
    }
    XCTAssertThrowsError(try AtomicFile.write([1], to: dir + "/"))
    XCTAssertEqual(entries(dir), ["target"])
  }

  func testReadErrorsNameTheFile() throws {
    let dir = try PythonNumPy.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    XCTAssertThrowsError(try AtomicFile.read(dir + "/absent.npy")) { error in
      XCTAssertEqual((error as? TensorError)?.message, "\(dir)/absent.npy: cannot open: No such file or directory")
    }
    XCTAssertThrowsError(try AtomicFile.read(dir)) { error in
      XCTAssertTrue("\(error)".contains("not a regular file"), "\(error)")
    }
  }
}
