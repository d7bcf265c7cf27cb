// A PNG decoder for greyscale images (what Omniglot ships): chunk framing and
// CRCs checked, IDAT inflated with zlib, the five row filters undone.

/// A greyscale image: `pixels` row-major, `height` rows of `width` values in
/// [0, 1] (0 black, 1 white: the sample divided by its maximum, 2^depth - 1).
public struct GreyImage: Equatable, Sendable {
  public let width: Int
  public let height: Int
  public var pixels: [Float]

  public init(width: Int, height: Int, pixels: [Float]) {
    self.width = width
    self.height = height
    self.pixels = pixels
  }
}

/// Decoding of PNG files: greyscale (colour type 0), bit depth 1, 2, 4, 8 or
/// 16, not interlaced. Other colour types, interlacing, bad CRCs, truncation
/// and unknown critical chunks are errors that name the file.
public enum PNG {
  /// Upper bound on width × height, so a forged header cannot exhaust memory.
  public static let maxPixels = 1 << 26

  private static let signature: [UInt8] = [137, 80, 78, 71, 13, 10, 26, 10]

  /// Decodes the PNG file `bytes`; `name` prefixes error messages. With
  /// `invert` each pixel is 1 − value (white 0, black 1).
  public static func decode(_ bytes: [UInt8], name: String, invert: Bool = false) throws -> GreyImage {
    func fail(_ message: String) -> DataError { DataError("\(name): \(message)") }
    guard bytes.count >= 8, Array(bytes[0..<8]) == signature else { throw fail("not a PNG file (bad signature)") }
    var header: (width: Int, height: Int, depth: Int)?
    var compressed = [UInt8]()
    var at = 8
    var sawEnd = false
    while !sawEnd {
      guard let length = bytes.be32(at), let typeCode = bytes.be32(at + 4) else {
        throw fail("truncated (chunk header at offset \(at) is cut off)")
      }
      let type = String(decoding: bytes[(at + 4)..<(at + 8)], as: UTF8.self)
      let dataStart = at + 8
      guard length <= Int(Int32.max), dataStart + length + 4 <= bytes.count,
        let storedCRC = bytes.be32(dataStart + length)
      else { throw fail("truncated (chunk '\(type)' runs past the end of the file)") }
      let crc = bytes.withUnsafeBufferPointer { Zlib.crc32(UnsafeBufferPointer(rebasing: $0[(at + 4)..<(dataStart + length)])) }
      guard crc == UInt32(truncatingIfNeeded: storedCRC) else { throw fail("CRC mismatch in chunk '\(type)' (corrupt file)") }
      let data = bytes[dataStart..<(dataStart + length)]
      if header == nil && type != "IHDR" { throw fail("first chunk is '\(type)', not IHDR") }
      switch type {
      case "IHDR":
        guard header == nil else { throw fail("second IHDR chunk") }
        header = try parseHeader(Array(data), fail: fail)
      case "IDAT":
        compressed.append(contentsOf: data)
      case "IEND":
        sawEnd = true
      default:
        // Bit 5 of the first letter clear (upper case): critical, must be understood.
        if (typeCode >> 24) & 0x20 == 0 {
          throw fail("unsupported critical chunk '\(type)' (only greyscale images are supported)")
        }
      }
      at = dataStart + length + 4
    }
    guard let (width, height, depth) = header else { throw fail("no IHDR chunk") }
    guard !compressed.isEmpty else { throw fail("no image data (IDAT)") }
    let rowBytes = (width * depth + 7) / 8
    let raw = try compressed.withUnsafeBufferPointer {
      try Zlib.inflate($0, expectedCount: height * (rowBytes + 1), framing: .zlib, what: "\(name): image data")
    }
    var pixels = [Float](repeating: 0, count: width * height)
    try raw.withUnsafeBufferPointer { rawBuffer in
      try pixels.withUnsafeMutableBufferPointer { out in
        try unfilterAndUnpack(rawBuffer, width: width, height: height, depth: depth, rowBytes: rowBytes,
                              invert: invert, out: out, fail: fail)
      }
    }
    return GreyImage(width: width, height: height, pixels: pixels)
  }

  private static func parseHeader(_ d: [UInt8], fail: (String) -> DataError) throws -> (Int, Int, Int) {
    guard d.count == 13, let width = d.be32(0), let height = d.be32(4) else { throw fail("IHDR chunk has the wrong size") }
    let depth = Int(d[8]), colour = Int(d[9])
    guard width > 0, height > 0 else { throw fail("image is \(width)×\(height)") }
    guard width <= maxPixels / height else { throw fail("image is \(width)×\(height), larger than the limit") }
    let colourNames = [2: "RGB", 3: "palette", 4: "grey+alpha", 6: "RGBA"]
    guard colour == 0 else {
      throw fail("colour type \(colour) (\(colourNames[colour] ?? "invalid")) is not supported; only greyscale (0)")
    }
    guard [1, 2, 4, 8, 16].contains(depth) else { throw fail("bit depth \(depth) is not valid for greyscale") }
    guard d[10] == 0, d[11] == 0 else { throw fail("unknown compression or filter method") }
    guard d[12] == 0 else { throw fail("interlaced PNGs are not supported") }
    return (width, height, depth)
  }

