/// An n-dimensional array of one `DType` (float32 unless asked otherwise): a
/// shape and strides over shared storage.
///
/// Tensors are immutable values as far as the API goes (every op returns a new
/// tensor), but a class, because identity matters for autodiff: the gradient of
/// an output is taken with respect to particular tensor objects. Views (reshape,
/// transpose, slices, expand) share storage and copy nothing. A 0-d tensor is a scalar.
public final class Tensor: CustomStringConvertible {
  /// Extent of each axis; `[]` for a scalar.
  public let shape: [Int]
  /// Elements to step in storage per unit step along each axis (0 for broadcast axes).
  public let strides: [Int]
  /// Position of element `[0, 0, ...]` in storage.
  public let offset: Int
  let storage: Storage
  /// How this tensor was computed from tracked tensors; nil for leaves and constants.
  let node: GradNode?
  /// True for a leaf the user marked as a differentiation variable.
  let isGradLeaf: Bool

  init(shape: [Int], strides: [Int], offset: Int, storage: Storage,
       node: GradNode? = nil, isGradLeaf: Bool = false) {
    self.shape = shape
    self.strides = strides
    self.offset = offset
    self.storage = storage
    self.node = node
    self.isGradLeaf = isGradLeaf
  }

  /// A fresh contiguous tensor whose elements `fill` writes (all of them); throws
  /// when its memory is refused (see `MemoryBudget`).
  static func make(
    _ shape: [Int], node: GradNode? = nil,
    fill: (UnsafeMutableBufferPointer<Float>) throws -> Void
  ) throws -> Tensor {
    try make(shape, strides: contiguousStrides(shape), node: node, fill: fill)
  }

  /// As `make(_:node:fill:)` with `strides` already known to be the row-major
  /// strides of `shape` (lets small ops reuse an input's array: no allocation).
  @inline(__always)
  static func make(
    _ shape: [Int], strides: [Int], node: GradNode? = nil,
    fill: (UnsafeMutableBufferPointer<Float>) throws -> Void
  ) throws -> Tensor {
    let count = shape.reduce(1, *)  // callers validated the shape
    let storage = try Storage(count: count)
    try fill(UnsafeMutableBufferPointer(start: storage.base, count: count))
    return Tensor(shape: shape, strides: strides, offset: 0, storage: storage, node: node)
  }

  /// This tensor's strides when they are exactly the row-major strides of its
  /// shape (so a result of the same shape can share the array), else fresh ones.
  @inline(__always)
  func denseStrides() -> [Int] {
    var running = 1
    for axis in stride(from: shape.count - 1, through: 0, by: -1) {
      if strides[axis] != running { return contiguousStrides(shape) }
      running &*= shape[axis]
    }
    return strides
  }

  /// A tensor of the given shape holding `scalars` in row-major order.
  /// Throws when the shape is invalid or the count does not match.
  public convenience init(shape: [Int], scalars: [Float]) throws {
    let count = try checkedCount(shape, op: "tensor")
    guard count == scalars.count else {
      throw TensorError("tensor: shape \(shapeText(shape)) needs \(count) elements, got \(scalars.count)")
    }
    let storage = try Storage(count: count)
    scalars.withUnsafeBufferPointer { src in
      if let p = src.baseAddress { storage.base.update(from: p, count: count) }
    }
    self.init(shape: shape, strides: contiguousStrides(shape), offset: 0, storage: storage)
  }

  /// A 0-d tensor holding `value`.
  public convenience init(_ value: Float) {
    let storage = Storage(scalar: value)
    self.init(shape: [], strides: [], offset: 0, storage: storage)
  }

  /// The element type (the storage's: views share it).
  public var dtype: DType { storage.dtype }

  /// Number of axes.
  public var rank: Int { shape.count }
  /// Number of elements.
  public var count: Int { shape.reduce(1, *) }

  /// True when the elements are laid out densely in row-major order from `offset`.
  public var isContiguous: Bool {
    var expected = 1
    for axis in stride(from: shape.count - 1, through: 0, by: -1) where shape[axis] != 1 {
      if strides[axis] != expected { return false }
      expected *= shape[axis]
    }
    return true
  }

  /// Row-major copy of the elements as Float32 (converted from other dtypes;
  /// `elements(as:)` gives them exactly).
  public var scalars: [Float] {
    guard dtype == .float32 else { return elements(as: Float.self) }
    let n = count
    return [Float](unsafeUninitializedCapacity: n) { buffer, initialized in
      copyElements(to: buffer)
      initialized = n
    }
  }

