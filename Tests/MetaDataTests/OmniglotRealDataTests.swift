import Foundation
import XCTest

@testable import MetaData

/// The loader on the real archives (`../shared/data/omniglot` beside the
/// repository, or `$OMNIGLOT_ROOT`); skipped when they are absent. The images
/// are decoded once (about 20 s in a debug build) and shared by the tests.
final class OmniglotRealDataTests: XCTestCase {
  static let root: String = {
    if let env = ProcessInfo.processInfo.environment["OMNIGLOT_ROOT"], !env.isEmpty { return env }
    let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return repo.deletingLastPathComponent().appendingPathComponent("shared/data/omniglot").path
  }()

  /// The decoded images and the seconds the decode took.
  nonisolated(unsafe) static var decoded: (images: OmniglotImages, seconds: Double)?

  func images() throws -> (images: OmniglotImages, seconds: Double) {
    guard FileManager.default.fileExists(atPath: Self.root + "/images_background.zip") else {
      throw XCTSkip("Omniglot archives not found at \(Self.root)")
    }
    if let decoded = Self.decoded { return decoded }
    let start = Date()
    let images = try OmniglotImages.decode(root: Self.root, size: 28)
    Self.decoded = (images, Date().timeIntervalSince(start))
    return (images, Date().timeIntervalSince(start))
  }

  func testCounts() throws {
    let images = try images().images
    XCTAssertEqual(images.characters.count, 964 + 659)
    XCTAssertEqual(images.counts.reduce(0, +), 32_460)
    XCTAssertTrue(images.counts.allSatisfy { $0 == 20 })
    XCTAssertEqual(Set(images.characters.prefix(964).map { $0.split(separator: "/")[0] }).count, 30)
    XCTAssertEqual(Set(images.characters.suffix(659).map { $0.split(separator: "/")[0] }).count, 20)
    XCTAssertEqual(images.pixels.count, 32_460 * 28 * 28)
    // Ink covers about 8% of the drawings; area averaging keeps the mean.
    let mean = images.pixels.reduce(0, +) / Float(images.pixels.count)
    XCTAssertGreaterThan(mean, 0.05)
    XCTAssertLessThan(mean, 0.12)
    XCTAssertEqual(images.pixels.min(), 0)
    XCTAssertEqual(images.pixels.max(), 1)
  }

  /// The built-in Vinyals lists are the split files line for line, with the
  /// split sizes of the papers.
  func testBuiltInSplitsEqualTheSplitFiles() throws {
    let images = try images().images
    let expected: [OmniglotSplit: Int] = [.train: 1028, .val: 172, .trainval: 1200, .test: 423]
    for split in OmniglotSplit.allCases {
      let text = try String(contentsOfFile: Self.root + "/splits/vinyals/\(split.rawValue).txt", encoding: .utf8)
      let lines = text.split(separator: "\n").map(String.init)
      let builtIn = OmniglotSplits.builtIn(split, available: images.characters)
      XCTAssertEqual(builtIn.count, expected[split])
      XCTAssertEqual(builtIn.flatMap { c in ["000", "090", "180", "270"].map { "\(c)/rot\($0)" } }, lines, split.rawValue)
      XCTAssertEqual(try OmniglotSplits.readSplitFile(Self.root + "/splits/vinyals/\(split.rawValue).txt"), builtIn)
    }
    let test = Set(OmniglotSplits.builtIn(.test, available: images.characters))
    XCTAssertEqual(test.count + OmniglotSplits.builtIn(.trainval, available: images.characters).count, 1623)
    // MAML: 1100 / 100 of the same 1200, seeded.
    func maml(_ split: OmniglotSplit, seed: UInt64) throws -> [String] {
      try OmniglotSplits.characters(split, scheme: .maml, seed: seed, root: Self.root, available: images.characters)
    }
    let train = try maml(.train, seed: 0), val = try maml(.val, seed: 0)
    XCTAssertEqual(train.count, 1100)
    XCTAssertEqual(val.count, 100)
    XCTAssertEqual(Set(train + val), Set(OmniglotSplits.builtIn(.trainval, available: images.characters)))
    XCTAssertEqual(try maml(.train, seed: 0), train)
    XCTAssertNotEqual(try maml(.train, seed: 1), train)
    XCTAssertEqual(Set(try maml(.test, seed: 5)), test)
  }

  func testCacheHitIsFastAndEqual() throws {
    let (fresh, decodeSeconds) = try images()
    let dir = try Fixture.temporaryDirectory(self)
    let key = try OmniglotFiles.cacheKey(root: Self.root, size: 28)
    try OmniglotFiles.storeCache(fresh, directory: dir, key: key)
    let start = Date()
    let (cached, fromCache) = try Omniglot.images(root: Self.root, size: 28, cacheDirectory: dir)
    let cachedSeconds = Date().timeIntervalSince(start)
    XCTAssertTrue(fromCache)
    XCTAssertEqual(cached.characters, fresh.characters)
    XCTAssertEqual(cached.counts, fresh.counts)
    XCTAssertTrue(cached.pixels == fresh.pixels)
    XCTAssertLessThan(cachedSeconds, decodeSeconds, "cache \(cachedSeconds) s vs decode \(decodeSeconds) s")
    print("omniglot: decode \(decodeSeconds) s, cached load \(cachedSeconds) s")

    // The rotated classes of the test split are rotations of their character.
    var options = OmniglotOptions(root: Self.root)
    options.split = .test
    options.cacheDirectory = dir
    let data = try Omniglot.load(options)
    XCTAssertTrue(data.fromCache)
    XCTAssertEqual(data.x.shape, [423 * 4 * 20, 1, 28, 28])
    // Gurmukhi 42-45 come first (16 classes), then Kannada/character01.
    XCTAssertEqual(data.classNames[16...17], ["Kannada/character01/rot000", "Kannada/character01/rot090"])
    let x = data.x.scalars, n = 28, area = n * n
    let base = try XCTUnwrap(fresh.characters.firstIndex(of: "Kannada/character01")) * 20
    var same = 0, rotated = 0
    for drawing in [0, 7, 19] {
      for y in 0..<n {
        for col in 0..<n {
          let v = fresh.pixels[(base + drawing) * area + y * n + col]
          // A counter-clockwise quarter turn sends (col, y) to (y, n−1−col).
          if x[(16 * 20 + drawing) * area + y * n + col] == v { same += 1 }
          if x[(17 * 20 + drawing) * area + (n - 1 - col) * n + y] == v { rotated += 1 }
        }
      }
    }
    XCTAssertEqual(same, 3 * area)
    XCTAssertEqual(rotated, 3 * area)
  }
}
