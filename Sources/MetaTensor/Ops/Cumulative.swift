/// Running sums and products along an axis, and the first-order linear
/// recurrence `h[k] = b[k] + a[k]·h[k-1]` that their gradients are made of.
/// float32 running values accumulate in Double (as PyTorch's CPU kernels
/// do), so a long cumsum does not drift; int64 and bool accumulate in int64
/// (wrapping, as PyTorch). The gradients use no division: cumprod's is right
/// where elements are 0, and every rule is differentiable again.
extension Tensor {
  /// Running sums along `axis` (of the flattened tensor when nil, as NumPy's
  /// `cumsum`). Gradient: the running sums of the gradient from the end.
  public func cumsum(axis: Int? = nil) throws -> Tensor {
    let (source, a) = try scanOperand(axis, op: "cumsum")
    return try source.cumulativeSum(axis: a, reverse: false)
  }

  /// Running products along `axis` (of the flattened tensor when nil).
  /// Gradient: element k gets `y[k-1] · u[k]` with `u[k] = g[k] + x[k+1]·u[k+1]`
  /// (no division, so zeros are handled exactly).
  public func cumprod(axis: Int? = nil) throws -> Tensor {
    let (source, a) = try scanOperand(axis, op: "cumprod")
    if a < 0 { return source }  // a 0-d tensor: its own running product
    if source.dtype == .bool { return try source.astype(.int64).cumprod(axis: a) }
    let node = GradNode.record("cumprod", source, { c in
      let x = c.inputs[0]
      let u = try c.grad.linearRecurrence(x.shifted(by: -1, axis: a, fill: 0), axis: a, reverse: true)
      return [try u * c.output.shifted(by: 1, axis: a, fill: 1)]
    })
    switch source.dtype {
    case .float32:
      return try source.scan(axis: a, reverse: false, node: node, initial: 1.0, Float.self, { $0 * Double($1) }, { Float($0) })
    case .float64: return try source.scan(axis: a, reverse: false, node: node, initial: 1.0, Double.self, { $0 * $1 }, { $0 })
    default: return try source.scan(axis: a, reverse: false, node: nil, initial: Int64(1), Int64.self, { $0 &* $1 }, { $0 })
    }
  }

  /// The tensor to scan and the resolved axis: flattened for a nil axis, -1
  /// for a 0-d tensor (one element: nothing to scan).
  private func scanOperand(_ axis: Int?, op: String) throws -> (Tensor, Int) {
    guard let axis else { return (try reshape([count]), 0) }
    if rank == 0 {
      guard axis == 0 || axis == -1 else { throw TensorError("\(op): axis \(axis) out of range for a 0-d tensor") }
      return (self, -1)
    }
    return (self, try normalizedAxis(axis, op: op))
  }

  /// Running sums along `axis` from the start, or from the end when `reverse`.
  func cumulativeSum(axis a: Int, reverse: Bool) throws -> Tensor {
    if a < 0 { return self }  // a 0-d tensor: its own running sum
    if dtype == .bool { return try astype(.int64).cumulativeSum(axis: a, reverse: reverse) }
    let node = GradNode.record("cumsum", self, { c in [try c.grad.cumulativeSum(axis: a, reverse: !reverse)] })
    switch dtype {
    case .float32: return try scan(axis: a, reverse: reverse, node: node, initial: 0.0, Float.self, { $0 + Double($1) }, { Float($0) })
    case .float64: return try scan(axis: a, reverse: reverse, node: node, initial: 0.0, Double.self, { $0 + $1 }, { $0 })
    default: return try scan(axis: a, reverse: reverse, node: nil, initial: Int64(0), Int64.self, { $0 &+ $1 }, { $0 })
    }
  }

