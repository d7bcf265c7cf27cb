/// Reductions of float64, int64 and bool tensors (float32 has its own
/// vectorised kernels in Reductions.swift). Sums of int64 and bool are int64,
/// as PyTorch's; float64 accumulates in double; NaN wins max and min.
extension Tensor {
  /// Folds `op` over `axes` (already normalised) into the kept shape.
  @inline(__always)
  func reduceTyped<T: TensorElement, A: TensorElement>(
    _ axes: [Int], of _: T.Type, to _: A.Type, initial: A, _ op: (A, T) -> A
  ) throws -> Tensor {
    let outShape = keptShape(axes)
    return try Tensor.make(outShape, of: A.self) { out in
      out.initialize(repeating: initial)
      guard let dst = out.baseAddress, count > 0 else { return }
      var outStrides = contiguousStrides(outShape)
      for a in axes { outStrides[a] = 0 }
      let layout = Layout(shape: shape) { SIMD4(strides[$0], outStrides[$0], 0, 0) }
      let n = layout.inner, si = layout.innerStride(0), so = layout.innerStride(1)
      let src = UnsafePointer(pointer(T.self))
      layout.forEachRow(start: .zero) { o in
        let a = src + o[0], d = dst + o[1]
        if so == 0 {
          var acc = d[0]
          for i in 0..<n { acc = op(acc, a[i &* si]) }
          d[0] = acc
        } else {
          for i in 0..<n { d[i &* so] = op(d[i &* so], a[i &* si]) }
        }
      }
    }
  }

  /// The kept-shape result reshaped to the final shape.
  private func finish(_ raw: Tensor, _ axes: [Int], keepdims: Bool, node: GradNode? = nil) -> Tensor {
    let target = finalShape(axes, keepdims: keepdims)
    return Tensor(shape: target, strides: contiguousStrides(target), offset: 0, storage: raw.storage, node: node)
  }

  /// `sum` of a float64 (differentiable), int64 or bool (counting) tensor.
  func typedSum(axes: [Int]?, keepdims: Bool) throws -> Tensor {
    let resolved = try normalizedAxes(axes, op: "sum")
    switch dtype {
    case .float64:
      let inputShape = shape, kept = keptShape(resolved)
      let node = GradNode.record("sum", self, { c in [try c.grad.reshape(kept).expand(inputShape)] })
      let raw = try reduceTyped(resolved, of: Double.self, to: Double.self, initial: 0) { $0 + $1 }
      return finish(raw, resolved, keepdims: keepdims, node: node)
    case .int64:
      return finish(try reduceTyped(resolved, of: Int64.self, to: Int64.self, initial: 0) { $0 &+ $1 },
                    resolved, keepdims: keepdims)
    case .bool:
      return finish(try reduceTyped(resolved, of: Bool.self, to: Int64.self, initial: 0) { $1 ? $0 &+ 1 : $0 },
                    resolved, keepdims: keepdims)
    case .float32:
      return try sum(axes: axes, keepdims: keepdims)
    }
  }

