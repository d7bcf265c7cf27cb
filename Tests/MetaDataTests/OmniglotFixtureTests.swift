import Foundation
import Synchronization
import XCTest

@testable import MetaData

/// The loader on Fixtures/omniglot: five characters of three drawings, drawing
/// d of character c (numbered over both archives) being white with a black
/// 21×30 rectangle at x = 6d + 3, y = 9c + 3d (see make_fixtures.py).
final class OmniglotFixtureTests: XCTestCase {
  let root = Fixture.directory + "/omniglot"

  func ink(character c: Int, drawing d: Int, x: Int, y: Int) -> Float {
    let top = 9 * c + 3 * d, left = 6 * d + 3
    return (top..<top + 30).contains(y) && (left..<left + 21).contains(x) ? 1 : 0
  }

  func load(_ split: OmniglotSplit, size: Int = 105, rotations: Bool = false, cache: String? = nil,
            root: String? = nil) throws -> OmniglotData {
    var options = OmniglotOptions(root: root ?? self.root)
    options.split = split
    options.size = size
    options.rotations = rotations
    options.cacheDirectory = cache
    return try Omniglot.load(options)
  }

  func testFullSizeImagesAreTheDrawingsWithInkOne() throws {
    let data = try load(.train)
    XCTAssertEqual(data.classNames, ["Alpha/character01/rot000", "Gamma/character01/rot000"])
    XCTAssertEqual(data.labels, [0, 0, 0, 1, 1, 1])
    XCTAssertEqual(data.x.shape, [6, 1, 105, 105])
    let pixels = data.x.scalars
    for (row, (c, d)) in [(0, 0), (0, 1), (0, 2), (3, 0), (3, 1), (3, 2)].enumerated() {
      for y in 0..<105 {
        for x in 0..<105 where pixels[row * 11025 + y * 105 + x] != ink(character: c, drawing: d, x: x, y: y) {
          return XCTFail("row \(row) differs at (\(x), \(y))")
        }
      }
    }
  }

  func testSplitsFollowTheSplitFiles() throws {
    XCTAssertEqual(try load(.test).classNames, ["Gamma/character02/rot000", "Alpha/character02/rot000"])
    XCTAssertEqual(try load(.val).classNames, ["Beta/character01/rot000"])
    XCTAssertEqual(try load(.trainval).classNames.count, 3)
  }

  /// 105 → 35 averages 3×3 blocks; the rectangles lie on block edges, so the
  /// result is the rectangle at a third of the size.
  func testDownsampledByBlocks() throws {
    let data = try load(.test, size: 35)
    XCTAssertEqual(data.x.shape, [6, 1, 35, 35])
    let pixels = data.x.scalars
    let c = 4, d = 2  // first class: Gamma/character02, drawing 3
    for y in 0..<35 {
      for x in 0..<35 {
        XCTAssertEqual(pixels[(d * 35 + y) * 35 + x], ink(character: c, drawing: d, x: 3 * x, y: 3 * y), accuracy: 1e-6)
      }
    }
  }

  func testRotationsAreExtraClasses() throws {
    let data = try load(.train, rotations: true)
    XCTAssertEqual(data.classNames.count, 8)
    XCTAssertEqual(data.classNames[0...3], ["Alpha/character01/rot000", "Alpha/character01/rot090",
                                             "Alpha/character01/rot180", "Alpha/character01/rot270"])
    XCTAssertEqual(data.labels, (0..<8).flatMap { [$0, $0, $0] })
    let pixels = data.x.scalars, n = 105
    func at(_ row: Int, _ x: Int, _ y: Int) -> Float { pixels[row * n * n + y * n + x] }
    // Class k, drawing 1 is row 3k + 1. A counter-clockwise quarter turn sends
    // the pixel at (x, y) to (y, n−1−x).
    for y in stride(from: 0, to: n, by: 2) {
      for x in stride(from: 0, to: n, by: 2) {
        let v = ink(character: 0, drawing: 1, x: x, y: y)
        XCTAssertEqual(at(1, x, y), v)
        XCTAssertEqual(at(4, y, n - 1 - x), v, "rot090 at (\(x), \(y))")
        XCTAssertEqual(at(7, n - 1 - x, n - 1 - y), v, "rot180 at (\(x), \(y))")
        XCTAssertEqual(at(10, n - 1 - y, x), v, "rot270 at (\(x), \(y))")
      }
    }
    // The rectangle starts at the top left; after 90° it is at the bottom left.
    XCTAssertEqual(at(4, 10, 90), 1)
    XCTAssertEqual(at(4, 100, 10), 0)
  }

