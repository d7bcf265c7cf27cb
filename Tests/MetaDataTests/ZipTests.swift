import Foundation
import XCTest

@testable import MetaData

final class ZipTests: XCTestCase {
  /// The fixture written by Python's zipfile: deflated entries and one stored.
  func testListsAndInflatesPythonZip() throws {
    let archive = try ZipArchive(path: Fixture.directory + "/omniglot/images_background.zip")
    let pngs = archive.entries.filter { !$0.isDirectory }
    XCTAssertEqual(archive.entries.first?.name, "images_background/")
    XCTAssertEqual(pngs.count, 9)
    XCTAssertEqual(pngs.first?.name, "images_background/Alpha/character01/0001_01.png")
    XCTAssertEqual(Set(pngs.map(\.method)), [0, 8])
    for entry in pngs {
      let bytes = try archive.contents(of: entry)
      XCTAssertEqual(bytes.count, entry.size)
      XCTAssertEqual(Array(bytes.prefix(4)), [137, 80, 78, 71], entry.name)
      XCTAssertEqual(Fixture.crc32(bytes), entry.crc32)
    }
  }

  func testStoredZipRoundTrip() throws {
    let payload = (0..<70_000).map { UInt8($0 % 251) }
    let bytes = Fixture.zip([("a.txt", Array("hello".utf8)), ("dir/b.bin", payload), ("empty", [])])
    let archive = try ZipArchive(bytes: bytes, name: "t.zip")
    XCTAssertEqual(archive.entries.map(\.name), ["a.txt", "dir/b.bin", "empty"])
    XCTAssertEqual(try archive.contents(of: XCTUnwrap(archive.entry(named: "a.txt"))), Array("hello".utf8))
    XCTAssertEqual(try archive.contents(of: XCTUnwrap(archive.entry(named: "dir/b.bin"))), payload)
    XCTAssertEqual(try archive.contents(of: XCTUnwrap(archive.entry(named: "empty"))), [])
    XCTAssertThrowsError(try archive.contents(of: XCTUnwrap(archive.entry(named: "dir/b.bin")), limit: 1000)) {
      XCTAssertTrue("\($0)".contains("more than the limit"), "\($0)")
    }
  }

  func testBrokenArchivesGiveClearErrors() throws {
    let good = try Fixture.bytes("omniglot/images_background.zip")
    func openError(_ bytes: [UInt8]) -> String {
      do {
        _ = try ZipArchive(bytes: bytes, name: "x.zip")
        return "no error"
      } catch { return "\(error)" }
    }
    XCTAssertEqual(openError([]), "x.zip: not a zip archive, or truncated (no end-of-central-directory record)")
    XCTAssertEqual(openError(Array("just some text, not a zip at all".utf8)),
                   "x.zip: not a zip archive, or truncated (no end-of-central-directory record)")
    // Truncations cut the end record off, or leave it pointing past the data.
    for cut in [1, 10, good.count / 2] {
      XCTAssertTrue(openError(Array(good.prefix(good.count - cut))).contains("x.zip: "), "cut \(cut)")
      XCTAssertNotEqual(openError(Array(good.prefix(good.count - cut))), "no error", "cut \(cut)")
    }
    // The start of the central directory, moved past its end.
    var shifted = good
    let end = good.count - 22
    shifted[end + 16] = 0xFF
    shifted[end + 17] = 0xFF
    XCTAssertTrue(openError(shifted).contains("central directory"), openError(shifted))
  }

  func testCorruptEntryData() throws {
    let good = try Fixture.bytes("omniglot/images_background.zip")
    let archive = try ZipArchive(bytes: good, name: "x.zip")
    let entry = try XCTUnwrap(archive.entries.first { $0.method == 8 })
    // Overwrite the middle of the compressed data: inflate fails or the CRC differs.
    var bad = good
    let start = entry.localHeaderOffset + 30 + entry.name.utf8.count
    for i in 0..<8 { bad[start + entry.compressedSize / 2 + i] ^= 0x5A }
    let damaged = try ZipArchive(bytes: bad, name: "x.zip")
    XCTAssertThrowsError(try damaged.contents(of: entry)) { error in
      let text = "\(error)"
      XCTAssertTrue(text.hasPrefix("x.zip: \(entry.name): "), text)
      XCTAssertTrue(text.contains("corrupt") || text.contains("CRC") || text.contains("expected"), text)
    }
    // A stored entry whose bytes changed fails the CRC check.
    var stored = Fixture.zip([("a", Array("hello".utf8))])
    stored[30 + 1] = UInt8(ascii: "a")
    XCTAssertThrowsError(try ZipArchive(bytes: stored, name: "s.zip").contents(of: XCTUnwrap(ZipArchive(bytes: stored, name: "s.zip").entries.first))) {
      XCTAssertEqual("\($0)", "s.zip: a: CRC-32 mismatch (corrupt data)")
    }
  }
}
