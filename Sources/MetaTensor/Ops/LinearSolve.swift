/// Dense linear systems: `solve(a, b)` with NumPy's / PyTorch's
/// `linalg.solve` semantics, by Gaussian elimination with partial pivoting.
/// Every system is eliminated in Double (float32 inputs are widened first,
/// as the running sums of the other float32 kernels are), and the gradient is
/// itself made of `solve` and `matmul`, so it differentiates to any order.
///
/// `a` is [..., n, n]; `b` is [..., n] (a vector per system) or [..., n, k]
/// with the same leading (batch) axes as `a` (no broadcasting). The result
/// is shaped like `b`. Mixed float dtypes promote; int64 and bool are refused.
/// A singular matrix is an error, never a result of infinities: a pivot no
/// larger than `n·ε·s` (ε Double's epsilon, `s` the largest magnitude in the
/// pivot's row of `a`) counts as zero, because below that it is rounding
/// error. NaN in either operand gives NaN.
public func solve(_ a: Tensor, _ b: Tensor) throws -> Tensor {
  let (a, b, t) = try Tensor.promote(a, b)
  guard t.isFloatingPoint else { throw TensorError.unsupported(t, op: "solve") }
  let system = try LinearSystem(a.shape, b.shape)
  let node = GradNode.record("solve", a, b, { c in
    // x = a⁻¹ b: gb = a⁻ᵀ g, ga = -gb xᵀ (per system; a vector b is one column).
    let (a, x) = (c.inputs[0], c.output)
    let gb = try solve(a.transpose(-1, -2), c.grad)
    guard c.needsGrad[0] else { return [nil, gb] }
    let outer = system.vectors
      ? try gb.unsqueeze(-1).matmul(x.unsqueeze(-2))
      : try gb.matmul(x.transpose(-1, -2))
    return [try -outer, c.needsGrad[1] ? gb : nil]
  })
  return t == .float64
    ? try system.solve(a, b, node: node, Double.self)
    : try system.solve(a, b, node: node, Float.self)
}

/// The shapes of one `solve` call: `batch` systems of `n` equations, each
/// with `k` right-hand sides (1 when `b` holds vectors).
private struct LinearSystem {
  let batch: Int, n: Int, k: Int
  /// `b` is [..., n] rather than [..., n, k].
  let vectors: Bool
  let resultShape: [Int]

  init(_ a: [Int], _ b: [Int]) throws {
    let shapes = "a \(shapeText(a)) and b \(shapeText(b))"
    guard a.count >= 2, a[a.count - 1] == a[a.count - 2] else {
      throw TensorError("solve: a \(shapeText(a)) is not a square matrix (or a batch of them, [..., n, n]); b is \(shapeText(b))")
    }
    let n = a[a.count - 1], batchShape = Array(a.dropLast(2))
    if b.count == a.count - 1 {
      vectors = true
      k = 1
    } else if b.count == a.count {
      vectors = false
      k = b[b.count - 1]
    } else {
      throw TensorError("solve: \(shapes): b must be [..., n] or [..., n, k] with the leading axes of a")
    }
    guard Array(b.prefix(batchShape.count)) == batchShape else {
      throw TensorError("solve: \(shapes): the leading (batch) axes differ (solve does not broadcast them)")
    }
    guard b[batchShape.count] == n else {
      throw TensorError("solve: \(shapes): b has \(b[batchShape.count]) rows for \(n) equations")
    }
    self.n = n
    batch = batchShape.reduce(1, *)
    resultShape = b
  }

  /// x with a x = b for each system, elements of type T (a's and b's dtype).
  func solve<T: TensorElement & BinaryFloatingPoint>(
    _ a: Tensor, _ b: Tensor, node: GradNode?, _: T.Type
  ) throws -> Tensor {
    let a = try a.detached().contiguous(), b = try b.detached().contiguous()
    let pa = UnsafePointer(a.pointer(T.self)), pb = UnsafePointer(b.pointer(T.self))
    // The double workspace (one system and its right-hand sides) is a tensor
    // so that the memory budget counts it: a huge `a` is an out-of-memory error.
    let workspace = try Tensor.zeros([n * n + n * k], dtype: .float64)
    let m = workspace.pointer(Double.self), rhs = m + n * n
    return try withExtendedLifetime((a, b, workspace)) {
      try Tensor.make(resultShape, of: T.self, node: node) { out in
        for s in 0..<batch {
          for i in 0..<(n * n) { m[i] = Double(pa[s * n * n + i]) }
          for i in 0..<(n * k) { rhs[i] = Double(pb[s * n * k + i]) }
          try eliminate(m, rhs, system: s)
          for i in 0..<(n * k) { out[s * n * k + i] = T(rhs[i]) }
        }
      }
    }
  }

  /// Solves the row-major n×n system `m` for the n×k right-hand sides `rhs`
  /// in place (`rhs` becomes the solution; `m` is overwritten).
  private func eliminate(_ m: UnsafeMutablePointer<Double>, _ rhs: UnsafeMutablePointer<Double>, system: Int) throws {
    let n = n, k = k
    // Each row's scale in a, carried along with its row through the swaps.
    var scale = (0..<n).map { r in (0..<n).reduce(0.0) { Swift.max($0, Swift.abs(m[r * n + $1])) } }
    let tolerance = Double(n) * Double.ulpOfOne
    for col in 0..<n {
      // Partial pivoting; a NaN is taken first so that it spreads rather
      // than making the column look singular.
      var p = col
      for r in col..<n {
        let v = m[r * n + col]
        if v.isNaN { p = r; break }
        if Swift.abs(v) > Swift.abs(m[p * n + col]) { p = r }
      }
      let pivot = m[p * n + col]
      // A row holding an infinity has no rounding scale: only an exact 0 is singular there.
      let floor = scale[p].isFinite ? tolerance * scale[p] : 0
      if pivot == 0 || (!pivot.isNaN && Swift.abs(pivot) <= floor) {
        let which = batch > 1 ? "matrix \(system) of the batch, " : ""
        throw TensorError("solve: the matrix is singular (\(which)pivot \(pivot) in column \(col) of \(n)×\(n)); "
                          + "check for dependent rows or columns, or regularise it (a + c·eye(n))")
      }
      if p != col {
        for j in 0..<n { (m[col * n + j], m[p * n + j]) = (m[p * n + j], m[col * n + j]) }
        for j in 0..<k { (rhs[col * k + j], rhs[p * k + j]) = (rhs[p * k + j], rhs[col * k + j]) }
        scale.swapAt(col, p)
      }
      for r in (col + 1)..<n {
        let f = m[r * n + col] / pivot
        for j in (col + 1)..<n { m[r * n + j] -= f * m[col * n + j] }
        for j in 0..<k { rhs[r * k + j] -= f * rhs[col * k + j] }
      }
    }
    // Back substitution, one right-hand side column at a time.
    for j in 0..<k {
      for r in stride(from: n - 1, through: 0, by: -1) {
        var s = rhs[r * k + j]
        for c in (r + 1)..<n { s -= m[r * n + c] * rhs[c * k + j] }
        rhs[r * k + j] = s / m[r * n + r]
      }
    }
  }
}