  /// `h[k] = self[k] + coefficients[k]·h[k-1]` along `axis` with `h[-1] = 0`,
  /// or with `reverse` `h[k] = self[k] + coefficients[k]·h[k+1]` from the end
  /// (floating tensors of one dtype; running values in Double). Differentiable
  /// in both operands: the adjoint is the same recurrence run the other way.
  func linearRecurrence(_ coefficients: Tensor, axis a: Int, reverse: Bool) throws -> Tensor {
    if a < 0 { return self }  // 0-d: h = b
    guard coefficients.shape == shape, coefficients.dtype == dtype, dtype.isFloatingPoint else {
      throw TensorError("linear recurrence: coefficients \(shapeText(coefficients.shape)) \(coefficients.dtype) for values \(shapeText(shape)) \(dtype)")
    }
    let node = GradNode.record("linear_recurrence", self, coefficients, { c in
      // u[k] = g[k] + a[k+1]·u[k+1] (forward case); db = u, da[k] = u[k]·h[k-1].
      let u = try c.grad.linearRecurrence(
        c.inputs[1].shifted(by: reverse ? 1 : -1, axis: a, fill: 0), axis: a, reverse: !reverse)
      return [c.needsGrad[0] ? u : nil,
              try c.needsGrad[1] ? u * c.output.shifted(by: reverse ? -1 : 1, axis: a, fill: 0) : nil]
    })
    return dtype == .float64
      ? try recurrence(coefficients, axis: a, reverse: reverse, node: node, Double.self)
      : try recurrence(coefficients, axis: a, reverse: reverse, node: node, Float.self)
  }

  @inline(__always)
  private func recurrence<T: TensorElement & BinaryFloatingPoint>(
    _ coefficients: Tensor, axis a: Int, reverse: Bool, node: GradNode?, _: T.Type
  ) throws -> Tensor {
    let (outer, n, inner) = axisSplit(a)
    let source = isContiguous ? self : try contiguousCopy()
    let factors = coefficients.isContiguous ? coefficients : try coefficients.contiguousCopy()
    let pb = UnsafePointer(source.pointer(T.self)), pa = UnsafePointer(factors.pointer(T.self))
    return try Tensor.make(shape, of: T.self, node: node) { out in
      guard let d = out.baseAddress, n > 0 else { return }
      for o in 0..<outer {
        for i in 0..<inner {
          var h = 0.0
          for j in 0..<n {
            let at = (o &* n &+ (reverse ? n - 1 - j : j)) &* inner &+ i
            h = Double(pb[at]) + Double(pa[at]) * h
            d[at] = T(h)
          }
        }
      }
    }
  }

  /// (elements before, extent of, elements after) `axis`.
  func axisSplit(_ axis: Int) -> (outer: Int, n: Int, inner: Int) {
    (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
  }

  /// `acc = step(acc, x)` along `axis` from `initial`, each running value
  /// stored (through `store`) as a `T`.
  @inline(__always)
  private func scan<T: TensorElement, A>(
    axis a: Int, reverse: Bool, node: GradNode?, initial: A, _: T.Type,
    _ step: (A, T) -> A, _ store: (A) -> T
  ) throws -> Tensor {
    let (outer, n, inner) = axisSplit(a)
    let source = isContiguous ? self : try contiguousCopy()
    let s = UnsafePointer(source.pointer(T.self))
    return try Tensor.make(shape, of: T.self, node: node) { out in
      guard let d = out.baseAddress, n > 0, inner > 0 else { return }
      if inner == 1 {
        for o in 0..<outer {
          let row = s + o &* n, dst = d + o &* n
          var acc = initial
          if reverse {
            for k in stride(from: n - 1, through: 0, by: -1) { acc = step(acc, row[k]); dst[k] = store(acc) }
          } else {
            for k in 0..<n { acc = step(acc, row[k]); dst[k] = store(acc) }
          }
        }
        return
      }
      // Several runs side by side: one accumulator per inner position, so
      // the innermost loop walks memory in order.
      var accumulators = [A](repeating: initial, count: inner)
      accumulators.withUnsafeMutableBufferPointer { acc in
        for o in 0..<outer {
          for i in 0..<inner { acc[i] = initial }
          for j in 0..<n {
            let at = (o &* n &+ (reverse ? n - 1 - j : j)) &* inner
            for i in 0..<inner {
              acc[i] = step(acc[i], s[at &+ i])
              d[at &+ i] = store(acc[i])
            }
          }
        }
      }
    }
  }
}