  /// The single element of a one-element tensor, as a Float32 (`value()` keeps its dtype).
  public func item() throws -> Float {
    guard count == 1 else {
      throw TensorError("item: tensor of shape \(shapeText(shape)) has \(count) elements, not 1")
    }
    return dtype == .float32 ? storage.base[offset] : Float(value(at: offset).double)
  }

  /// Calls `body` with the float32 elements in row-major order, copying only
  /// when this tensor is not contiguous (which throws when the copy's memory is
  /// refused). Throws for other dtypes, naming `op` (the language name of the
  /// float32 kernel calling this).
  public func withContiguousBuffer<R>(op: String, _ body: (UnsafeBufferPointer<Float>) throws -> R) throws -> R {
    guard dtype == .float32 else { throw TensorError.unsupported(dtype, op: op) }
    if isContiguous {
      return try body(UnsafeBufferPointer(start: storage.base + offset, count: count))
    }
    let copy = try contiguousCopy()
    return try body(UnsafeBufferPointer(start: copy.storage.base, count: copy.count))
  }

  /// As `withContiguousBuffer` for elements of type `T` (which must be this
  /// tensor's dtype's type; else an error naming `op`).
  func withContiguousElements<T: TensorElement, R>(
    of _: T.Type, op: String, _ body: (UnsafeBufferPointer<T>) throws -> R
  ) throws -> R {
    guard dtype == T.dtype else { throw TensorError.unsupported(dtype, op: op) }
    let source = isContiguous ? self : try contiguousCopy()
    return try body(UnsafeBufferPointer(start: source.pointer(T.self), count: count))
  }

  /// Writes the elements in row-major order into `buffer` (which holds `count`).
  func copyElements(to buffer: UnsafeMutableBufferPointer<Float>) {
    guard let dst = buffer.baseAddress else { return }
    if isContiguous {
      dst.update(from: storage.base + offset, count: count)
    } else {
      stridedCopy(shape: shape, from: storage.base + offset, strides: strides, to: dst)
    }
  }

  /// NumPy-style text, e.g. `tensor([[1., 2.], [3., 4.]])`; a dtype other than
  /// float32 and int64 is named after the elements (`dtype: "float64"`).
  public var description: String {
    formatTensor(shape: shape, count: count, dtype: dtype) { position in
      // Row-major position to storage offset: only the printed elements are read.
      var rest = position, at = offset
      for axis in stride(from: shape.count - 1, through: 0, by: -1) where shape[axis] > 0 {
        at += (rest % shape[axis]) * strides[axis]
        rest /= shape[axis]
      }
      return value(at: at)
    }
  }
}

/// Row-major strides for `shape`.
func contiguousStrides(_ shape: [Int]) -> [Int] {
  // Array literals for the common ranks: `Array(repeating:count:)` looks up
  // generic metadata at run time (~400 instructions per call, profiled).
  switch shape.count {
  case 0: return []
  case 1: return [1]
  case 2: return [shape[1], 1]
  case 3: return [shape[1] &* shape[2], shape[2], 1]
  default: break
  }
  var strides = [Int](repeating: 1, count: shape.count)
  var running = 1
  for axis in stride(from: shape.count - 1, through: 0, by: -1) {
    strides[axis] = running
    running *= shape[axis]
  }
  return strides
}

/// Element count of `shape`, throwing for more than `Tensor.maxRank` axes,
/// negative extents, overflow, or more than `Tensor.maxElementCount` elements.
func checkedCount(_ shape: [Int], op: String) throws -> Int {
  try checkRank(shape.count, op: op)
  // Zero-size axes make the count 0, but strides still multiply the other
  // extents, so those must not overflow either: bound the product of max(d, 1).
  var bounded = 1
  var hasZero = false
  for d in shape {
    guard d >= 0 else { throw TensorError("\(op): negative dimension in shape \(shapeText(shape))") }
    if d == 0 { hasZero = true; continue }
    let (product, overflow) = bounded.multipliedReportingOverflow(by: d)
    guard !overflow, product <= Tensor.maxElementCount else {
      throw TensorError("\(op): shape \(shapeText(shape)) has too many elements")
    }
    bounded = product
  }
  return hasZero ? 0 : bounded
}