  func testMAMLProtocolShufflesTheNonTestCharacters() throws {
    var options = OmniglotOptions(root: root)
    options.scheme = .maml
    options.rotations = false
    options.split = .trainval
    let a = try Omniglot.load(options).classNames
    XCTAssertEqual(Set(a), ["Alpha/character01/rot000", "Gamma/character01/rot000", "Beta/character01/rot000"])
    options.split = .test
    XCTAssertEqual(try Omniglot.load(options).classNames, try load(.test).classNames)
    // 3 characters leave 3 / 12 = 0 for validation.
    options.split = .val
    XCTAssertThrowsError(try Omniglot.load(options)) {
      XCTAssertEqual("\($0)", "omniglot: split 'val' of protocol 'maml' has no characters")
    }
  }

  func testCacheIsUsedAndRebuiltWhenTheArchivesChange() throws {
    let dir = try Fixture.temporaryDirectory(self)
    let copy = dir + "/data", cache = dir + "/cache/nested"
    try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: true)
    for stem in OmniglotImages.archiveNames {
      try FileManager.default.copyItem(atPath: root + "/\(stem).zip", toPath: copy + "/\(stem).zip")
    }
    try FileManager.default.copyItem(atPath: root + "/splits", toPath: copy + "/splits")
    let fresh = try load(.trainval, size: 28, rotations: true, cache: cache, root: copy)
    XCTAssertFalse(fresh.fromCache)
    XCTAssertTrue(FileManager.default.fileExists(atPath: cache + "/omniglot-28x28.safetensors"))
    let cached = try load(.trainval, size: 28, rotations: true, cache: cache, root: copy)
    XCTAssertTrue(cached.fromCache)
    XCTAssertEqual(cached.x.scalars, fresh.x.scalars)
    XCTAssertEqual(cached.labels, fresh.labels)
    // Another size is another cache file.
    XCTAssertFalse(try load(.trainval, size: 14, cache: cache, root: copy).fromCache)
    XCTAssertTrue(try load(.trainval, size: 28, cache: cache, root: copy).fromCache)
    // A new modification time invalidates the cache.
    try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_000_000)],
                                          ofItemAtPath: copy + "/images_evaluation.zip")
    XCTAssertFalse(try load(.trainval, size: 28, cache: cache, root: copy).fromCache)
    XCTAssertTrue(try load(.trainval, size: 28, cache: cache, root: copy).fromCache)
    // A damaged cache file is rebuilt, not an error.
    try Data("garbage".utf8).write(to: URL(fileURLWithPath: cache + "/omniglot-28x28.safetensors"))
    let rebuilt = try load(.trainval, size: 28, rotations: true, cache: cache, root: copy)
    XCTAssertFalse(rebuilt.fromCache)
    XCTAssertEqual(rebuilt.x.scalars, fresh.x.scalars)
  }

  func testDecodingStopsBetweenImagesWhenCancelled() throws {
    let asked = Atomic<Int>(0)
    // Cancelled from the start: no image is decoded.
    XCTAssertThrowsError(try OmniglotImages.decode(root: root, size: 28, isCancelled: { true })) {
      XCTAssertTrue($0 is DataCancelled, "\($0)")
    }
    // Cancelled after the third question: the decode stops, it does not finish.
    XCTAssertThrowsError(
      try OmniglotImages.decode(root: root, size: 28, isCancelled: { asked.add(1, ordering: .relaxed).newValue > 3 })
    ) { XCTAssertTrue($0 is DataCancelled, "\($0)") }
    // Never cancelled: every image, asked once each.
    let counter = Atomic<Int>(0)
    let images = try OmniglotImages.decode(root: root, size: 28, isCancelled: {
      counter.add(1, ordering: .relaxed)
      return false
    })
    XCTAssertEqual(counter.load(ordering: .relaxed), images.counts.reduce(0, +))
  }

  func testMissingAndBrokenInputsGiveClearErrors() throws {
    func message(_ root: String, size: Int = 28) -> String {
      do {
        _ = try load(.train, size: size, root: root)
        return "no error"
      } catch { return "\(error)" }
    }
    XCTAssertEqual(message("/nonexistent/omniglot"), "omniglot: directory '/nonexistent/omniglot' does not exist")
    XCTAssertEqual(message(root, size: 0), "omniglot: size must be in 1...105 (got 0)")
    XCTAssertEqual(message(root, size: 106), "omniglot: size must be in 1...105 (got 106)")
    let dir = try Fixture.temporaryDirectory(self)
    XCTAssertTrue(message(dir).hasPrefix("omniglot: archive '\(dir)/images_background.zip' is missing"), message(dir))
    // A truncated archive.
    let background = try Fixture.bytes("omniglot/images_background.zip")
    let evaluation = try Fixture.bytes("omniglot/images_evaluation.zip")
    try Data(background.prefix(1000)).write(to: URL(fileURLWithPath: dir + "/images_background.zip"))
    try Data(evaluation).write(to: URL(fileURLWithPath: dir + "/images_evaluation.zip"))
    XCTAssertTrue(message(dir).contains("images_background.zip: not a zip archive, or truncated"), message(dir))
    // An archive whose PNG is not a PNG.
    let badPNG = Fixture.zip([("images_background/Alpha/character01/0001_01.png", Array("not an image".utf8))])
    try Data(badPNG).write(to: URL(fileURLWithPath: dir + "/images_background.zip"))
    XCTAssertEqual(message(dir), "\(dir)/images_background.zip: images_background/Alpha/character01/0001_01.png: not a PNG file (bad signature)")
    // A misplaced entry.
    let odd = Fixture.zip([("images_background/0001_01.png", Fixture.drawing { _, _ in false })])
    try Data(odd).write(to: URL(fileURLWithPath: dir + "/images_background.zip"))
    XCTAssertTrue(message(dir).contains("unexpected entry 'images_background/0001_01.png'"), message(dir))
  }

  /// A hand-built archive (stored entries, a different writer) decodes to
  /// the same images as the Python-written fixture.
  func testHandBuiltArchivesMatch() throws {
    let dir = try Fixture.temporaryDirectory(self)
    var entries = [(name: String, data: [UInt8])]()
    for (c, character) in ["Alpha/character01", "Alpha/character02", "Beta/character01"].enumerated() {
      for d in 0..<3 {
        entries.append(("images_background/\(character)/\(String(format: "%04d_%02d", c + 1, d + 1)).png",
                        Fixture.drawing { x, y in self.ink(character: c, drawing: d, x: x, y: y) == 1 }))
      }
    }
    try Data(Fixture.zip(entries)).write(to: URL(fileURLWithPath: dir + "/images_background.zip"))
    try FileManager.default.copyItem(atPath: root + "/images_evaluation.zip", toPath: dir + "/images_evaluation.zip")
    try FileManager.default.createDirectory(atPath: dir + "/splits", withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: root + "/splits/vinyals", toPath: dir + "/splits/vinyals")
    let mine = try load(.trainval, size: 28, root: dir), theirs = try load(.trainval, size: 28)
    XCTAssertEqual(mine.x.scalars, theirs.x.scalars)
  }
}
