import Foundation
import XCTest

/// Test inputs: the committed fixtures, and small PNG and zip files built here
/// with a CRC-32, Adler-32 and stored (uncompressed) deflate blocks written
/// independently of zlib.
enum Fixture {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

  static func bytes(_ name: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name)))
  }

  /// A fresh empty directory, removed when the test ends.
  static func temporaryDirectory(_ test: XCTestCase) throws -> String {
    let path = NSTemporaryDirectory() + "metadata-test-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
  }

  static func crc32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for b in bytes {
      crc ^= UInt32(b)
      for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return ~crc
  }

  static func adler32(_ bytes: [UInt8]) -> UInt32 {
    var a: UInt32 = 1, b: UInt32 = 0
    for x in bytes {
      a = (a + UInt32(x)) % 65521
      b = (b + a) % 65521
    }
    return b << 16 | a
  }

  static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }
  static func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
  static func le32(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)] }

  /// Raw deflate data in stored blocks (at most 65,535 bytes each).
  static func storedDeflate(_ data: [UInt8]) -> [UInt8] {
    var out = [UInt8]()
    var start = 0
    repeat {
      let n = min(65535, data.count - start)
      out.append(start + n == data.count ? 1 : 0)
      out += le16(n) + le16(n ^ 0xFFFF) + data[start..<start + n]
      start += n
    } while start < data.count
    return out
  }

  /// A greyscale PNG around the filtered scanlines `raw` (the caller's filter bytes included).
  static func png(width: Int, height: Int, depth: Int, raw: [UInt8]) -> [UInt8] {
    func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
      let body = Array(type.utf8) + data
      return be32(UInt32(data.count)) + body + be32(crc32(body))
    }
    let header = be32(UInt32(width)) + be32(UInt32(height)) + [UInt8(depth), 0, 0, 0, 0]
    let zlib = [0x78, 0x01] + storedDeflate(raw) + be32(adler32(raw))
    return [137, 80, 78, 71, 13, 10, 26, 10] + chunk("IHDR", header) + chunk("IDAT", zlib) + chunk("IEND", [])
  }

  /// A zip archive of stored entries.
  static func zip(_ entries: [(name: String, data: [UInt8])]) -> [UInt8] {
    var out = [UInt8](), directory = [UInt8]()
    for (name, data) in entries {
      let fields = le16(20) + le16(0) + le16(0) + le16(0) + le16(0) + le32(crc32(data))
        + le32(UInt32(data.count)) + le32(UInt32(data.count)) + le16(name.utf8.count) + le16(0)
      directory += le32(0x0201_4b50) + le16(20) + fields + le16(0) + le16(0) + le16(0) + le32(0)
        + le32(UInt32(out.count)) + Array(name.utf8)
      out += le32(0x0403_4b50) + fields + Array(name.utf8) + data
    }
    let start = out.count
    out += directory
    out += le32(0x0605_4b50) + le16(0) + le16(0) + le16(entries.count) + le16(entries.count)
      + le32(UInt32(directory.count)) + le32(UInt32(start)) + le16(0)
    return out
  }

  /// A 105×105 1-bit drawing: white, black (ink) where `ink(x, y)`.
  static func drawing(_ ink: (Int, Int) -> Bool) -> [UInt8] {
    var raw = [UInt8]()
    for y in 0..<105 {
      raw.append(0)
      var bytes = [UInt8](repeating: 0, count: 14)
      for x in 0..<105 where !ink(x, y) { bytes[x / 8] |= 0x80 >> UInt8(x % 8) }
      raw += bytes
    }
    return png(width: 105, height: 105, depth: 1, raw: raw)
  }
}
