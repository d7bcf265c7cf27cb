/// NumPy's `.npy` format (versions 1.0, 2.0 and 3.0).
///
/// Reads booleans, signed and unsigned integers (1 to 8 bytes) and floats
/// (2, 4, 8 bytes) in either byte order and in C or Fortran order, into a
/// row-major tensor: `<f4` → float32, `<f8` → float64, `<i8` → int64, `|b1` →
/// bool; int8/16/32 and uint8/16/32 → int64 (exact); uint64 → int64 when every
/// value is below 2^63, else an error; float16 → float32 (see `ElementType`).
/// Writes a tensor in its own dtype (`<f4`, `<f8`, `<i8`, `|b1`), C order,
/// version 1.0, byte-for-byte as `numpy.save` does (2.0 if the header needs it).
public enum NpyFile {
  private static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // "\x93NUMPY"

  /// The tensor stored in the `.npy` file at `path`.
  public static func read(_ path: String) throws -> Tensor {
    try decode(AtomicFile.read(path), name: path)
  }

  /// Writes `tensor` to `path` atomically as a `.npy` file of its dtype.
  public static func write(_ tensor: Tensor, to path: String) throws {
    try AtomicFile.write(encode(tensor), to: path)
  }

  /// Parses `.npy` bytes; `name` (usually the path) prefixes error messages.
  public static func decode(_ bytes: [UInt8], name: String) throws -> Tensor {
    func fail(_ message: String) -> TensorError { TensorError("\(name): \(message)") }
    guard bytes.count >= 10 else {
      throw fail(bytes.starts(with: magic.prefix(bytes.count)) && !bytes.isEmpty
                 ? "truncated: \(bytes.count) bytes, too short for a .npy header" : "not a .npy file (bad magic)")
    }
    guard bytes.starts(with: magic) else { throw fail("not a .npy file (bad magic)") }
    let major = bytes[6], minor = bytes[7]
    let lengthWidth: Int
    switch major {
    case 1: lengthWidth = 2
    case 2, 3: lengthWidth = 4
    default: throw fail("unsupported .npy format version \(major).\(minor)")
    }
    guard let rawLength = ByteChecks.littleEndian(bytes, at: 8, width: lengthWidth) else {
      throw fail("truncated: \(bytes.count) bytes, too short for a .npy header")
    }
    guard rawLength <= UInt64(maxHeaderLength) else {
      throw fail("header length \(rawLength) is absurd (limit \(maxHeaderLength))")
    }
    let headerStart = 8 + lengthWidth, dataStart = headerStart + Int(rawLength)
    guard dataStart <= bytes.count else {
      throw fail("truncated: header says \(rawLength) bytes of header, file has \(bytes.count - headerStart)")
    }
    let headerBytes = bytes[headerStart..<dataStart]
    // Versions 1 and 2 are Latin-1, version 3 UTF-8.
    let text: String
    if major == 3 {
      guard let utf8 = String(validating: headerBytes, as: UTF8.self) else {
        throw fail("header is not valid UTF-8")
      }
      text = utf8
    } else {
      text = String(String.UnicodeScalarView(headerBytes.map { Unicode.Scalar($0) }))
    }
    let header: NpyHeader
    do { header = try NpyHeader(parsing: text) } catch let error as TensorError {
      throw fail("bad header: \(error.message)")
    }
    guard header.shape.count <= Tensor.maxRank else {
      throw fail("\(header.shape.count) dimensions (at most \(Tensor.maxRank) are supported)")
    }
    guard let count = ByteChecks.elementCount(header.shape) else {
      throw fail("shape \(ByteChecks.shapeText(header.shape)) has too many elements")
    }
    let (byteCount, overflow) = count.multipliedReportingOverflow(by: header.type.size)
    guard !overflow else { throw fail("shape \(ByteChecks.shapeText(header.shape)) has too many bytes") }
    let available = bytes.count - dataStart
    guard available >= byteCount else {
      throw fail("truncated: header says \(byteCount) bytes of data, file has \(available)")
    }
    guard available == byteCount else {
      throw fail("\(available - byteCount) unexpected bytes after the \(byteCount) bytes of data")
    }
    do {
      return try header.type.decode(bytes, from: dataStart, shape: header.shape, bigEndian: header.bigEndian,
                                    fortranOrder: header.fortranOrder)
    } catch let error as TensorError {
      throw fail(error.message)
    }
  }

  /// The `.npy` bytes NumPy's `save` writes for this tensor, in its dtype.
  public static func encode(_ tensor: Tensor) -> [UInt8] {
    let shape = tensor.shape
    let shapeText = shape.count == 1 ? "(\(shape[0]),)"
      : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    var header = "{'descr': '\(descr(tensor.dtype))', 'fortran_order': False, 'shape': \(shapeText), }"
    // NumPy leaves room to grow the first axis in place (up to 21 digits).
    if let first = shape.first { header += String(repeating: " ", count: max(0, 21 - String(first).count)) }
    var headerBytes = Array(header.utf8)
    // Pad with spaces and a final newline so the data starts on a 64-byte
    // boundary; version 2.0 only when the length no longer fits 16 bits.
    func paddingFor(_ lengthWidth: Int) -> Int { 64 - (magic.count + 2 + lengthWidth + headerBytes.count + 1) % 64 }
    let lengthWidth = headerBytes.count + 1 + paddingFor(2) <= 0xFFFF ? 2 : 4
    let padding = paddingFor(lengthWidth)
    headerBytes += [UInt8](repeating: 0x20, count: padding) + [0x0A]
    var bytes = magic + [lengthWidth == 2 ? 1 : 2, 0]
    ByteChecks.appendLittleEndian(UInt64(headerBytes.count), width: lengthWidth, to: &bytes)
    bytes += headerBytes
    ByteChecks.appendElements(of: tensor, to: &bytes)
    return bytes
  }

  /// NumPy's type string for `dtype`, as `numpy.save` writes it.
  static func descr(_ dtype: DType) -> String {
    switch dtype {
    case .float32: return "<f4"
    case .float64: return "<f8"
    case .int64: return "<i8"
    case .bool: return "|b1"
    }
  }
}
