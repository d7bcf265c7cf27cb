/// 2-D convolution (cross-correlation, as in PyTorch's `conv2d`) of a batch
/// `x [N, C, H, W]` with filters `weight [O, C, kh, kw]` and an optional
/// `bias [O]`, giving `[N, O, outH, outW]` with
/// `outH = (H + 2*padding.height - kh) / stride.height + 1` (likewise W).
///
/// Its value is `reshape(W[O, C*kh*kw] @ im2col(x))` per image. Layers with
/// enough channels run a direct convolution kernel (no column matrix at all);
/// the others run in small groups of images (their columns side by side in a
/// cache-sized buffer, one matrix product per group). Either way no
/// `N*C*kh*kw*outH*outW` column matrix is built or kept for the backward pass. It is differentiable
/// to any order: the three linear maps involved — the convolution, its
/// adjoint in the input (`col2im(Wᵀ g)`) and its adjoint in the weight
/// (`Σ g im2col(x)ᵀ`) — are recorded ops whose derivatives are each other.
public func conv2d(
  _ x: Tensor, _ weight: Tensor, bias: Tensor? = nil, stride: Size2D = 1, padding: Size2D = 0
) throws -> Tensor {
  try requireNCHW(x.shape, op: "conv2d")
  guard weight.rank == 4 else {
    throw TensorError("conv2d: weight must be 4-D [O, C, kh, kw], got \(shapeText(weight.shape))")
  }
  let (c, o, wc) = (x.shape[1], weight.shape[0], weight.shape[1])
  guard c == wc else {
    throw TensorError("conv2d: input \(shapeText(x.shape)) has \(c) channels, weight \(shapeText(weight.shape)) expects \(wc)")
  }
  if let bias, bias.shape != [o] {
    throw TensorError("conv2d: bias \(shapeText(bias.shape)) does not match the \(o) output channels of weight \(shapeText(weight.shape))")
  }
  let geometry = try ConvGeometry(op: "conv2d", input: x.shape, weight: weight.shape, stride: stride, padding: padding)
  if x.dtype != .float32 || weight.dtype != .float32 || (bias.map { $0.dtype != .float32 } ?? false) {
    return try convolveFloating(x, weight, bias: bias, geometry)  // float64 (FloatingWindows.swift)
  }
  return try convolve(x, weight, bias: bias, geometry)
}

/// The convolution of `x` with `w`, plus `bias` per output channel when
/// given (added inside the matrix product, saving a pass over the output).
/// Backward: the two adjoints, and the per-channel sum for the bias.
func convolve(_ x: Tensor, _ w: Tensor, bias: Tensor? = nil, _ g: ConvGeometry) throws -> Tensor {
  let b = try bias?.contiguous() ?? Tensor.zeros([0])
  return try x.withContiguousBuffer(op: "conv2d") { xs in
    try w.withContiguousBuffer(op: "conv2d") { ws in
      try Tensor.custom("conv2d", shape: g.outputShape, inputs: bias == nil ? [x, w] : [x, w, b], fill: { out in
        guard let xp = xs.baseAddress, let wp = ws.baseAddress, let yp = out.baseAddress else {
          out.initialize(repeating: 0)  // only for empty buffers, which have no address
          return
        }
        try b.withContiguousBuffer(op: "conv2d") { bs in try g.forward(x: xp, w: wp, bias: bias == nil ? nil : bs, y: yp) }
      }, backward: { c in
        [try c.needsGrad[0] ? convInputGradient(c.grad, c.inputs[1], g) : nil,
         try c.needsGrad[1] ? convWeightGradient(c.grad, c.inputs[0], g) : nil,
         try c.needsGrad.count > 2 && c.needsGrad[2] ? c.grad.sum(axes: [0, 2, 3]) : nil]
      })
    }
  }
}

/// The adjoint of the convolution in its input: `col2im(Wᵀ @ grad)` per image
/// (a transposed convolution). Linear in both arguments; its derivatives are
/// the convolution (in `grad`) and the weight adjoint (in `w`).
func convInputGradient(_ grad: Tensor, _ w: Tensor, _ g: ConvGeometry) throws -> Tensor {
  try grad.withContiguousBuffer(op: "conv2d") { gs in
    try w.withContiguousBuffer(op: "conv2d") { ws in
      try Tensor.custom("conv2d_input_grad", shape: g.inputShape, inputs: [grad, w], fill: { out in
        guard let gp = gs.baseAddress, let wp = ws.baseAddress, let dx = out.baseAddress else {
          out.initialize(repeating: 0)  // only for empty buffers, which have no address
          return
        }
        try g.inputGradient(g: gp, w: wp, dx: dx)
      }, backward: { c in
        // <u, T(grad, w)> = <conv(u, w), grad> = <w, Σ grad im2col(u)ᵀ>.
        [try c.needsGrad[0] ? convolve(c.grad, c.inputs[1], g) : nil,
         try c.needsGrad[1] ? convWeightGradient(c.inputs[0], c.grad, g) : nil]
      })
    }
  }
}

/// The adjoint of the convolution in its weight: `Σ_n grad[n] @ im2col(x[n])ᵀ`.
/// Linear in both arguments; its derivatives are the convolution of `x` (in
/// `grad`) and the input adjoint (in `x`).
func convWeightGradient(_ grad: Tensor, _ x: Tensor, _ g: ConvGeometry) throws -> Tensor {
  try grad.withContiguousBuffer(op: "conv2d") { gs in
    try x.withContiguousBuffer(op: "conv2d") { xs in
      try Tensor.custom("conv2d_weight_grad", shape: g.weightShape, inputs: [grad, x], fill: { out in
        guard let gp = gs.baseAddress, let xp = xs.baseAddress, let dw = out.baseAddress else {
          out.initialize(repeating: 0)  // only for empty buffers, which have no address
          return
        }
        try g.weightGradient(g: gp, x: xp, dw: dw)
      }, backward: { c in
        // <u, S(grad, x)> = <conv(x, u), grad> = <x, col2im(uᵀ grad)>.
        [try c.needsGrad[0] ? convolve(c.inputs[1], c.grad, g) : nil,
         try c.needsGrad[1] ? convInputGradient(c.inputs[0], c.grad, g) : nil]
      })
    }
  }
}
