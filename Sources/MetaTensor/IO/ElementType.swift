/// A scalar type stored in a tensor file, and the dtype it is read as.
///
/// Reading keeps every value exact where a dtype can hold it:
///
/// | file kind                                   | tensor dtype |
/// |---------------------------------------------|--------------|
/// | float32                                     | float32      |
/// | float64                                     | float64      |
/// | int64; int8/16/32; uint8/16/32              | int64 (exact)|
/// | uint64                                      | int64 when every value fits (below 2^63), else an error |
/// | bool                                        | bool         |
/// | float16, bfloat16                           | float32 (exact: it holds every value) |
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

  /// The dtype these elements are read as (see the table above).
  var dtype: DType {
    switch self {
    case .bool: return .bool
    case .int8, .uint8, .int16, .uint16, .int32, .uint32, .int64, .uint64: return .int64
    case .float16, .bfloat16, .float32: return .float32
    case .float64: return .float64
    }
  }

  /// The file kind a tensor of `dtype` is written as (the same kind, so writing loses nothing).
  init(_ dtype: DType) {
    switch dtype {
    case .bool: self = .bool
    case .int64: self = .int64
    case .float32: self = .float32
    case .float64: self = .float64
    }
  }

  /// The `shape.product` packed elements starting at `start` as a row-major
  /// tensor of `dtype` (the caller has checked that the bytes are there).
  /// `fortranOrder`: the file lists them column-major. Throws (without a file
  /// name: the caller adds it) for a uint64 value past int64 or a shape too large.
  func decode(_ bytes: [UInt8], from start: Int, shape: [Int], bigEndian: Bool,
              fortranOrder: Bool = false) throws -> Tensor {
    let count = try checkedCount(shape, op: "read")
    let storage = try Storage(count: count, dtype: dtype)
    switch self {
    case .bool: fill(storage.typed(Bool.self), bytes, start, count, bigEndian) { raw, _ in raw != 0 }
    case .int8: fill(storage.typed(Int64.self), bytes, start, count, bigEndian) { raw, _ in Int64(Int8(truncatingIfNeeded: raw)) }
    case .int16: fill(storage.typed(Int64.self), bytes, start, count, bigEndian) { raw, _ in Int64(Int16(truncatingIfNeeded: raw)) }
    case .int32: fill(storage.typed(Int64.self), bytes, start, count, bigEndian) { raw, _ in Int64(Int32(truncatingIfNeeded: raw)) }
    case .uint8, .uint16, .uint32: fill(storage.typed(Int64.self), bytes, start, count, bigEndian) { raw, _ in Int64(raw) }
    case .int64: fill(storage.typed(Int64.self), bytes, start, count, bigEndian) { raw, _ in Int64(bitPattern: raw) }
    case .uint64:
      try fill(storage.typed(Int64.self), bytes, start, count, bigEndian) { raw, i in
        guard raw <= UInt64(Int64.max) else {
          throw TensorError("uint64 element \(i) is \(raw), too large for int64 (the largest is \(Int64.max))")
        }
        return Int64(raw)
      }
    case .float16: fill(storage.typed(Float.self), bytes, start, count, bigEndian) { raw, _ in Self.halfToFloat(UInt16(truncatingIfNeeded: raw)) }
    case .bfloat16: fill(storage.typed(Float.self), bytes, start, count, bigEndian) { raw, _ in Float(bitPattern: UInt32(truncatingIfNeeded: raw) << 16) }
    case .float32: fill(storage.typed(Float.self), bytes, start, count, bigEndian) { raw, _ in Float(bitPattern: UInt32(truncatingIfNeeded: raw)) }
    case .float64: fill(storage.typed(Double.self), bytes, start, count, bigEndian) { raw, _ in Double(bitPattern: raw) }
    }
    guard fortranOrder, shape.count > 1 else {
      return Tensor(shape: shape, strides: contiguousStrides(shape), offset: 0, storage: storage)
    }
    // Column-major: the first axis varies fastest. View it so, then copy row-major.
    var strides = [Int](repeating: 1, count: shape.count)
    for axis in 1..<shape.count { strides[axis] = strides[axis - 1] &* shape[axis - 1] }
    return try Tensor(shape: shape, strides: strides, offset: 0, storage: storage).contiguousCopy()
  }

  /// Writes `count` elements converted by `convert(raw, index)`, where `raw` is
  /// the element's bytes as an unsigned integer of its width, in file order.
  private func fill<T: TensorElement>(
    _ out: UnsafeMutablePointer<T>, _ bytes: [UInt8], _ start: Int, _ count: Int, _ bigEndian: Bool,
    _ convert: (UInt64, Int) throws -> T
  ) rethrows {
    let width = size
    // Little-endian float32, float64 or int64 on a little-endian host is already the layout: copy it.
    if !bigEndian, 1.littleEndian == 1, self != .bool, ElementType(dtype) == self {
      bytes.withUnsafeBytes { src in
        if let base = src.baseAddress { UnsafeMutableRawPointer(out).copyMemory(from: base + start, byteCount: count &* width) }
      }
      return
    }
    try bytes.withUnsafeBufferPointer { buffer in
      for i in 0..<count {
        var raw: UInt64 = 0
        let base = start &+ i &* width
        for k in 0..<width { raw = raw << 8 | UInt64(buffer[base &+ (bigEndian ? k : width &- 1 &- k)]) }
        out[i] = try convert(raw, i)
      }
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

  /// Appends the tensor's elements in row-major order, little-endian, each of
  /// its dtype's width (a bool is one byte, 0 or 1): the data of a file that
  /// declares `ElementType(tensor.dtype)`.
  static func appendElements(of tensor: Tensor, to bytes: inout [UInt8]) {
    bytes.reserveCapacity(bytes.count + tensor.count * tensor.dtype.size)
    switch tensor.dtype {
    case .float32: append(tensor.elements(as: Float.self), to: &bytes) { UInt64($0.bitPattern) }
    case .float64: append(tensor.elements(as: Double.self), to: &bytes) { $0.bitPattern }
    case .int64: append(tensor.elements(as: Int64.self), to: &bytes) { UInt64(bitPattern: $0) }
    case .bool: append(tensor.elements(as: Bool.self), to: &bytes) { $0 ? 1 : 0 }
    }
  }

  private static func append<T: TensorElement>(_ elements: [T], to bytes: inout [UInt8], bits: (T) -> UInt64) {
    // On a little-endian host the elements' memory is the file's layout (Swift stores a Bool as 0 or 1).
    if 1.littleEndian == 1 {
      elements.withUnsafeBytes { bytes.append(contentsOf: $0) }
      return
    }
    for x in elements { appendLittleEndian(bits(x), width: T.dtype.size, to: &bytes) }
  }

  /// "[2, 3]"
  static func shapeText(_ shape: [Int]) -> String {
    "[" + shape.map(String.init).joined(separator: ", ") + "]"
  }
}
