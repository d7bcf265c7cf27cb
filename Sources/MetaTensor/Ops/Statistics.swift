/// Reductions beyond sum/mean/max: `prod`, `variance`, `std`, `norm`. The
/// forward passes are fused vector loops over each reduced run
/// (`RunReduction`; sums accumulate in blocks, then in Double, so a million
/// float32 terms stay accurate; float64 folds in double); integer inputs
/// compute in float32 (`prod` in int64). The gradients are written in
/// differentiable ops, so second order works.
extension Tensor {
  /// Product over `axes` (all by default); 1 for an empty reduction. The
  /// gradient is the product of the other elements, computed from exclusive
  /// cumulative products (no division), so it is right where elements are 0.
  /// Integer and bool tensors multiply as int64 (wrapping on overflow, as
  /// PyTorch's); they have no gradient.
  public func prod(axes: [Int]? = nil, keepdims: Bool = false) throws -> Tensor {
    if dtype == .bool { return try astype(.int64).prod(axes: axes, keepdims: keepdims) }
    let resolved = try normalizedAxes(axes, op: "prod")
    let kept = runShape(resolved), inputShape = shape
    let node = GradNode.record("prod", self, { c in
      [try c.grad.reshape(kept).expand(inputShape) * c.inputs[0].productOfOthers(resolved)]
    })
    let raw = try reduceRuns(resolved, .product)
    return try raw.finishReduction(resolved, keepdims: keepdims, node: node)
  }

  /// Variance over `axes`: the mean squared deviation from the mean, divided
  /// by `n - ddof` instead of `n` (NumPy's `var`; `ddof: 1` is the unbiased
  /// estimate). With `n <= ddof` the divisor is 0: inf, or NaN for equal elements.
  public func variance(axes: [Int]? = nil, ddof: Int = 0, keepdims: Bool = false) throws -> Tensor {
    if !dtype.isFloatingPoint { return try floating().variance(axes: axes, ddof: ddof, keepdims: keepdims) }
    let resolved = try normalizedAxes(axes, op: "var")
    guard ddof >= 0 else { throw TensorError("var: ddof must be non-negative, got \(ddof)") }
    let n = resolved.reduce(1) { $0 * shape[$1] }
    let factor = constant(2 / Double(Swift.max(n - ddof, 0)))
    let kept = runShape(resolved)
    let node = GradNode.record("var", self, { c in
      let x = c.inputs[0]
      let centered = try x - x.mean(axes: resolved, keepdims: true)
      return [try c.grad.reshape(kept) * factor * centered]
    })
    let raw = try reduceRuns(resolved, .variance(ddof: ddof))
    return try raw.finishReduction(resolved, keepdims: keepdims, node: node)
  }

  /// Standard deviation: `sqrt(variance)` (see `variance`). Its gradient is 0
  /// where the deviation is 0 (as PyTorch's), not NaN.
  public func std(axes: [Int]? = nil, ddof: Int = 0, keepdims: Bool = false) throws -> Tensor {
    if !dtype.isFloatingPoint { return try floating().std(axes: axes, ddof: ddof, keepdims: keepdims) }
    let resolved = try normalizedAxes(axes, op: "std")
    guard ddof >= 0 else { throw TensorError("std: ddof must be non-negative, got \(ddof)") }
    let n = resolved.reduce(1) { $0 * shape[$1] }
    let factor = constant(2 / Double(Swift.max(n - ddof, 0)))
    let kept = runShape(resolved)
    let node = GradNode.record("std", self, { c in
      // d std = d var / (2 std), and 0 where std is 0; the divisor there is
      // 1, so the unselected branch's own gradient is not 0/0 either.
      let x = c.inputs[0], std = try c.output.reshape(kept)
      let zero = try std.detached().eq(0)
      let safe = try Tensor.select(zero, Tensor(1), std)
      let scale = try Tensor.select(zero, Tensor(0), c.grad.reshape(kept) / (2 * safe))
      return [try scale * factor * (x - x.mean(axes: resolved, keepdims: true))]
    })
    let raw = try reduceRuns(resolved, .std(ddof: ddof))
    return try raw.finishReduction(resolved, keepdims: keepdims, node: node)
  }