  /// Undoes each row's filter (into a scanline buffer) and writes the
  /// samples scaled to [0, 1], or 1 minus that with `invert`, into `out`.
  private static func unfilterAndUnpack(
    _ raw: UnsafeBufferPointer<UInt8>, width: Int, height: Int, depth: Int, rowBytes: Int,
    invert: Bool, out: UnsafeMutableBufferPointer<Float>, fail: (String) -> DataError
  ) throws {
    guard let src = raw.baseAddress, let dst = out.baseAddress else { return }
    // Filters work on bytes; "bpp" is the byte distance to the previous pixel (at least 1).
    let bpp = max(1, depth / 8)
    // Two scanlines, swapped after each row; the one above the first is zeros.
    let lines = UnsafeMutablePointer<UInt8>.allocate(capacity: 2 * rowBytes)
    defer { lines.deallocate() }
    lines.initialize(repeating: 0, count: 2 * rowBytes)
    var previous = lines, current = lines + rowBytes
    let perByte = depth >= 8 ? 1 : 8 / depth
    let tableArray = sampleTables[min(depth, 8) * 2 + (invert ? 1 : 0)] ?? []
    try tableArray.withUnsafeBufferPointer { tableBuffer in
      guard let table = tableBuffer.baseAddress, tableBuffer.count == 256 * perByte else { return }
      for y in 0..<height {
        let line = src + y * (rowBytes + 1)
        let filter = line[0]
        let data = line + 1
        switch filter {
        case 0:
          current.update(from: data, count: rowBytes)
        case 1:
          for i in 0..<rowBytes { current[i] = data[i] &+ (i >= bpp ? current[i - bpp] : 0) }
        case 2:
          for i in 0..<rowBytes { current[i] = data[i] &+ previous[i] }
        case 3:
          for i in 0..<rowBytes {
            let left = i >= bpp ? Int(current[i - bpp]) : 0
            current[i] = data[i] &+ UInt8(truncatingIfNeeded: (left + Int(previous[i])) >> 1)
          }
        case 4:
          for i in 0..<rowBytes {
            let a = i >= bpp ? Int(current[i - bpp]) : 0
            let b = Int(previous[i])
            let c = i >= bpp ? Int(previous[i - bpp]) : 0
            current[i] = data[i] &+ UInt8(truncatingIfNeeded: paeth(a, b, c))
          }
        default:
          throw fail("row \(y) has an unknown filter type \(filter)")
        }
        let row = dst + y * width
        if depth == 16 {
          for x in 0..<width {
            let sample = Float(Int(current[2 * x]) << 8 | Int(current[2 * x + 1])) / 65535
            row[x] = invert ? 1 - sample : sample
          }
        } else {
          // Whole bytes through the table, then the samples of a partial last byte.
          let whole = width / perByte
          for i in 0..<whole { (row + i * perByte).update(from: table + Int(current[i]) * perByte, count: perByte) }
          let rest = width - whole * perByte
          if rest > 0 { (row + whole * perByte).update(from: table + Int(current[whole]) * perByte, count: rest) }
        }
        swap(&previous, &current)
      }
    }
  }

  /// For bit depths 1, 2, 4 and 8, plain (key 2·depth) and inverted (2·depth + 1):
  /// the samples of each byte value, scaled to [0, 1], sub-byte samples most
  /// significant bits first. Built once: per image it would cost as much as decoding.
  private static let sampleTables: [Int: [Float]] = {
    var tables = [Int: [Float]]()
    for depth in [1, 2, 4, 8] {
      let perByte = 8 / depth, mask = (1 << depth) - 1
      for invert in [false, true] {
        tables[depth * 2 + (invert ? 1 : 0)] = (0..<256 * perByte).map { i in
          let byte = i / perByte, k = i % perByte
          let sample = Float((byte >> (8 - depth * (k + 1))) & mask) / Float(mask)
          return invert ? 1 - sample : sample
        }
      }
    }
    return tables
  }()

  /// The Paeth predictor of PNG filter type 4.
  @inline(__always)
  private static func paeth(_ a: Int, _ b: Int, _ c: Int) -> Int {
    let p = a + b - c
    let pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
    if pa <= pb && pa <= pc { return a }
    return pb <= pc ? b : c
  }
}
