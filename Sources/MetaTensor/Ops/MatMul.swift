import MetaKernels

/// Matrix products with NumPy's `matmul` semantics, computed by `sgemm`.
extension Tensor {
  /// `self @ other`: 1-D operands are promoted to a row (left) or column
  /// (right) vector and the added axis removed again; leading batch axes
  /// broadcast.
  public func matmul(_ other: Tensor) throws -> Tensor {
    if dtype != .float32 || other.dtype != .float32 {
      let (a, b, t) = try Tensor.promote(self, other)
      guard t.isFloatingPoint else { throw TensorError.unsupported(t, op: "matmul") }
      if a !== self || b !== other { return try a.matmul(b) }
    }
    guard rank >= 1, other.rank >= 1 else {
      throw TensorError("matmul: \(shapeText(shape)) @ \(shapeText(other.shape)): scalars are not matrices")
    }
    let k1 = shape[rank - 1], k2 = other.rank == 1 ? other.shape[0] : other.shape[other.rank - 2]
    guard k1 == k2 else {
      throw TensorError("matmul: \(shapeText(shape)) @ \(shapeText(other.shape)): inner dimensions \(k1) and \(k2) differ")
    }
    if rank == 2 && other.rank == 2 { return try Tensor.product(self, other, false, false) }
    if rank > 2 && other.rank <= 2 && isContiguous {
      // [..., m, k] @ [k, n]: one [(... m), k] product instead of a batch of
      // m-row ones (as `linear` does). Its backward then forms the weight's
      // gradient as one k = (... m) product, not a batch summed afterwards.
      let lead = Array(shape.dropLast())
      let rows = try reshape([lead.reduce(1, *), k1])  // not -1: k may be 0
      let b = other.rank == 1 ? try other.reshape([k2, 1]) : other
      let product = try Tensor.product(rows, b, false, false)
      return try product.reshape(other.rank == 1 ? lead : lead + [other.shape[1]])
    }
    let a = rank == 1 ? try reshape([1, k1]) : self
    let b = other.rank == 1 ? try other.reshape([k2, 1]) : other
    let product = try Tensor.product(a, b, false, false, shapes: (shape, other.shape))
    switch (rank, other.rank) {
    case (1, 1): return try product.reshape([])
    case (1, _): return try product.squeeze(-2)
    case (_, 1): return try product.squeeze(-1)
    default: return product
    }
  }

  /// `op(a) @ op(b)` (op transposes the last two axes when its flag is set)
  /// for operands of rank >= 2 whose inner sizes agree, recorded as one
  /// "matmul" node. The backward rule is written with this same op, so
  /// gradients (of any order) come out of sgemm in row-major layout: no
  /// transpose views to record, and no strided gradient sums downstream.
  static func product(_ a: Tensor, _ b: Tensor, _ transA: Bool, _ transB: Bool,
                      shapes: ([Int], [Int])? = nil) throws -> Tensor {
    let node = GradNode.record("matmul", a, b, { c in
      try productBackward(c, transA, transB)
    })
    let x = transA ? a.rawTransposed() : a, y = transB ? b.rawTransposed() : b
    if x.dtype == .float64 { return try doubleProduct(x.detached(), y.detached(), node: node) }
    if x.rank == 2 && y.rank == 2 { return try x.matrixProduct(y, node: node) }
    return try x.batchedMatmul(y, node: node, shapes: shapes ?? (a.shape, b.shape))
  }

  /// A view with the last two axes swapped, outside the graph (the caller records the op).
  private func rawTransposed() -> Tensor {
    var s = shape, st = strides
    s.swapAt(rank - 1, rank - 2)
    st.swapAt(rank - 1, rank - 2)
    return Tensor(shape: s, strides: st, offset: offset, storage: storage)
  }

  /// Gradients of `C = op(A) op(B)` from `G = dC`, each summed over broadcast batch axes:
  /// NN: dA = G Bᵀ, dB = Aᵀ G;  NT: dA = G B, dB = Gᵀ A;
  /// TN: dA = B Gᵀ, dB = A G;   TT: dA = Bᵀ Gᵀ, dB = Gᵀ Aᵀ.
  private static func productBackward(_ c: BackwardContext, _ transA: Bool, _ transB: Bool) throws -> [Tensor?] {
    let (a, b, g) = (c.inputs[0], c.inputs[1], c.grad)
    var da: Tensor?, db: Tensor?
    if c.needsGrad[0] {
      da = try transA ? product(b, g, transB, true) : product(g, b, false, !transB)
    }
    if c.needsGrad[1] {
      db = try transB ? product(g, a, true, transA) : product(a, g, !transA, false)
    }
    return [try da?.sumToShape(a.shape), try db?.sumToShape(b.shape)]
  }