  /// The vector p-norm over `axes` (all by default) for p = 1, 2 or infinity:
  /// `sum(|x|)`, `sqrt(sum(x²))`, `max(|x|)`. The gradient at 0 is 0 (a subgradient).
  public func norm(p: Float = 2, axes: [Int]? = nil, keepdims: Bool = false) throws -> Tensor {
    if !dtype.isFloatingPoint { return try floating().norm(p: p, axes: axes, keepdims: keepdims) }
    let resolved = try normalizedAxes(axes, op: "norm")
    switch p {
    case 1: return try abs().sum(axes: resolved, keepdims: keepdims)
    case .infinity:
      guard resolved.allSatisfy({ shape[$0] > 0 }) else {
        throw TensorError("norm: the inf-norm of an empty reduction is undefined (shape \(shapeText(shape)))")
      }
      let kept = runShape(resolved)
      let node = GradNode.record("norm", self, { c in
        // max(|x|)'s rule: the gradient goes to the largest magnitudes, split
        // on ties, with the sign of x (so 0 at 0).
        let x = c.inputs[0]
        let winners = try x.detached().abs().eq(c.output.detached().reshape(kept)).astype(x.dtype)
        let share = try winners / winners.sum(axes: resolved, keepdims: true)
        return [try c.grad.reshape(kept) * share * x.sign()]
      })
      let raw = try reduceRuns(resolved, .maxAbs)
      return try raw.finishReduction(resolved, keepdims: keepdims, node: node)
    case 2:
      let kept = runShape(resolved)
      let node = GradNode.record("norm", self, { c in
        let x = c.inputs[0], norm = try c.output.reshape(kept)
        let safe = try Tensor.select(try norm.detached().eq(0), Tensor(1), norm)
        return [try c.grad.reshape(kept) * x / safe]
      })
      let raw = try reduceRuns(resolved, .norm2)
      return try raw.finishReduction(resolved, keepdims: keepdims, node: node)
    default:
      throw TensorError("norm: p must be 1, 2 or inf, got \(p)")
    }
  }

  /// For each element, the product of the other elements of its run over
  /// `axes`: exclusive cumulative products from the left times those from
  /// the right, on the runs laid out as the rows of a matrix.
  func productOfOthers(_ axes: [Int]) throws -> Tensor {
    let keptAxes = (0..<rank).filter { !axes.contains($0) }
    let order = keptAxes + axes
    let moved = try permute(order)
    let m = axes.reduce(1) { $0 * shape[$1] }
    guard m > 0 else { return try Tensor.zeros(shape).astype(dtype) }
    let rows = try moved.reshape([moved.count / m, m])
    let left = try rows.shifted(by: 1, axis: 1, fill: 1).cumprod(axis: 1)
    let right = try rows.flip(axes: [1]).shifted(by: 1, axis: 1, fill: 1).cumprod(axis: 1).flip(axes: [1])
    var inverse = [Int](repeating: 0, count: rank)
    for (i, a) in order.enumerated() { inverse[a] = i }
    return try (left * right).reshape(moved.shape).permute(inverse)
  }
}

extension Tensor {
  /// `value` as a 0-d constant of this tensor's floating dtype (so float64
  /// gradients keep double-precision factors).
  func constant(_ value: Double) -> Tensor {
    dtype == .float64 ? (try? Tensor(shape: [], elements: [value])) ?? Tensor(Float(value)) : Tensor(Float(value))
  }

  /// `shape` with the reduced `axes` set to 1.
  func runShape(_ axes: [Int]) -> [Int] {
    var s = shape
    for a in axes { s[a] = 1 }
    return s
  }

  /// This reduction result (of the kept shape), reshaped to drop the reduced
  /// axes unless `keepdims`, and recorded as `node`.
  func finishReduction(_ axes: [Int], keepdims: Bool, node: GradNode?) throws -> Tensor {
    let target = keepdims ? shape : shape.indices.filter { !axes.contains($0) }.map { shape[$0] }
    return Tensor(shape: target, strides: contiguousStrides(target), offset: 0, storage: storage, node: node)
  }
}
