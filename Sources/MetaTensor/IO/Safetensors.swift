/// The `.safetensors` format: an 8-byte little-endian header length, a JSON
/// header mapping names to `{dtype, shape, data_offsets}` (plus an optional
/// string-to-string `__metadata__`), then the packed little-endian data.
///
/// Reading accepts F32, F64, F16, BF16, signed and unsigned 8- to 64-bit
/// integers and BOOL, each into the nearest dtype: F32 → float32, F64 →
/// float64, I64 → int64, BOOL → bool; I8/I16/I32 and U8/U16/U32 → int64
/// (exact); U64 → int64 when every value is below 2^63, else an error naming
/// the tensor; F16 and BF16 → float32 (see `ElementType`). It checks the file
/// as strictly as the reference implementation: the data offsets must tile the
/// data area exactly, without gaps, overlaps or trailing bytes.
/// Writing stores each tensor in its own dtype (F32, F64, I64, BOOL) and
/// produces the same bytes as the reference `save_file`.
public enum SafetensorsFile {
  /// Tensors and metadata of one file.
  public struct Contents {
    /// Tensors in the order of their data in the file.
    public var tensors: [(name: String, tensor: Tensor)]
    /// The `__metadata__` entries (empty when absent).
    public var metadata: [String: String]
  }

  private static let dtypes: [String: ElementType] = [
    "F32": .float32, "F64": .float64, "F16": .float16, "BF16": .bfloat16,
    "I8": .int8, "I16": .int16, "I32": .int32, "I64": .int64,
    "U8": .uint8, "U16": .uint16, "U32": .uint32, "U64": .uint64, "BOOL": .bool,
  ]

  /// All tensors in the file at `path`, in the order of their data.
  public static func read(_ path: String) throws -> [(name: String, tensor: Tensor)] {
    try decode(AtomicFile.read(path), name: path).tensors
  }

  /// All tensors and the metadata of the file at `path`.
  public static func readContents(_ path: String) throws -> Contents {
    try decode(AtomicFile.read(path), name: path)
  }

  /// Writes tensors to `path` atomically, each in its dtype. Names must be distinct and
  /// not `__metadata__`; they are stored in the reference's order: by element
  /// size (I64, F64, F32, BOOL), then by name.
  public static func write(_ tensors: [(name: String, tensor: Tensor)], to path: String,
                           metadata: [String: String] = [:]) throws {
    try AtomicFile.write(encode(tensors, metadata: metadata, name: path), to: path)
  }

  /// Parses `.safetensors` bytes; `name` (usually the path) prefixes error messages.
  public static func decode(_ bytes: [UInt8], name: String) throws -> Contents {
    func fail(_ message: String) -> TensorError { TensorError("\(name): \(message)") }
    guard let headerLength = ByteChecks.littleEndian(bytes, at: 0, width: 8) else {
      throw fail("truncated: \(bytes.count) bytes, too short for the 8-byte header length")
    }
    guard headerLength <= maxHeaderLength else {
      throw fail("header length \(headerLength) is absurd (limit \(maxHeaderLength)); not a safetensors file?")
    }
    let dataStart = 8 + Int(headerLength)
    guard dataStart <= bytes.count else {
      throw fail("truncated: header says \(headerLength) bytes of JSON, file has \(bytes.count - 8)")
    }
    guard headerLength > 0, bytes[8] == UInt8(ascii: "{") else { throw fail("header is not a JSON object") }
    let header: JSONValue
    do { header = try JSONValue.parse(bytes[8..<dataStart], maxDepth: maxHeaderDepth) } catch let error as TensorError {
      throw fail("bad JSON header: \(error.message)")
    }
    guard case .object(let members) = header else { throw fail("header is not a JSON object") }

    var metadata = [String: String]()
    var entries = [(name: String, type: ElementType, shape: [Int], begin: Int, end: Int)]()
    var seen = Set<String>()
    for (key, value) in members {
      guard seen.insert(key).inserted else { throw fail("'\(key)' appears twice in the header") }
      if key == "__metadata__" {
        guard case .object(let pairs) = value else { throw fail("__metadata__ must be an object of strings") }
        for (k, v) in pairs {
          guard case .string(let s) = v else { throw fail("__metadata__ value '\(k)' is not a string") }
          metadata[k] = s
        }
        continue
      }
      let info = try tensorInfo(value, tensor: key, fail: fail)
      entries.append((key, info.type, info.shape, info.begin, info.end))
    }

    // The data area must be tiled exactly: sort by offsets and walk it.
    let dataLength = bytes.count - dataStart
    let order = entries.indices.sorted { (entries[$0].begin, entries[$0].end, $0) < (entries[$1].begin, entries[$1].end, $1) }
    var cursor = 0
    for i in order {
      let e = entries[i]
      if e.begin < cursor { throw fail("tensor '\(e.name)': data_offsets [\(e.begin), \(e.end)] overlap another tensor") }
      if e.begin > cursor { throw fail("tensor '\(e.name)': data_offsets [\(e.begin), \(e.end)] leave a gap after byte \(cursor)") }
      if e.end > dataLength {
        throw fail("truncated: header says \(e.end) bytes of data, file has \(dataLength)")
      }
      cursor = e.end
    }
    if cursor != dataLength { throw fail("\(dataLength - cursor) bytes of data not covered by any tensor") }

    var tensors = [(name: String, tensor: Tensor)]()
    tensors.reserveCapacity(order.count)
    for i in order {
      let e = entries[i]
      do {
        tensors.append((e.name, try e.type.decode(bytes, from: dataStart + e.begin, shape: e.shape, bigEndian: false)))
      } catch let error as TensorError {
        throw fail("tensor '\(e.name)': \(error.message)")
      }
    }
    return Contents(tensors: tensors, metadata: metadata)
  }

