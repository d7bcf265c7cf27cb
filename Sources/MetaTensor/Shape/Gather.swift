/// Selection by index tensors (int64, or floats holding whole numbers below
/// 2^24 where they are exact; negative ones count from the end), their
/// scatter-add adjoints, and one-hot encoding.
extension Tensor {
  /// Validated integer positions from an index tensor for an axis of size `n`
  /// (`axis`, when given, is named in the out-of-range message).
  func indexValues(size n: Int, op: String, axis: Int? = nil, allowNegative: Bool = true) throws -> [Int] {
    func resolve(_ i: Int) throws -> Int {
      let resolved = i < 0 && allowNegative ? i + n : i
      guard resolved >= 0, resolved < n else {
        throw TensorError(axis.map { "\(op): index \(i) is out of range for axis \($0) of size \(n)" }
                            ?? "\(op): index \(i) out of range for an axis of size \(n)")
      }
      return resolved
    }
    if dtype == .int64 { return try elements(as: Int64.self).map { try resolve(Int($0)) } }
    guard dtype.isFloatingPoint else {
      throw TensorError("\(op): indices must be int64, not \(dtype) (a bool mask selects with t[mask])")
    }
    return try elements(as: Double.self).map { v in
      guard v == v.rounded(), Swift.abs(v) < 16_777_216 else {
        throw TensorError(Swift.abs(v) < 1e15 && v == v.rounded()
          ? "\(op): index \(v) is beyond 2^24, where float32 indices are not exact; use int64 indices"
          : "\(op): index \(v) is not an integer")
      }
      return try resolve(Int(v))
    }
  }

