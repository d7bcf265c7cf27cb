/// Element access for every dtype: typed pointers, conversion (`astype`),
/// copies, and reading one element as a `ScalarValue`.

/// One element of any dtype, as the language sees it.
public enum ScalarValue: Equatable, Sendable {
  case bool(Bool)
  case int(Int64)
  case float(Double)

  /// The value as a Double (exact for bool and floats, and ints below 2^53).
  public var double: Double {
    switch self {
    case .bool(let b): return b ? 1 : 0
    case .int(let i): return Double(i)
    case .float(let x): return x
    }
  }
}

extension Tensor {
  /// The element at storage position `at`, in its own dtype.
  func value(at: Int) -> ScalarValue {
    switch dtype {
    case .float32: return .float(Double(storage.base[at]))
    case .float64: return .float(storage.typed(Double.self)[at])
    case .int64: return .int(storage.typed(Int64.self)[at])
    case .bool: return .bool(storage.typed(Bool.self)[at])
    }
  }

  /// The single element of a one-element tensor, in its dtype.
  public func value() throws -> ScalarValue {
    guard count == 1 else {
      throw TensorError("item: tensor of shape \(shapeText(shape)) has \(count) elements, not 1")
    }
    return value(at: offset)
  }

  /// Pointer to element `[0, 0, ...]` as `T` (which must be this dtype's type).
  @inline(__always)
  func pointer<T: TensorElement>(_: T.Type) -> UnsafeMutablePointer<T> {
    storage.typed(T.self) + offset
  }

  /// A fresh contiguous tensor of `T`'s dtype whose elements `fill` writes.
  @inline(__always)
  static func make<T: TensorElement>(
    _ shape: [Int], of _: T.Type, node: GradNode? = nil,
    fill: (UnsafeMutableBufferPointer<T>) throws -> Void
  ) throws -> Tensor {
    try make(shape, strides: contiguousStrides(shape), of: T.self, node: node, fill: fill)
  }

  /// As `make(_:of:node:fill:)` with `strides` known to be the row-major strides of `shape`.
  @inline(__always)
  static func make<T: TensorElement>(
    _ shape: [Int], strides: [Int], of _: T.Type, node: GradNode? = nil,
    fill: (UnsafeMutableBufferPointer<T>) throws -> Void
  ) throws -> Tensor {
    if T.self == Float.self {
      // The float32 path of every kernel: exactly the untyped `make`.
      return try make(shape, strides: strides, node: node) { buffer in
        try fill(UnsafeMutableRawBufferPointer(buffer).assumingMemoryBound(to: T.self))
      }
    }
    let count = shape.reduce(1, *)  // callers validated the shape
    let storage = try Storage(count: count, dtype: T.dtype)
    try fill(UnsafeMutableBufferPointer(start: storage.typed(T.self), count: count))
    return Tensor(shape: shape, strides: strides, offset: 0, storage: storage, node: node)
  }

  /// A tensor of the given shape holding `elements` in row-major order, of
  /// `T`'s dtype (`Tensor(shape: [2], elements: [Int64(1), 2])` is int64).
  public convenience init<T: TensorElement>(shape: [Int], elements: [T]) throws {
    let count = try checkedCount(shape, op: "tensor")
    guard count == elements.count else {
      throw TensorError("tensor: shape \(shapeText(shape)) needs \(count) elements, got \(elements.count)")
    }
    let storage = try Storage(count: count, dtype: T.dtype)
    elements.withUnsafeBufferPointer { src in
      if let p = src.baseAddress { storage.typed(T.self).update(from: p, count: count) }
    }
    self.init(shape: shape, strides: contiguousStrides(shape), offset: 0, storage: storage)
  }

  /// The elements in row-major order converted to `T` (as `astype` converts).
  public func elements<T: TensorElement>(as _: T.Type) -> [T] {
    [T](unsafeUninitializedCapacity: count) { buffer, initialized in
      switch dtype {
      case .float32: convertElements(from: Float.self, into: buffer)
      case .float64: convertElements(from: Double.self, into: buffer)
      case .int64: convertElements(from: Int64.self, into: buffer)
      case .bool: convertElements(from: Bool.self, into: buffer)
      }
      initialized = count
    }
  }

  @inline(__always)
  private func convertElements<S: TensorElement, T: TensorElement>(
    from _: S.Type, into buffer: UnsafeMutableBufferPointer<T>
  ) {
    guard let dst = buffer.baseAddress, count > 0 else { return }
    let src = UnsafePointer(pointer(S.self))
    if S.self == T.self {
      stridedAssign(shape: shape, from: UnsafeRawPointer(src).assumingMemoryBound(to: T.self), strides: strides,
                    to: dst, strides: contiguousStrides(shape))
      return
    }
    let dense = contiguousStrides(shape)
    let layout = Layout(shape: shape) { SIMD4(strides[$0], dense[$0], 0, 0) }
    let n = layout.inner, s = layout.innerStride(0)
    layout.forEachRow(start: .zero) { o in
      let a = src + o[0], d = dst + o[1]
      for i in 0..<n { d[i] = T(converting: a[i &* s]) }
    }
  }

