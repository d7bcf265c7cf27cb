// A zip reader for whole archives held in memory: the central directory is
// parsed with every offset checked, and entries are inflated on demand.

import MetaTensor

/// One file listed in a zip archive's central directory.
public struct ZipEntry: Sendable, Equatable {
  /// The path inside the archive, e.g. `images_background/Latin/character01/0806_01.png`.
  public let name: String
  /// 0 (stored) or 8 (deflate); others are rejected when the entry is read.
  public let method: Int
  /// CRC-32 of the uncompressed bytes.
  public let crc32: UInt32
  /// Bytes of compressed data.
  public let compressedSize: Int
  /// Bytes once inflated.
  public let size: Int
  let localHeaderOffset: Int
  let flags: Int

  /// True for directory entries (names ending in `/`).
  public var isDirectory: Bool { name.hasSuffix("/") }
}

/// A zip archive read fully into memory. Reading entries is safe from several
/// threads at once (the archive is immutable).
public final class ZipArchive: Sendable {
  /// The label used in error messages (usually the path).
  public let name: String
  /// The entries in central-directory order.
  public let entries: [ZipEntry]
  private let bytes: [UInt8]

  /// Largest archive accepted: offsets in a non-zip64 archive are 32-bit.
  static let maxBytes = Int(UInt32.max)

  /// Reads and indexes the archive at `path`.
  public convenience init(path: String) throws {
    let bytes: [UInt8]
    do { bytes = try AtomicFile.read(path) } catch { throw DataError("\(error)") }
    try self.init(bytes: bytes, name: path)
  }

  /// Indexes an archive held in `bytes`; `name` prefixes error messages.
  public init(bytes: [UInt8], name: String) throws {
    self.name = name
    self.bytes = bytes
    entries = try ZipArchive.centralDirectory(bytes, name: name)
  }

  /// The entry called `entryName`, if any.
  public func entry(named entryName: String) -> ZipEntry? { entries.first { $0.name == entryName } }

  /// The uncompressed bytes of `entry`, checked against its CRC-32. Entries
  /// claiming more than `limit` bytes are refused before anything is allocated.
  public func contents(of entry: ZipEntry, limit: Int = 1 << 30) throws -> [UInt8] {
    let what = "\(name): \(entry.name)"
    guard entry.size <= limit else {
      throw DataError("\(what): \(entry.size) bytes uncompressed, more than the limit of \(limit)")
    }
    guard entry.flags & 1 == 0 else { throw DataError("\(what): encrypted entries are not supported") }
    guard entry.method == 0 || entry.method == 8 else {
      throw DataError("\(what): compression method \(entry.method) is not supported (only stored and deflate)")
    }
    let local = entry.localHeaderOffset
    guard bytes.le32(local) == 0x0403_4b50, let nameLength = bytes.le16(local + 26),
      let extraLength = bytes.le16(local + 28)
    else { throw DataError("\(what): local header missing or damaged at offset \(local)") }
    let start = local + 30 + nameLength + extraLength
    guard start <= bytes.count, entry.compressedSize <= bytes.count - start else {
      throw DataError("\(what): data runs past the end of the archive (truncated?)")
    }
    return try bytes.withUnsafeBufferPointer { all in
      let data = UnsafeBufferPointer(rebasing: all[start..<start + entry.compressedSize])
      let out: [UInt8]
      if entry.method == 0 {
        guard entry.compressedSize == entry.size else {
          throw DataError("\(what): stored entry has \(entry.compressedSize) bytes but claims \(entry.size)")
        }
        out = Array(data)
      } else {
        out = try Zlib.inflate(data, expectedCount: entry.size, framing: .raw, what: what)
      }
      let crc = out.withUnsafeBufferPointer { Zlib.crc32($0) }
      guard crc == entry.crc32 else { throw DataError("\(what): CRC-32 mismatch (corrupt data)") }
      return out
    }
  }

  /// The central directory's entries; every field is bounds-checked.
  private static func centralDirectory(_ bytes: [UInt8], name: String) throws -> [ZipEntry] {
    guard bytes.count <= maxBytes else { throw DataError("\(name): larger than 4 GiB (zip64 is not supported)") }
    // The end record is 22 bytes plus a comment of at most 65,535 bytes.
    let lowest = max(0, bytes.count - 22 - 0xFFFF)
    var end = -1
    var at = bytes.count - 22
    while at >= lowest {
      if bytes[at] == 0x50, bytes.le32(at) == 0x0605_4b50, let comment = bytes.le16(at + 20),
        at + 22 + comment == bytes.count
      {
        end = at
        break
      }
      at -= 1
    }
    guard end >= 0 else {
      throw DataError("\(name): not a zip archive, or truncated (no end-of-central-directory record)")
    }
    guard let total = bytes.le16(end + 10), let cdSize = bytes.le32(end + 12), let cdOffset = bytes.le32(end + 16),
      let disk = bytes.le16(end + 4), let onDisk = bytes.le16(end + 8)
    else { throw DataError("\(name): damaged end-of-central-directory record") }
    if total == 0xFFFF || cdSize == 0xFFFF_FFFF || cdOffset == 0xFFFF_FFFF {
      throw DataError("\(name): zip64 archives are not supported")
    }
    guard disk == 0, onDisk == total else { throw DataError("\(name): multi-part archives are not supported") }
    guard cdOffset <= end, cdSize <= end - cdOffset else {
      throw DataError("\(name): central directory lies outside the archive (truncated or corrupt)")
    }
    var entries = [ZipEntry]()
    entries.reserveCapacity(total)
    var p = cdOffset
    for index in 0..<total {
      guard bytes.le32(p) == 0x0201_4b50, p + 46 <= cdOffset + cdSize,
        let flags = bytes.le16(p + 8), let method = bytes.le16(p + 10), let crc = bytes.le32(p + 16),
        let compressed = bytes.le32(p + 20), let size = bytes.le32(p + 24), let nameLength = bytes.le16(p + 28),
        let extraLength = bytes.le16(p + 30), let commentLength = bytes.le16(p + 32),
        let local = bytes.le32(p + 42)
      else { throw DataError("\(name): central directory entry \(index + 1) of \(total) is damaged") }
      let next = p + 46 + nameLength + extraLength + commentLength
      guard next <= cdOffset + cdSize else {
        throw DataError("\(name): central directory entry \(index + 1) of \(total) runs past the directory")
      }
      if compressed == 0xFFFF_FFFF || size == 0xFFFF_FFFF || local == 0xFFFF_FFFF {
        throw DataError("\(name): zip64 entries are not supported")
      }
      guard local < cdOffset else {
        throw DataError("\(name): entry \(index + 1) points outside the archive's data")
      }
      let entryName = String(decoding: bytes[(p + 46)..<(p + 46 + nameLength)], as: UTF8.self)
      entries.append(
        ZipEntry(name: entryName, method: method, crc32: UInt32(truncatingIfNeeded: crc), compressedSize: compressed,
                 size: size, localHeaderOffset: local, flags: flags))
      p = next
    }
    return entries
  }
}