  /// (outer, size, inner) around `axis` of `shape`.
  private static func split3(_ shape: [Int], _ axis: Int) -> (Int, Int, Int) {
    (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
  }

  /// Slices along `axis` at the given indices, as NumPy's `take`: that axis is
  /// replaced by the index tensor's shape. Differentiable in `self`.
  public func indexSelect(_ indices: Tensor, axis: Int) throws -> Tensor {
    let a = try normalizedAxis(axis, op: "index")
    let picks = try indices.indexValues(size: shape[a], op: "index")
    let outShape = Array(shape[..<a]) + indices.shape + Array(shape[(a + 1)...])
    _ = try checkedCount(outShape, op: "index")
    let (outer, n, inner) = Tensor.split3(shape, a)
    let index = indices.detached(), inputShape = shape
    let node = GradNode.record("index_select", self, { c in
      [try c.grad.indexAdd(index, axis: a, size: inputShape[a], shape: inputShape)]
    })
    let source = isContiguous ? self : try contiguousCopy()
    let size = dtype.size
    return try Tensor.make(outShape, dtype: dtype, node: node) { d in
      let s = UnsafeRawPointer(source.elementAddress)
      for o in 0..<outer {
        for (j, p) in picks.enumerated() {
          (d + (o * picks.count + j) * inner * size).copyMemory(from: s + (o * n + p) * inner * size,
                                                                 byteCount: inner * size)
        }
      }
    }
  }

  /// The adjoint of `indexSelect`: zeros of `shape` with slices of this tensor
  /// added at the indexed positions along `axis` (repeats accumulate).
  func indexAdd(_ indices: Tensor, axis a: Int, size n: Int, shape target: [Int]) throws -> Tensor {
    let picks = try indices.indexValues(size: n, op: "index")
    let (outer, _, inner) = Tensor.split3(target, a)
    let node = GradNode.record("index_add", self, { c in [try c.grad.indexSelect(indices, axis: a)] })
    let source = isContiguous ? self : try contiguousCopy()
    @inline(__always) func add<T: TensorElement & FloatingPoint>(_: T.Type) throws -> Tensor {
      let s = UnsafePointer(source.pointer(T.self))
      return try Tensor.make(target, of: T.self, node: node) { out in
        out.initialize(repeating: 0)
        guard let d = out.baseAddress else { return }
        for o in 0..<outer {
          for (j, p) in picks.enumerated() {
            let from = s + (o * picks.count + j) * inner, to = d + (o * n + p) * inner
            for i in 0..<inner { to[i] += from[i] }
          }
        }
      }
    }
    switch dtype {
    case .float32: return try add(Float.self)
    case .float64: return try add(Double.self)
    default: throw TensorError.unsupported(dtype, op: "index_add")
    }
  }

  /// Picks one element along `axis` per index position (PyTorch's `gather`,
  /// NumPy's `take_along_axis`): `indices` has this tensor's shape except
  /// along `axis`, and the result has the shape of `indices`.
  public func gather(_ indices: Tensor, axis: Int) throws -> Tensor {
    let a = try normalizedAxis(axis, op: "gather")
    try checkAlongAxis(indices.shape, axis: a, op: "gather")
    let (outer, n, inner) = Tensor.split3(shape, a)
    let m = indices.shape[a]
    let picks = try indices.indexValues(size: n, op: "gather", axis: a)
    let index = indices.detached(), inputShape = shape
    let node = GradNode.record("gather", self, { c in
      [try c.grad.scatterAdd(index, axis: a, shape: inputShape)]
    })
    @inline(__always) func pick<T: TensorElement>(_: T.Type) throws -> Tensor {
      try withContiguousElements(of: T.self, op: "gather") { src in
        try Tensor.make(indices.shape, of: T.self, node: node) { out in
          for o in 0..<outer {
            for j in 0..<m {
              for i in 0..<inner {
                let at = (o * m + j) * inner + i
                out[at] = src[(o * n + picks[at]) * inner + i]
              }
            }
          }
        }
      }
    }
    switch dtype {
    case .float32: return try pick(Float.self)
    case .float64: return try pick(Double.self)
    case .int64: return try pick(Int64.self)
    case .bool: return try pick(Bool.self)
    }
  }

  /// The adjoint of `gather`: zeros of `shape` with this tensor's elements
  /// added at the positions `indices` names along `axis`.
  public func scatterAdd(_ indices: Tensor, axis: Int, shape target: [Int]) throws -> Tensor {
    guard target.count == rank else {
      throw TensorError("gather: target shape \(shapeText(target)) has a different rank from \(shapeText(shape))")
    }
    let a = try normalizedAxis(axis, op: "gather")
    _ = try checkedCount(target, op: "gather")
    guard indices.shape == shape else {
      throw TensorError("gather: indices of shape \(shapeText(indices.shape)) for values of shape \(shapeText(shape))")
    }
    var expected = target
    expected[a] = shape[a]
    guard expected == shape else {
      throw TensorError("gather: values of shape \(shapeText(shape)) do not fit target \(shapeText(target)) along axis \(axis)")
    }
    let (outer, n, inner) = Tensor.split3(target, a)
    let m = shape[a]
    let picks = try indices.indexValues(size: n, op: "gather")
    let index = indices.detached()
    let node = GradNode.record("scatter_add", self, { c in [try c.grad.gather(index, axis: a)] })
    @inline(__always) func add<T: TensorElement & FloatingPoint>(_: T.Type) throws -> Tensor {
      try withContiguousElements(of: T.self, op: "gather") { src in
        try Tensor.make(target, of: T.self, node: node) { out in
          out.initialize(repeating: 0)
          for o in 0..<outer {
            for j in 0..<m {
              for i in 0..<inner {
                let at = (o * m + j) * inner + i
                out[(o * n + picks[at]) * inner + i] += src[at]
              }
            }
          }
        }
      }
    }
    switch dtype {
    case .float32: return try add(Float.self)
    case .float64: return try add(Double.self)
    default: throw TensorError.unsupported(dtype, op: "gather")
    }
  }

  private func checkAlongAxis(_ other: [Int], axis a: Int, op: String) throws {
    var expected = shape
    guard other.count == rank else {
      throw TensorError("\(op): indices of shape \(shapeText(other)) for a tensor of shape \(shapeText(shape)) (ranks differ)")
    }
    expected[a] = other[a]
    guard expected == other else {
      throw TensorError("\(op): indices of shape \(shapeText(other)) must match \(shapeText(shape)) except along axis \(a)")
    }
  }

  /// Rows of the identity: shape `labels.shape + [classes]`, int64 (as PyTorch's).
  public static func oneHot(_ labels: Tensor, classes: Int) throws -> Tensor {
    guard classes > 0 else { throw TensorError("one_hot: classes must be positive, got \(classes)") }
    let picks = try labels.indexValues(size: classes, op: "one_hot", allowNegative: false)
    let shape = labels.shape + [classes]
    _ = try checkedCount(shape, op: "one_hot")
    return try make(shape, of: Int64.self) { out in
      out.initialize(repeating: 0)
      for (i, p) in picks.enumerated() { out[i * classes + p] = 1 }
    }
  }
}
