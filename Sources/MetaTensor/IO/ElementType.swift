/// A scalar type stored in a tensor file; every kind is read into Float32.
enum ElementType: Equatable {
  case bool, int8, uint8, int16, uint16, int32, uint32, int64, uint64
  case float16, bfloat16, float32, float64

  /// Bytes per element.
  var size: Int {
    switch self {
    case .bool, .int8, .uint8: return 1
    case .int16, .uint16, .float16, .bfloat16: return 2
    case .int32, .uint32, .float32: return 4
    case .int64, .uint64, .float64: return 8
    }
  }

  /// Converts `count` packed elements starting at `start` (the caller has
  /// checked that `count * size` bytes are there).
  func decode(_ bytes: [UInt8], from start: Int, count: Int, bigEndian: Bool) -> [Float] {
    var out = [Float](repeating: 0, count: count)
    let width = size
    // Little-endian Float32 on a little-endian host is already the layout: copy it.
    if self == .float32, !bigEndian, 1.littleEndian == 1 {
      out.withUnsafeMutableBytes { dst in
        bytes.withUnsafeBytes { src in dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[start..<start + count * 4])) }
      }
      return out
    }
    bytes.withUnsafeBufferPointer { buffer in
      for i in 0..<count {
        // Assemble the element as an unsigned integer of its width, in file order.
        var raw: UInt64 = 0
        let base = start + i * width
        for k in 0..<width {
          let byte = UInt64(buffer[base + (bigEndian ? k : width - 1 - k)])
          raw = raw << 8 | byte
        }
        out[i] = convert(raw)
      }
    }
    return out
  }

  private func convert(_ raw: UInt64) -> Float {
    switch self {
    case .bool: return raw == 0 ? 0 : 1
    case .int8: return Float(Int8(truncatingIfNeeded: raw))
    case .uint8, .uint16, .uint32, .uint64: return Float(raw)
    case .int16: return Float(Int16(truncatingIfNeeded: raw))
    case .int32: return Float(Int32(truncatingIfNeeded: raw))
    case .int64: return Float(Int64(bitPattern: raw))
    case .float16: return Self.halfToFloat(UInt16(truncatingIfNeeded: raw))
    case .bfloat16: return Float(bitPattern: UInt32(truncatingIfNeeded: raw) << 16)
    case .float32: return Float(bitPattern: UInt32(truncatingIfNeeded: raw))
    case .float64: return Float(Double(bitPattern: raw))
    }
  }

  /// IEEE binary16 to binary32 (exact: every half value is a float value).
  static func halfToFloat(_ h: UInt16) -> Float {
    let sign: Float = h & 0x8000 != 0 ? -1 : 1
    let exponent = Int((h >> 10) & 0x1F)
    let fraction = Float(h & 0x3FF)
    switch exponent {
    case 0: return sign * fraction * 0x1p-24  // zero or subnormal
    case 31: return fraction == 0 ? sign * .infinity : .nan
    default: return sign * (1 + fraction * 0x1p-10) * Float(sign: .plus, exponent: exponent - 15, significand: 1)
    }
  }
}

/// Little helpers shared by the format readers: checked arithmetic and
/// little-endian fields, each failing with a message instead of trapping.
enum ByteChecks {
  /// Product of the dimensions, or nil when a dimension is negative or it overflows.
  static func elementCount(_ shape: [Int]) -> Int? {
    var count = 1
    for d in shape {
      guard d >= 0 else { return nil }
      let (p, overflow) = count.multipliedReportingOverflow(by: d)
      if overflow { return nil }
      count = p
    }
    return count
  }

  /// The unsigned little-endian integer in `bytes[at..<at+width]`, or nil if out of range.
  static func littleEndian(_ bytes: [UInt8], at: Int, width: Int) -> UInt64? {
    guard at >= 0, width <= 8, at <= bytes.count - width else { return nil }
    var x: UInt64 = 0
    for k in stride(from: width - 1, through: 0, by: -1) { x = x << 8 | UInt64(bytes[at + k]) }
    return x
  }

  static func appendLittleEndian(_ x: UInt64, width: Int, to bytes: inout [UInt8]) {
    for k in 0..<width { bytes.append(UInt8(truncatingIfNeeded: x >> (8 * UInt64(k)))) }
  }

  /// "[2, 3]"
  static func shapeText(_ shape: [Int]) -> String {
    "[" + shape.map(String.init).joined(separator: ", ") + "]"
  }
}
