import CZlib

/// zlib's inflate and CRC-32, over Swift arrays.
enum Zlib {
  /// The two framings of a deflate stream this package meets.
  enum Framing {
    /// Bare deflate data, as stored in zip entries.
    case raw
    /// A zlib header and Adler-32 trailer around the data, as in PNG's IDAT.
    case zlib

    var windowBits: Int32 { self == .raw ? -15 : 15 }
  }

  /// Inflates `input` (bytes `range` of it), which must hold exactly
  /// `expectedCount` bytes of output. `what` prefixes error messages.
  static func inflate(_ input: UnsafeBufferPointer<UInt8>, expectedCount: Int, framing: Framing,
                      what: String) throws -> [UInt8] {
    guard expectedCount >= 0, expectedCount <= Int(UInt32.max), input.count <= Int(UInt32.max) else {
      throw DataError("\(what): too large to inflate (\(expectedCount) bytes)")
    }
    var message = [CChar](repeating: 0, count: 128)
    var status: Int32 = 0
    let output = [UInt8](unsafeUninitializedCapacity: expectedCount) { out, initialized in
      status = message.withUnsafeMutableBufferPointer { msg in
        meta_inflate(input.baseAddress, input.count, out.baseAddress, expectedCount, framing.windowBits,
                     msg.baseAddress, msg.count)
      }
      // The buffer is only read on success, when zlib wrote all of it; zero
      // it otherwise so the array never exposes uninitialized memory.
      if status != 0 { out.initialize(repeating: 0) }
      initialized = expectedCount
    }
    switch status {
    case 0: return output
    case 1: throw DataError("\(what): compressed data ends before the expected \(expectedCount) bytes")
    case 2: throw DataError("\(what): compressed data holds more than the expected \(expectedCount) bytes")
    case 3: throw DataError("\(what): compressed data is truncated")
    default:
      let detail = message.withUnsafeBufferPointer { p in
        String(decoding: p.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
      }
      throw DataError("\(what): corrupt compressed data" + (detail.isEmpty ? "" : " (\(detail))"))
    }
  }

  /// CRC-32 of `bytes`.
  static func crc32(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
    UInt32(truncatingIfNeeded: meta_crc32(bytes.baseAddress, bytes.count))
  }
}