  /// `a @ b` for two matrices (inner sizes checked): the common case, without
  /// the batch bookkeeping, so a tiny product costs little more than sgemm.
  private func matrixProduct(_ other: Tensor, node: GradNode?) throws -> Tensor {
    let m = shape[0], k = shape[1], n = other.shape[1]
    let (elements, overflow) = m.multipliedReportingOverflow(by: n)
    guard !overflow, elements <= Tensor.maxElementCount else {
      throw TensorError("matmul: shape \(shapeText([m, n])) has too many elements")
    }
    let lhs = try MatrixOperand(self), rhs = try MatrixOperand(other)
    return try Tensor.make([m, n], strides: [n, 1], node: node) { out in
      guard let dst = out.baseAddress, !out.isEmpty else { return }
      if k == 0 { out.initialize(repeating: 0); return }
      sgemm(transA: lhs.transposed, transB: rhs.transposed, m: m, n: n, k: k,
            alpha: 1, a: lhs.tensor.storage.base + lhs.tensor.offset, lda: lhs.ld,
            b: rhs.tensor.storage.base + rhs.tensor.offset, ldb: rhs.ld,
            beta: 0, c: dst, ldc: n, threads: m * n * k >= 1 << 18 ? 2 : 1)
    }
  }

  /// `a @ b` for a.rank, b.rank >= 2 with broadcast batch axes.
  private func batchedMatmul(_ other: Tensor, node: GradNode?, shapes: ([Int], [Int])) throws -> Tensor {
    let m = shape[rank - 2], k = shape[rank - 1], n = other.shape[other.rank - 1]
    let batchA = Array(shape.dropLast(2)), batchB = Array(other.shape.dropLast(2))
    let batch: [Int]
    do {
      batch = try broadcastShapes(batchA, batchB, op: "matmul")
    } catch {
      throw TensorError("matmul: \(shapeText(shapes.0)) @ \(shapeText(shapes.1)): batch dimensions cannot broadcast")
    }
    let outShape = batch + [m, n]
    _ = try checkedCount(outShape, op: "matmul")
    let lhs = try MatrixOperand(self), rhs = try MatrixOperand(other)
    let sa = lhs.tensor.batchStrides(to: batch), sb = rhs.tensor.batchStrides(to: batch)
    let batchCount = batch.reduce(1, *)
    return try Tensor.make(outShape, node: node) { out in
      guard let dst = out.baseAddress, !out.isEmpty else { return }
      if k == 0 { out.initialize(repeating: 0); return }
      let layout = Layout(shape: batch) { SIMD4(sa[$0], sb[$0], 0, 0) }
      var index = 0
      let threads = m * n * k >= 1 << 18 ? 2 : 1
      layout.forEachRow(start: SIMD4(lhs.tensor.offset, rhs.tensor.offset, 0, 0)) { o in
        for r in 0..<layout.inner where index < batchCount {
          sgemm(transA: lhs.transposed, transB: rhs.transposed, m: m, n: n, k: k,
                alpha: 1, a: lhs.tensor.storage.base + o[0] + r * layout.innerStride(0), lda: lhs.ld,
                b: rhs.tensor.storage.base + o[1] + r * layout.innerStride(1), ldb: rhs.ld,
                beta: 0, c: dst + index * m * n, ldc: n, threads: threads)
          index += 1
        }
      }
    }
  }

  /// Strides of the leading (batch) axes as if broadcast to `batch`.
  private func batchStrides(to batch: [Int]) -> [Int] {
    let own = Tensor(shape: Array(shape.dropLast(2)), strides: Array(strides.dropLast(2)),
                     offset: offset, storage: storage)
    return own.broadcastStrides(to: batch)
  }
}

/// A matrix operand in a form `sgemm` reads directly: row-major, or
/// transposed (column-major), with a leading dimension; other layouts are
/// copied once.
private struct MatrixOperand {
  let tensor: Tensor
  let transposed: Bool
  let ld: Int

  init(_ t: Tensor) throws {
    let rows = t.shape[t.rank - 2], cols = t.shape[t.rank - 1]
    let rs = t.strides[t.rank - 2], cs = t.strides[t.rank - 1]
    if (cols == 1 || cs == 1) && (rows == 1 || rs >= Swift.max(cols, 1)) {
      tensor = t
      transposed = false
      ld = rows == 1 ? Swift.max(cols, 1) : rs
    } else if (rows == 1 || rs == 1) && (cols == 1 || cs >= Swift.max(rows, 1)) {
      tensor = t
      transposed = true
      ld = cols == 1 ? Swift.max(rows, 1) : cs
    } else {
      tensor = try t.detached().contiguousCopy()
      transposed = false
      ld = Swift.max(cols, 1)
    }
  }
}
