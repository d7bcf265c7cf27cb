/// A failure reading or decoding a data file; `message` names the file and what is wrong.
public struct DataError: Error, CustomStringConvertible, Equatable {
  /// The whole message, e.g. `images_background.zip: truncated central directory`.
  public let message: String

  public init(_ message: String) { self.message = message }

  public var description: String { message }
}

/// A long load stopped because its `isCancelled` answered true (Ctrl-C, a host's
/// time limit); the caller reports why.
public struct DataCancelled: Error {
  public init() {}
}

/// Little-endian reads that return nil instead of trapping past the end.
extension Array where Element == UInt8 {
  @inline(__always)
  func le16(_ at: Int) -> Int? {
    guard at >= 0, at <= count - 2 else { return nil }
    return Int(self[at]) | Int(self[at + 1]) << 8
  }

  @inline(__always)
  func le32(_ at: Int) -> Int? {
    guard at >= 0, at <= count - 4 else { return nil }
    return Int(self[at]) | Int(self[at + 1]) << 8 | Int(self[at + 2]) << 16 | Int(self[at + 3]) << 24
  }

  @inline(__always)
  func be32(_ at: Int) -> Int? {
    guard at >= 0, at <= count - 4 else { return nil }
    return Int(self[at]) << 24 | Int(self[at + 1]) << 16 | Int(self[at + 2]) << 8 | Int(self[at + 3])
  }
}