  /// Validates one `{dtype, shape, data_offsets}` entry (other fields are ignored, as by the reference).
  private static func tensorInfo(_ value: JSONValue, tensor: String, fail: (String) -> TensorError) throws
    -> (type: ElementType, shape: [Int], begin: Int, end: Int) {
    guard case .object(let fields) = value else { throw fail("tensor '\(tensor)': entry is not an object") }
    func field(_ key: String) -> JSONValue? { fields.first { $0.key == key }?.value }
    guard case .string(let dtype)? = field("dtype") else { throw fail("tensor '\(tensor)': missing dtype") }
    guard let type = dtypes[dtype] else { throw fail("tensor '\(tensor)': unsupported dtype \(dtype)") }
    guard case .array(let dims)? = field("shape") else { throw fail("tensor '\(tensor)': missing shape") }
    let shape = dims.compactMap(\.nonNegativeInt)
    guard shape.count == dims.count else {
      throw fail("tensor '\(tensor)': shape entries must be non-negative integers")
    }
    guard case .array(let offsets)? = field("data_offsets"), offsets.count == 2,
          let begin = offsets[0].nonNegativeInt, let end = offsets[1].nonNegativeInt, begin <= end else {
      throw fail("tensor '\(tensor)': data_offsets must be two increasing non-negative integers")
    }
    guard shape.count <= Tensor.maxRank else {
      throw fail("tensor '\(tensor)': \(shape.count) dimensions (at most \(Tensor.maxRank) are supported)")
    }
    guard let count = ByteChecks.elementCount(shape) else {
      throw fail("tensor '\(tensor)': shape \(ByteChecks.shapeText(shape)) has too many elements")
    }
    let (byteCount, overflow) = count.multipliedReportingOverflow(by: type.size)
    guard !overflow, byteCount == end - begin else {
      throw fail("tensor '\(tensor)': shape \(ByteChecks.shapeText(shape)) of \(dtype) needs "
                 + (overflow ? "too many bytes" : "\(byteCount) bytes") + ", data_offsets [\(begin), \(end)] give \(end - begin)")
    }
    return (type, shape, begin, end)
  }

  /// The file bytes for the tensors, each in its dtype (see `write`); `name` prefixes error messages.
  public static func encode(_ tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:],
                            name: String = "safetensors") throws -> [UInt8] {
    var seen = Set<String>()
    for (tensorName, _) in tensors {
      guard tensorName != "__metadata__" else { throw TensorError("\(name): '__metadata__' cannot name a tensor") }
      guard seen.insert(tensorName).inserted else { throw TensorError("\(name): tensor '\(tensorName)' given twice") }
    }
    // The reference's order: larger elements first (I64, F64, F32, BOOL: each
    // tensor's data stays aligned to its element size), then the byte-wise
    // order of the UTF-8 names, as Rust sorts strings.
    let sorted = tensors.sorted { a, b in
      let (ra, rb) = (alignmentRank(a.tensor.dtype), alignmentRank(b.tensor.dtype))
      return ra != rb ? ra > rb : a.name.utf8.lexicographicallyPrecedes(b.name.utf8)
    }
    var members = [String]()
    if !metadata.isEmpty {
      let pairs = metadata.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
      members.append("\"__metadata__\":{"
        + pairs.map { JSONValue.quoted($0.key) + ":" + JSONValue.quoted($0.value) }.joined(separator: ",") + "}")
    }
    var offset = 0
    for (tensorName, tensor) in sorted {
      guard let count = ByteChecks.elementCount(tensor.shape) else {
        throw TensorError("\(name): tensor '\(tensorName)' has an invalid shape")
      }
      let (size, overflow) = count.multipliedReportingOverflow(by: tensor.dtype.size)
      let (end, overflow2) = offset.addingReportingOverflow(size)
      guard !overflow, !overflow2 else { throw TensorError("\(name): tensors too large to write") }
      members.append(JSONValue.quoted(tensorName) + ":{\"dtype\":\"\(code(tensor.dtype))\",\"shape\":["
        + tensor.shape.map(String.init).joined(separator: ",") + "],\"data_offsets\":[\(offset),\(end)]}")
      offset = end
    }
    let json = "{" + members.joined(separator: ",") + "}"
    var header = Array(json.utf8)
    // Pad with spaces so the data starts 8-byte aligned.
    header += [UInt8](repeating: 0x20, count: (8 - header.count % 8) % 8)
    var bytes = [UInt8]()
    bytes.reserveCapacity(8 + header.count + offset)
    ByteChecks.appendLittleEndian(UInt64(header.count), width: 8, to: &bytes)
    bytes += header
    for (_, tensor) in sorted { ByteChecks.appendElements(of: tensor, to: &bytes) }
    return bytes
  }

  /// The position of `dtype` in the reference's `Dtype` enum, which lists the
  /// dtypes by increasing alignment: BOOL < F32 < F64 < I64.
  private static func alignmentRank(_ dtype: DType) -> Int {
    switch dtype {
    case .bool: return 0
    case .float32: return 1
    case .float64: return 2
    case .int64: return 3
    }
  }

  /// The reference implementation's name for `dtype`.
  static func code(_ dtype: DType) -> String {
    switch dtype {
    case .float32: return "F32"
    case .float64: return "F64"
    case .int64: return "I64"
    case .bool: return "BOOL"
    }
  }
}
