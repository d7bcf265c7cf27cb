/// Running sums and products along an axis, and the first-order linear
/// recurrence `h[k] = b[k] + a[k]·h[k-1]` that their gradients are made of.
/// Running values accumulate in Double (as PyTorch's CPU kernels do), so a
/// long cumsum does not drift. The gradients use no division: cumprod's is
/// right where elements are 0, and every rule is differentiable again.
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
    let node = GradNode.record("cumprod", source, { c in
      if a < 0 { return [c.grad] }
      let x = c.inputs[0]
      let u = try c.grad.linearRecurrence(x.shifted(by: -1, axis: a, fill: 0), axis: a, reverse: true)
      return [try u * c.output.shifted(by: 1, axis: a, fill: 1)]
    })
    return try source.scan(axis: a, reverse: false, initial: 1, node: node) { $0 * Double($1) }
  }

  /// The tensor to scan and the resolved axis: flattened for a nil axis, a
  /// 0-d tensor as one element.
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
    let node = GradNode.record("cumsum", self, { c in [try c.grad.cumulativeSum(axis: a, reverse: !reverse)] })
    return try scan(axis: a, reverse: reverse, initial: 0, node: node) { $0 + Double($1) }
  }

  /// `h[k] = self[k] + coefficients[k]·h[k-1]` along `axis` with `h[-1] = 0`,
  /// or with `reverse` `h[k] = self[k] + coefficients[k]·h[k+1]` from the end.
  /// Differentiable in both operands: the adjoint is the same recurrence run
  /// the other way.
  func linearRecurrence(_ coefficients: Tensor, axis a: Int, reverse: Bool) throws -> Tensor {
    if a < 0 { return self }  // 0-d: h = b
    guard coefficients.shape == shape else {
      throw TensorError("linear recurrence: coefficients \(shapeText(coefficients.shape)) for values \(shapeText(shape))")
    }
    let node = GradNode.record("linear_recurrence", self, coefficients, { c in
      // u[k] = g[k] + a[k+1]·u[k+1] (forward case); db = u, da[k] = u[k]·h[k-1].
      let u = try c.grad.linearRecurrence(
        c.inputs[1].shifted(by: reverse ? 1 : -1, axis: a, fill: 0), axis: a, reverse: !reverse)
      return [c.needsGrad[0] ? u : nil,
              try c.needsGrad[1] ? u * c.output.shifted(by: reverse ? -1 : 1, axis: a, fill: 0) : nil]
    })
    let (outer, n, inner) = axisSplit(a)
    let source = isContiguous ? self : try contiguousCopy()
    let factors = coefficients.isContiguous ? coefficients : try coefficients.contiguousCopy()
    let pb = UnsafePointer(source.storage.base + source.offset)
    let pa = UnsafePointer(factors.storage.base + factors.offset)
    return try Tensor.make(shape, node: node) { out in
      guard let d = out.baseAddress, n > 0 else { return }
      for o in 0..<outer {
        for i in 0..<inner {
          var h = 0.0
          for j in 0..<n {
            let at = (o &* n &+ (reverse ? n - 1 - j : j)) &* inner &+ i
            h = Double(pb[at]) + Double(pa[at]) * h
            d[at] = Float(h)
          }
        }
      }
    }
  }

  /// (elements before, extent of, elements after) `axis`.
  func axisSplit(_ axis: Int) -> (outer: Int, n: Int, inner: Int) {
    (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
  }

  /// `acc = step(acc, x)` along `axis` from `initial`, each running value stored.
  @inline(__always)
  private func scan(axis a: Int, reverse: Bool, initial: Double, node: GradNode?,
                    _ step: (Double, Float) -> Double) throws -> Tensor {
    if a < 0 { return try mapElements(node: node) { Float(step(initial, $0)) } }
    let (outer, n, inner) = axisSplit(a)
    let source = isContiguous ? self : try contiguousCopy()
    let s = UnsafePointer(source.storage.base + source.offset)
    return try Tensor.make(shape, node: node) { out in
      guard let d = out.baseAddress, n > 0, inner > 0 else { return }
      if inner == 1 {
        for o in 0..<outer {
          let row = s + o &* n, dst = d + o &* n
          var acc = initial
          if reverse {
            for k in stride(from: n - 1, through: 0, by: -1) { acc = step(acc, row[k]); dst[k] = Float(acc) }
          } else {
            for k in 0..<n { acc = step(acc, row[k]); dst[k] = Float(acc) }
          }
        }
        return
      }
      // Several runs side by side: one accumulator per inner position, so
      // the innermost loop walks memory in order.
      var accumulators = [Double](repeating: initial, count: inner)
      accumulators.withUnsafeMutableBufferPointer { acc in
        for o in 0..<outer {
          for i in 0..<inner { acc[i] = initial }
          for j in 0..<n {
            let at = (o &* n &+ (reverse ? n - 1 - j : j)) &* inner
            for i in 0..<inner {
              acc[i] = step(acc[i], s[at &+ i])
              d[at &+ i] = Float(acc[i])
            }
          }
        }
      }
    }
  }
}
