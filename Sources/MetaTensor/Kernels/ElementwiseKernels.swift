/// Raw element-wise loops, generic over the element types (Float32 by
/// default). The op closures are passed as literals into `@inline(__always)`
/// functions so each call site gets its own specialised, vectorisable loop;
/// broadcasting reads operands through 0 strides instead of materialising them.
/// Operands must already have the dtype the loop reads (callers promote): a
/// mismatch throws rather than reading one type's bits as another's.

extension Tensor {
  /// `op` applied to every element, as a fresh contiguous tensor (no graph).
  @inline(__always)
  func mapElements(node: GradNode? = nil, _ op: (Float) -> Float) throws -> Tensor {
    try mapElements(node: node, of: Float.self, to: Float.self, op)
  }

  /// `op` applied to every `T` element, giving `R` elements. `name` (the
  /// language op) is for the error when this tensor is not of `T`'s dtype;
  /// callers that switch on the dtype first may leave it out.
  @inline(__always)
  func mapElements<T: TensorElement, R: TensorElement>(
    op name: String? = nil, node: GradNode? = nil, of _: T.Type, to _: R.Type, _ op: (T) -> R
  ) throws -> Tensor {
    guard dtype == T.dtype else { throw TensorError.unsupported(dtype, op: name) }
    let src = UnsafePointer(pointer(T.self))
    if isContiguous {
      // Reuse the shape's stride array. Single-threaded: these loops are
      // memory-bound, and a second core measured slower (bench/RESULTS.md).
      return try Tensor.make(shape, strides: denseStrides(), of: R.self, node: node) { out in
        guard let dst = out.baseAddress else { return }
        for i in 0..<out.count { dst[i] = op(src[i]) }
      }
    }
    return try Tensor.make(shape, of: R.self, node: node) { out in
      guard let dst = out.baseAddress else { return }
      let dense = contiguousStrides(shape)
      let layout = Layout(shape: shape) { SIMD4(strides[$0], dense[$0], 0, 0) }
      let n = layout.inner, s = layout.innerStride(0)
      layout.forEachRow(start: .zero) { o in
        let a = src + o[0], d = dst + o[1]
        for i in 0..<n { d[i] = op(a[i &* s]) }
      }
    }
  }

  /// `op(self, other)` with NumPy broadcasting, as a fresh contiguous tensor
  /// (no graph). Throws when the shapes do not broadcast.
  @inline(__always)
  func zipElements(
    _ other: Tensor, op name: String, node: GradNode? = nil, _ op: (Float, Float) -> Float
  ) throws -> Tensor {
    try zipElements(other, op: name, node: node, of: Float.self, to: Float.self, op)
  }

  /// `op(self, other)` on `T` elements with broadcasting, giving `R` elements.
  @inline(__always)
  func zipElements<T: TensorElement, R: TensorElement>(
    _ other: Tensor, op name: String, node: GradNode? = nil,
    of _: T.Type, to _: R.Type, _ op: (T, T) -> R
  ) throws -> Tensor {
    guard dtype == T.dtype else { throw TensorError.unsupported(dtype, op: name) }
    guard other.dtype == T.dtype else { throw TensorError.unsupported(other.dtype, op: name) }
    let pa = UnsafePointer(pointer(T.self))
    let pb = UnsafePointer(other.pointer(T.self))
    // Fast paths for dense operands (the common small-op case): no shape or
    // stride arrays are built.
    if isContiguous {
      if shape == other.shape && other.isContiguous {
        return try Tensor.make(shape, strides: denseStrides(), of: R.self, node: node) { out in
          guard let dst = out.baseAddress else { return }
          for i in 0..<out.count { dst[i] = op(pa[i], pb[i]) }
        }
      }
      if other.count == 1 && other.rank <= rank {
        // A scalar (or all-1 shape) operand: before the row path, which would
        // run it as rows of length 1.
        let y = pb[0]
        return try Tensor.make(shape, strides: denseStrides(), of: R.self, node: node) { out in
          guard let dst = out.baseAddress else { return }
          for i in 0..<out.count { dst[i] = op(pa[i], y) }
        }
      }
      if other.rank < rank, let m = suffixRowLength(of: other, in: shape) {
        // [..., m] op [m]: the bias-add pattern; the result has self's shape.
        return try Tensor.make(shape, strides: denseStrides(), of: R.self, node: node) { out in
          guard let dst = out.baseAddress else { return }
          for row in stride(from: 0, to: out.count, by: m) {
            let a = pa + row, d = dst + row
            for i in 0..<m { d[i] = op(a[i], pb[i]) }
          }
        }
      }
    }
    if count == 1 && rank <= other.rank && other.isContiguous {
      let x = pa[0]
      return try Tensor.make(other.shape, strides: other.denseStrides(), of: R.self, node: node) { out in
        guard let dst = out.baseAddress else { return }
        for i in 0..<out.count { dst[i] = op(x, pb[i]) }
      }
    }
    let outShape = try broadcastShapes(shape, other.shape, op: name)
    if outShape != shape && outShape != other.shape { _ = try checkedCount(outShape, op: name) }
    return try Tensor.make(outShape, of: R.self, node: node) { out in
      guard let dst = out.baseAddress else { return }
      let n = out.count
      if other.count == 1 && shape == outShape && isContiguous {
        let y = pb[0]
        for i in 0..<n { dst[i] = op(pa[i], y) }
      } else if count == 1 && other.shape == outShape && other.isContiguous {
        let x = pa[0]
        for i in 0..<n { dst[i] = op(x, pb[i]) }
      } else if let m = suffixRowLength(of: other, in: outShape), shape == outShape && isContiguous {
        // [..., m] op [m]: the bias-add pattern, row by row.
        for row in stride(from: 0, to: n, by: m) {
          let a = pa + row, d = dst + row
          for i in 0..<m { d[i] = op(a[i], pb[i]) }
        }
      } else if let m = suffixRowLength(of: self, in: outShape), other.shape == outShape && other.isContiguous {
        for row in stride(from: 0, to: n, by: m) {
          let b = pb + row, d = dst + row
          for i in 0..<m { d[i] = op(pa[i], b[i]) }
        }
      } else {
        let dense = contiguousStrides(outShape), r = outShape.count
        let layout = Layout(shape: outShape) { d in
          SIMD4(broadcastStride(d, rank: r), other.broadcastStride(d, rank: r), dense[d], 0)
        }
        let m = layout.inner, sa = layout.innerStride(0), sb = layout.innerStride(1)
        layout.forEachRow(start: .zero) { o in
          let a = pa + o[0], b = pb + o[1], d = dst + o[2]
          if sa == 1 && sb == 1 {
            for i in 0..<m { d[i] = op(a[i], b[i]) }
          } else if sa == 1 && sb == 0 {
            let y = b[0]
            for i in 0..<m { d[i] = op(a[i], y) }
          } else if sa == 0 && sb == 1 {
            let x = a[0]
            for i in 0..<m { d[i] = op(x, b[i]) }
          } else {
            for i in 0..<m { d[i] = op(a[i &* sa], b[i &* sb]) }
          }
        }
      }
    }
  }
}