  /// `max`/`min` of a float64 (differentiable, NaN wins), int64 or bool tensor.
  func typedExtremum(_ axes: [Int]?, keepdims: Bool, op: String) throws -> Tensor {
    let resolved = try normalizedAxes(axes, op: op)
    guard resolved.allSatisfy({ shape[$0] > 0 }) else {
      throw TensorError("\(op): zero-size reduction over shape \(shapeText(shape))")
    }
    let wantMax = op == "max"
    switch dtype {
    case .float64:
      let inputShape = shape, kept = keptShape(resolved)
      let node = GradNode.record(op, self, { c in
        let winners = try c.inputs[0].eq(c.output.detached().reshape(kept)).astype(.float64)
        let share = try winners / winners.sum(axes: resolved, keepdims: true)
        return [try c.grad.reshape(kept).expand(inputShape) * share]
      })
      let raw = try reduceTyped(resolved, of: Double.self, to: Double.self, initial: wantMax ? -.infinity : .infinity) {
        acc, x in acc.isNaN || x.isNaN ? .nan : (wantMax ? Swift.max(acc, x) : Swift.min(acc, x))
      }
      return finish(raw, resolved, keepdims: keepdims, node: node)
    case .int64:
      let raw = try reduceTyped(resolved, of: Int64.self, to: Int64.self, initial: wantMax ? .min : .max) {
        wantMax ? Swift.max($0, $1) : Swift.min($0, $1)
      }
      return finish(raw, resolved, keepdims: keepdims)
    case .bool:
      let raw = try reduceTyped(resolved, of: Bool.self, to: Bool.self, initial: !wantMax) {
        wantMax ? $0 || $1 : $0 && $1
      }
      return finish(raw, resolved, keepdims: keepdims)
    case .float32:
      return wantMax ? try max(axes: axes, keepdims: keepdims) : try min(axes: axes, keepdims: keepdims)
    }
  }

  /// True where any (`any`) or every (`all`) element over `axes` is nonzero
  /// (NaN counts as nonzero, as NumPy), as a bool tensor. All axes by default.
  public func any(axes: [Int]? = nil, keepdims: Bool = false) throws -> Tensor {
    let resolved = try normalizedAxes(axes, op: "any")
    let mask = try dtype == .bool ? self : astype(.bool)
    let raw = try mask.reduceTyped(resolved, of: Bool.self, to: Bool.self, initial: false) { $0 || $1 }
    return finish(raw, resolved, keepdims: keepdims)
  }

  /// See `any`.
  public func all(axes: [Int]? = nil, keepdims: Bool = false) throws -> Tensor {
    let resolved = try normalizedAxes(axes, op: "all")
    let mask = try dtype == .bool ? self : astype(.bool)
    let raw = try mask.reduceTyped(resolved, of: Bool.self, to: Bool.self, initial: true) { $0 && $1 }
    return finish(raw, resolved, keepdims: keepdims)
  }

  /// `argmax`/`argmin` of a float64, int64 or bool tensor: int64 indices, the
  /// first index winning ties and the first NaN winning outright.
  func typedArgExtremum(axis: Int?, keepdims: Bool, op: String) throws -> Tensor {
    guard let axis else {
      let r = try detached().reshape([count]).typedArgExtremum(axis: 0, keepdims: false, op: op)
      return keepdims ? try r.reshape([Int](repeating: 1, count: rank)) : r
    }
    let a = try normalizedAxis(axis, op: op)
    guard shape[a] > 0 else { throw TensorError("\(op): zero-size axis \(axis) in shape \(shapeText(shape))") }
    let wantMax = op == "argmax"
    let values: Tensor
    switch dtype {
    case .bool, .int64: values = try astype(.int64)
    default: values = try astype(.float64)
    }
    // Move the axis last and copy: each result element scans one dense row.
    var order = Array(0..<rank)
    order.remove(at: a)
    order.append(a)
    let rows = try values.detached().permute(order).contiguousCopy()
    let n = shape[a], outer = Array(rows.shape.dropLast())
    let result = try Tensor.make(outer, of: Int64.self) { out in
      if values.dtype == .int64 {
        let p = rows.pointer(Int64.self)
        for r in 0..<out.count {
          var best = 0
          for i in 1..<n where wantMax ? p[r * n + i] > p[r * n + best] : p[r * n + i] < p[r * n + best] { best = i }
          out[r] = Int64(best)
        }
      } else {
        let p = rows.pointer(Double.self)
        for r in 0..<out.count {
          var best = 0
          for i in 1..<n where !p[r * n + best].isNaN
            && (p[r * n + i].isNaN || (wantMax ? p[r * n + i] > p[r * n + best] : p[r * n + i] < p[r * n + best])) {
            best = i
          }
          out[r] = Int64(best)
        }
      }
    }
    return keepdims ? try result.unsqueeze(a) : result
  }
}