  /// The elements converted to `dtype` (NumPy's `astype`: floats to int64
  /// truncate toward zero, anything to bool is `!= 0`). A float-to-float
  /// conversion is differentiable (the gradient converts back); one to or from
  /// an integer or bool dtype is a constant. Returns `self` for the same dtype.
  public func astype(_ target: DType) throws -> Tensor {
    if target == dtype { return self }
    let sourceType = dtype
    let node = target.isFloatingPoint && dtype.isFloatingPoint
      ? GradNode.record("astype", self, { c in [try c.grad.astype(sourceType)] }) : nil
    _ = try checkedCount(shape, op: "astype")
    switch target {
    case .float32: return try Tensor.make(shape, of: Float.self, node: node) { fillConverted($0) }
    case .float64: return try Tensor.make(shape, of: Double.self, node: node) { fillConverted($0) }
    case .int64: return try Tensor.make(shape, of: Int64.self) { fillConverted($0) }
    case .bool: return try Tensor.make(shape, of: Bool.self) { fillConverted($0) }
    }
  }

  private func fillConverted<T: TensorElement>(_ out: UnsafeMutableBufferPointer<T>) {
    switch dtype {
    case .float32: convertElements(from: Float.self, into: out)
    case .float64: convertElements(from: Double.self, into: out)
    case .int64: convertElements(from: Int64.self, into: out)
    case .bool: convertElements(from: Bool.self, into: out)
    }
  }

  /// A dense row-major copy of any dtype that shares nothing with this tensor (no graph).
  func contiguousCopy() throws -> Tensor {
    switch dtype {
    case .float32: return try Tensor.make(shape) { copyElements(to: $0) }
    case .float64: return try Tensor.make(shape, of: Double.self) { convertElements(from: Double.self, into: $0) }
    case .int64: return try Tensor.make(shape, of: Int64.self) { convertElements(from: Int64.self, into: $0) }
    case .bool: return try Tensor.make(shape, of: Bool.self) { convertElements(from: Bool.self, into: $0) }
    }
  }

  /// Throws unless this tensor is float32: the guard of every kernel that
  /// reads `storage.base` (so no other dtype is ever read as Float32).
  @inline(__always)
  func requireFloat32(_ op: String) throws {
    if dtype != .float32 { throw TensorError.unsupported(dtype, op: op) }
  }
}

// Dtype-agnostic moves: copies do not look at values, so one loop per element
// width serves every dtype (each reads its memory as the type it is bound to).
extension Tensor {
  /// Address of element `[0, 0, ...]`.
  @inline(__always)
  var elementAddress: UnsafeMutableRawPointer { storage.raw + offset &* dtype.size }

  /// A fresh contiguous tensor of `dtype` whose elements `fill` writes, given
  /// the buffer's raw address (as `elementAddress` is for a tensor).
  static func make(
    _ shape: [Int], dtype: DType, node: GradNode? = nil, fill: (UnsafeMutableRawPointer) throws -> Void
  ) throws -> Tensor {
    let count = shape.reduce(1, *)  // callers validated the shape
    let storage = try Storage(count: count, dtype: dtype)
    try fill(storage.raw)
    return Tensor(shape: shape, strides: contiguousStrides(shape), offset: 0, storage: storage, node: node)
  }
}

/// Writes `count` zeros (false for bool) of `dtype` at `raw`.
func zeroFill(_ raw: UnsafeMutableRawPointer, count: Int, dtype: DType) {
  switch dtype {
  case .float32: raw.assumingMemoryBound(to: Float.self).initialize(repeating: 0, count: count)
  case .float64: raw.assumingMemoryBound(to: Double.self).initialize(repeating: 0, count: count)
  case .int64: raw.assumingMemoryBound(to: Int64.self).initialize(repeating: 0, count: count)
  case .bool: raw.assumingMemoryBound(to: Bool.self).initialize(repeating: false, count: count)
  }
}

/// `stridedAssign` for elements of `dtype` at raw addresses.
func stridedAssign(dtype: DType, shape: [Int], from src: UnsafeRawPointer, strides srcStrides: [Int],
                   to dst: UnsafeMutableRawPointer, strides dstStrides: [Int]) {
  switch dtype {
  case .float32:
    stridedAssign(shape: shape, from: src.assumingMemoryBound(to: Float.self), strides: srcStrides,
                  to: dst.assumingMemoryBound(to: Float.self), strides: dstStrides)
  case .float64:
    stridedAssign(shape: shape, from: src.assumingMemoryBound(to: Double.self), strides: srcStrides,
                  to: dst.assumingMemoryBound(to: Double.self), strides: dstStrides)
  case .int64:
    stridedAssign(shape: shape, from: src.assumingMemoryBound(to: Int64.self), strides: srcStrides,
                  to: dst.assumingMemoryBound(to: Int64.self), strides: dstStrides)
  case .bool:
    stridedAssign(shape: shape, from: src.assumingMemoryBound(to: Bool.self), strides: srcStrides,
                  to: dst.assumingMemoryBound(to: Bool.self), strides: dstStrides)
  }
}
