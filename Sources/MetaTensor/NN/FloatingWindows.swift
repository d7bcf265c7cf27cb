import MetaKernels

/// Convolution and pooling of float64 tensors (gradient checks in double).
/// The float32 kernels (Conv.swift, Pooling.swift) read Float32 only; these
/// are composed of differentiable ops instead — a gather of every window's
/// elements through an index table, then `matmul`, a sum or a gather of the
/// maxima — so their gradients, of every order, are exact and float64 too.
/// Speed is not the point: only the index table is a raw loop.

/// The dtype a window op computes in for `tensors`: float64 when any is,
/// float32 otherwise (PyTorch requires one dtype; the floating ones promote
/// here, as `x @ w` does). int64 and bool are an error naming `op`.
func windowDType(_ tensors: [Tensor], op: String) throws -> DType {
  var result = DType.float32
  for t in tensors {
    guard t.dtype.isFloatingPoint else { throw TensorError.unsupported(t.dtype, op: op) }
    result = DType.promoted(result, t.dtype)
  }
  return result
}

/// For window geometry `g`, the position within one `height x width` plane of
/// kernel offset `k = i*kernelW + j` of output position `l = oh*outW + ow`,
/// as an int64 `[kernelH*kernelW, outH*outW]` table; `height*width` (one past
/// the plane, where `windowElements` appends a zero) in the padding.
func windowPositions(_ g: WindowGeometry) throws -> Tensor {
  let (kernel, outputs, pad) = (g.kernelH * g.kernelW, g.outH * g.outW, g.planeSize)
  return try Tensor.make([kernel, outputs], of: Int64.self) { table in
    for i in 0..<g.kernelH {
      for j in 0..<g.kernelW {
        let row = (i * g.kernelW + j) * outputs
        for oh in 0..<g.outH {
          let ih = oh * g.strideH - g.padH + i * g.dilationH
          for ow in 0..<g.outW {
            let iw = ow * g.strideW - g.padW + j * g.dilationW
            let inside = ih >= 0 && ih < g.height && iw >= 0 && iw < g.width
            table[row + oh * g.outW + ow] = Int64(inside ? ih * g.width + iw : pad)
          }
        }
      }
    }
  }
}

/// The elements of every window of `planes [P, height*width]` (any leading
/// axes before the last), 0 in the padding: `[..., kernel, outputs]` for the
/// `positions` table of `windowPositions`. Differentiable (a concat and an
/// index gather), to any order.
func windowElements(_ planes: Tensor, _ positions: Tensor) throws -> Tensor {
  let lead = Array(planes.shape.dropLast())
  let padded = try Tensor.concat([planes, Tensor.zeros(lead + [1], dtype: planes.dtype)], axis: -1)
  return try padded.indexSelect(positions, axis: planes.rank - 1)
}

/// `conv2d` for float64 operands (or mixed float32 and float64, promoted):
/// per image, `W [O, C*kh*kw] @ columns [C*kh*kw, outH*outW]`, the columns
/// gathered by `windowElements`.
func convolveFloating(_ x: Tensor, _ w: Tensor, bias: Tensor?, _ g: ConvGeometry) throws -> Tensor {
  let dtype = try windowDType([x, w] + (bias.map { [$0] } ?? []), op: "conv2d")
  let (x, w) = (try x.astype(dtype), try w.astype(dtype))
  let window = g.window, (n, c, o) = (g.batch, window.planes, g.outChannels)
  let columns = try windowElements(x.reshape([n, c, window.planeSize]), windowPositions(window))
    .reshape([n, g.k, g.l])
  var y = try w.reshape([o, g.k]).matmul(columns).reshape(g.outputShape)
  if let bias { y = try y + bias.astype(dtype).reshape([1, o, 1, 1]) }
  return y
}

/// `max_pool2d` of a float64 tensor: the input gathered at each window's
/// maximum, chosen as the float32 kernel chooses (the first on ties, NaN
/// winning, never the padding). The gather's gradient scatters to those
/// positions and its derivative is the gather again.
func maxPoolFloating(_ x: Tensor, _ layout: PoolLayout) throws -> Tensor {
  _ = try windowDType([x], op: "max_pool2d")
  let g = layout.window, outputs = g.outH * g.outW
  let planes = layout.inputShape[0] * layout.inputShape[1]
  let flat = try x.reshape([planes, g.planeSize])
  let positions = try windowPositions(g).elements(as: Int64.self)
  let winners = try flat.detached().withContiguousElements(of: Double.self, op: "max_pool2d") { values in
    try Tensor.make([planes, outputs], of: Int64.self) { out in
      for p in 0..<planes {
        let plane = values.baseAddress.map { $0 + p * g.planeSize }
        for l in 0..<outputs {
          var best = -Double.infinity, arg = -1
          for k in 0..<(g.kernelH * g.kernelW) {
            let at = Int(positions[k * outputs + l])
            guard at < g.planeSize, let plane else { continue }  // the padding never wins
            let v = plane[at]
            if arg < 0 || v > best || (v.isNaN && !best.isNaN) { (best, arg) = (v, at) }
          }
          out[p * outputs + l] = Int64(arg)  // every window holds an input element (PoolLayout)
        }
      }
    }
  }
  return try flat.gather(winners, axis: 1).reshape(layout.outputShape)
}

/// `avg_pool2d` of a float64 tensor: each window's sum (the padding adds 0)
/// divided by the kernel area, or with `countPadding` false by the number of
/// its elements inside the input. Linear, composed of differentiable ops.
func averagePoolFloating(_ x: Tensor, _ layout: PoolLayout, countPadding: Bool) throws -> Tensor {
  let dtype = try windowDType([x], op: "avg_pool2d")
  let g = layout.window, kernel = g.kernelH * g.kernelW, outputs = g.outH * g.outW
  let planes = layout.inputShape[0] * layout.inputShape[1]
  let positions = try windowPositions(g)
  let sums = try windowElements(x.reshape([planes, g.planeSize]), positions).sum(axes: [1])
  let table = positions.elements(as: Int64.self)
  let divisors = try Tensor(shape: [outputs], elements: (0..<outputs).map { l -> Double in
    countPadding ? Double(kernel) : Double(Swift.max(1, (0..<kernel).count { table[$0 * outputs + l] < g.planeSize }))
  })
  return try (sums / divisors.astype(dtype)).reshape(layout.outputShape)
}