/// The row length when `t` is contiguous and its shape, without leading 1s, is
/// a proper suffix of `outShape` (so it repeats whole over the leading axes).
@inline(__always)
func suffixRowLength(of t: Tensor, in outShape: [Int]) -> Int? {
  guard t.isContiguous, t.count > 0 else { return nil }
  var r = t.rank
  var lead = 0
  while lead < r && t.shape[lead] == 1 { lead += 1 }
  r -= lead
  guard r < outShape.count else { return nil }
  let offset = outShape.count - r
  for i in 0..<r where t.shape[lead + i] != outShape[offset + i] { return nil }
  return t.count
}

/// `cond ? a : b` element-wise with broadcasting of all three (no graph):
/// `cond` is bool (or float32, nonzero meaning true), `a` and `b` are `T`.
@inline(__always)
func selectElements<T: TensorElement>(
  _ cond: Tensor, _ a: Tensor, _ b: Tensor, of _: T.Type = Float.self, node: GradNode? = nil
) throws -> Tensor {
  let ab = try broadcastShapes(a.shape, b.shape, op: "where")
  let outShape = try broadcastShapes(cond.shape, ab, op: "where")
  _ = try checkedCount(outShape, op: "where")
  guard a.dtype == T.dtype, b.dtype == T.dtype else { throw TensorError.unsupported(a.dtype, op: "where") }
  switch cond.dtype {
  case .bool: return try selectElements(cond, Bool.self, a, b, of: T.self, outShape: outShape, node: node) { $0 }
  case .float32: return try selectElements(cond, Float.self, a, b, of: T.self, outShape: outShape, node: node) { $0 != 0 }
  default:
    return try selectElements(cond.astype(.bool), Bool.self, a, b, of: T.self, outShape: outShape, node: node) { $0 }
  }
}

@inline(__always)
private func selectElements<C: TensorElement, T: TensorElement>(
  _ cond: Tensor, _: C.Type, _ a: Tensor, _ b: Tensor, of _: T.Type, outShape: [Int], node: GradNode?,
  _ truth: (C) -> Bool
) throws -> Tensor {
  let pc = UnsafePointer(cond.pointer(C.self))
  let pa = UnsafePointer(a.pointer(T.self))
  let pb = UnsafePointer(b.pointer(T.self))
  return try Tensor.make(outShape, of: T.self, node: node) { out in
    guard let dst = out.baseAddress, !out.isEmpty else { return }
    let dense = contiguousStrides(outShape), r = outShape.count
    let layout = Layout(shape: outShape) { d in
      SIMD4(cond.broadcastStride(d, rank: r), a.broadcastStride(d, rank: r), b.broadcastStride(d, rank: r), dense[d])
    }
    let m = layout.inner
    let sc = layout.innerStride(0), sa = layout.innerStride(1), sb = layout.innerStride(2)
    layout.forEachRow(start: .zero) { o in
      let c = pc + o[0], x = pa + o[1], y = pb + o[2], d = dst + o[3]
      for i in 0..<m { d[i] = truth(c[i &* sc]) ? x[i &* sa] : y[i &* sb] }
    }
  }
}

/// A backward rule's element-wise formula in one pass, when nothing needs
/// recording: `grad` and `x` float32, of one shape, and neither tracked (a
/// first-order sweep, or a higher-order one whose operands are constants).
/// Otherwise nil, and the rule composes differentiable ops. `op` must do the
/// same float operations as that composition, so both give identical bits;
/// this only saves the intermediate tensors (e.g. tanh's 1 - y² took three
/// passes over memory and two temporaries).
@inline(__always)
func fusedBackward(_ grad: Tensor, _ x: Tensor, _ op: (Float, Float) -> Float) throws -> Tensor? {
  guard grad.dtype == .float32, x.dtype == .float32, grad.shape == x.shape,
        !grad.requiresGrad, !x.requiresGrad else { return nil }
  return try grad.zipElements(x, op: "backward", op)
}
