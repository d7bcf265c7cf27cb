import CMetaKernels

// 2-D max and average pooling over NCHW planes (batch x channels folded into
// `WindowGeometry.planes`), with the adjoints their gradients need.

/// Max pooling: `output[p, oh, ow]` is the largest input in the window, and
/// `indices[p, oh, ow]` its flat position `ih*width + iw` within plane `p`
/// (padding never wins; -1, with output -inf, for a dilated window that misses
/// the input entirely). A NaN in a window is propagated, as in PyTorch.
/// Indices are 32-bit (half the memory traffic of `Int` on the largest
/// tensors of a conv net); planes of more than `Int32.max` elements are rejected.
/// Throws if the padding exceeds half the kernel (a window could then be all padding).
public func maxPool2d(
  _ g: WindowGeometry, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
  indices: UnsafeMutablePointer<Int32>, threads: Int = 1
) throws(KernelError) {
  try checkPoolPadding(g)
  guard g.planeSize <= Int(Int32.max) else {
    throw .invalidArgument("plane of \(g.height) x \(g.width) elements is too large for max pooling (at most \(Int32.max))")
  }
  if g.isDenseTwoByTwo { return maxPool2x2(g, input: input, output: output, indices: indices, threads: threads) }
  let outPlane = g.outH * g.outW
  forEachPlane(g, threads: threads) { p in
    let x = input + p * g.planeSize
    var o = p * outPlane
    for oh in 0..<g.outH {
      let h0 = oh * g.strideH - g.padH
      for ow in 0..<g.outW {
        let w0 = ow * g.strideW - g.padW
        var best = -Float.infinity
        var arg = -1
        for i in 0..<g.kernelH {
          let ih = h0 + i * g.dilationH
          guard ih >= 0, ih < g.height else { continue }
          for j in 0..<g.kernelW {
            let iw = w0 + j * g.dilationW
            guard iw >= 0, iw < g.width else { continue }
            let v = x[ih * g.width + iw]
            // `arg < 0` takes the first valid element even if it is -inf;
            // once best is NaN, nothing compares greater, so NaN sticks.
            if arg < 0 || v > best || (v.isNaN && !best.isNaN) {
              best = v
              arg = ih * g.width + iw
            }
          }
        }
        output[o] = best
        indices[o] = Int32(truncatingIfNeeded: arg)  // < planeSize <= Int32.max, or -1
        o += 1
      }
    }
  }
}

extension WindowGeometry {
  /// 2×2 windows at stride 2 with no padding or dilation (conv4's pooling): every
  /// window lies inside the input, so no bounds checks are needed.
  var isDenseTwoByTwo: Bool {
    kernelH == 2 && kernelW == 2 && strideH == 2 && strideW == 2 && padH == 0 && padW == 0
      && dilationH == 1 && dilationW == 1
  }
}

/// `maxPool2d` for `isDenseTwoByTwo` windows: the same scan order, ties and NaN
/// rule as the general loop, in C without bounds checks or branches (random
/// data would mispredict every compare).
private func maxPool2x2(
  _ g: WindowGeometry, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
  indices: UnsafeMutablePointer<Int32>, threads: Int
) {
  let outPlane = g.outH * g.outW
  forEachPlane(g, threads: threads) { p in
    meta_maxpool2x2_plane(input + p * g.planeSize, Int64(g.height), Int64(g.width),
                          output + p * outPlane, indices + p * outPlane)
  }
}

/// The adjoint of max pooling: adds `gradOutput[p, oh, ow]` onto
/// `gradInput[p, indices[p, oh, ow]]`. Accumulates into `gradInput`.
/// Indices outside `0..<height*width` are ignored rather than trusted.
public func maxPool2dBackward(
  _ g: WindowGeometry, gradOutput: UnsafePointer<Float>, indices: UnsafePointer<Int32>,
  gradInput: UnsafeMutablePointer<Float>, threads: Int = 1
) {
  let outPlane = g.outH * g.outW
  forEachPlane(g, threads: threads) { p in
    let gi = gradInput + p * g.planeSize
    for o in (p * outPlane)..<((p + 1) * outPlane) {
      let idx = Int(indices[o])
      if idx >= 0, idx < g.planeSize { gi[idx] += gradOutput[o] }
    }
  }
}

/// Average pooling. The divisor is `kernelH*kernelW` when `countPadding`
/// (PyTorch's default `count_include_pad=True`), else the number of window
/// elements inside the input. Throws for dilated windows or padding beyond half the kernel.
public func avgPool2d(
  _ g: WindowGeometry, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
  countPadding: Bool = true, threads: Int = 1
) throws(KernelError) {
  try checkPoolPadding(g, dense: true)
  let outPlane = g.outH * g.outW
  forEachPlane(g, threads: threads) { p in
    let x = input + p * g.planeSize
    var o = p * outPlane
    forEachWindow(g, countPadding: countPadding) { ih, iw, count in
      var s: Float = 0
      for i in ih { for j in iw { s += x[i * g.width + j] } }
      output[o] = s / Float(count)
      o += 1
    }
  }
}

/// The adjoint of `avgPool2d`: spreads each `gradOutput` entry, divided by the
/// same divisor, over its window's input elements. Accumulates into `gradInput`.
public func avgPool2dBackward(
  _ g: WindowGeometry, gradOutput: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>,
  countPadding: Bool = true, threads: Int = 1
) throws(KernelError) {
  try checkPoolPadding(g, dense: true)
  let outPlane = g.outH * g.outW
  forEachPlane(g, threads: threads) { p in
    let gi = gradInput + p * g.planeSize
    var o = p * outPlane
    forEachWindow(g, countPadding: countPadding) { ih, iw, count in
      let share = gradOutput[o] / Float(count)
      for i in ih { for j in iw { gi[i * g.width + j] += share } }
      o += 1
    }
  }
}

/// Calls `body` for each output position in row-major order with the input rows
/// and columns of its window clipped to the input (pooling windows are dense:
/// dilation 1 is required) and the divisor.
private func forEachWindow(
  _ g: WindowGeometry, countPadding: Bool, _ body: (Range<Int>, Range<Int>, Int) -> Void
) {
  for oh in 0..<g.outH {
    let h0 = oh * g.strideH - g.padH
    let rows = max(h0, 0)..<min(h0 + g.kernelH, g.height)
    for ow in 0..<g.outW {
      let w0 = ow * g.strideW - g.padW
      let cols = max(w0, 0)..<min(w0 + g.kernelW, g.width)
      let count = countPadding ? g.kernelH * g.kernelW : max(1, rows.count * cols.count)
      body(rows, cols, count)
    }
  }
}

private func checkPoolPadding(_ g: WindowGeometry, dense: Bool = false) throws(KernelError) {
  if dense, g.dilationH != 1 || g.dilationW != 1 {
    throw .invalidArgument("average pooling does not support dilation")
  }
  guard 2 * g.padH <= g.kernelH, 2 * g.padW <= g.kernelW else {
    throw .invalidArgument("pooling padding \(g.padH) x \(g.padW) exceeds half the kernel \(g.kernelH) x \(g.kernelW)")
  }
}
