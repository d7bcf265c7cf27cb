import MetaKernels

/// A pooling window over the planes (batch x channels) of an NCHW tensor.
struct PoolLayout: Equatable, Sendable {
  let inputShape: [Int]
  let window: WindowGeometry
  /// A batch of 0 (as conv2d accepts): the window is validated for one
  /// image and the kernels are skipped, since there is nothing to pool.
  let isEmpty: Bool

  init(op: String, inputShape: [Int], kernel: Size2D, stride: Size2D, padding: Size2D) throws {
    try requireNCHW(inputShape, op: op)
    _ = try checkedCount(inputShape, op: op)
    let operands = "input \(shapeText(inputShape)), kernel \(kernel), stride \(stride), padding \(padding)"
    self.inputShape = inputShape
    isEmpty = inputShape[0] == 0
    window = try windowGeometry(
      op: op, operands: operands, planes: isEmpty ? inputShape[1] : inputShape[0] * inputShape[1],
      height: inputShape[2], width: inputShape[3], kernel: kernel, stride: stride, padding: padding)
    // Checked after the geometry, which bounds the sizes (so 2p cannot overflow):
    // a window must never lie entirely in the padding.
    guard 2 * padding.height <= kernel.height, 2 * padding.width <= kernel.width else {
      throw TensorError("\(op): padding \(padding) exceeds half the kernel \(kernel) (\(operands))")
    }
  }

  var outputShape: [Int] { [inputShape[0], inputShape[1], window.outH, window.outW] }
  var threads: Int { ThreadPool.maxThreads }
}

/// 2-D max pooling of `x [N, C, H, W]` (stride defaults to the kernel size;
/// padding, at most half the kernel, never wins). Differentiable to any
/// order: the gradient is scattered to each window's maximum (the first one
/// on ties), and that scatter's own derivative is the matching gather.
public func maxPool2d(
  _ x: Tensor, kernel: Size2D, stride: Size2D? = nil, padding: Size2D = 0
) throws -> Tensor {
  let layout = try PoolLayout(op: "max_pool2d", inputShape: x.shape, kernel: kernel,
                              stride: stride ?? kernel, padding: padding)
  if x.dtype != .float32 { return try maxPoolFloating(x, layout) }  // float64 (FloatingWindows.swift)
  let g = layout.window
  let argmax = try PoolIndices(count: layout.outputShape.reduce(1, *))
  let pooled = try x.detached().withContiguousBuffer(op: "max_pool2d") { src in
    try Tensor.custom("max_pool2d", shape: layout.outputShape, inputs: [], fill: { out in
      guard !layout.isEmpty, let input = src.baseAddress, let output = out.baseAddress else { return }
      do {
        // The kernel writes every index (or throws).
        try MetaKernels.maxPool2d(g, input: input, output: output, indices: argmax.base, threads: layout.threads)
      } catch {
        throw TensorError("max_pool2d: \(kernelReason(error))")
      }
    }, backward: { _ in [] })
  }
  return pooled.recorded(as: "max_pool2d", inputs: [x]) { c in
    [try scatterToArgmax(c.grad, argmax, layout)]
  }
}

/// A max pooling's argmax indices (position within the plane), kept for the
/// backward pass. The buffer comes from the tensor buffer pool: a conv net's
/// first pooling keeps tens of millions of them, and a fresh allocation every
/// step would pay a page fault per 4 KiB.
final class PoolIndices: @unchecked Sendable {
  private let storage: Storage
  let count: Int
  /// Written once by the pooling kernel, read-only afterwards.
  let base: UnsafeMutablePointer<Int32>

  init(count: Int) throws {
    self.count = count
    storage = try Storage(count: count)  // Float and Int32 have the same size
    base = UnsafeMutableRawPointer(storage.base).bindMemory(to: Int32.self, capacity: count)
  }

  // The pool hands the memory out as Float again.
  deinit { UnsafeMutableRawPointer(storage.base).bindMemory(to: Float.self, capacity: count) }
}

/// Zeros of the pooling input's shape with `grad [N, C, outH, outW]` added at
/// the argmax positions (the adjoint of `gatherAtArgmax`).
func scatterToArgmax(_ grad: Tensor, _ argmax: PoolIndices, _ layout: PoolLayout) throws -> Tensor {
  let g = layout.window
  return try grad.withContiguousBuffer(op: "max_pool2d") { src in
    try Tensor.custom("max_pool2d_backward", shape: layout.inputShape, inputs: [grad], fill: { out in
      out.initialize(repeating: 0)
      guard !layout.isEmpty, let gradOut = src.baseAddress, let gradIn = out.baseAddress else { return }
      MetaKernels.maxPool2dBackward(g, gradOutput: gradOut, indices: argmax.base, gradInput: gradIn, threads: layout.threads)
    }, backward: { c in [try gatherAtArgmax(c.grad, argmax, layout)] })
  }
}

/// The elements of `x` (the pooling input's shape) at the argmax positions,
/// shaped like the pooling output (the adjoint of `scatterToArgmax`).
func gatherAtArgmax(_ x: Tensor, _ argmax: PoolIndices, _ layout: PoolLayout) throws -> Tensor {
  let g = layout.window, outPlane = g.outH * g.outW
  return try x.withContiguousBuffer(op: "max_pool2d") { src in
    try Tensor.custom("max_pool2d_gather", shape: layout.outputShape, inputs: [x], fill: { out in
      if layout.isEmpty { return }
      for p in 0..<g.planes {
        for o in (p * outPlane)..<((p + 1) * outPlane) {
          let i = Int(argmax.base[o])
          // The kernel never leaves -1 for dense windows; guard anyway.
          out[o] = i >= 0 && i < g.planeSize ? src[p * g.planeSize + i] : 0
        }
      }
    }, backward: { c in [try scatterToArgmax(c.grad, argmax, layout)] })
  }
}

/// 2-D average pooling of `x [N, C, H, W]` (stride defaults to the kernel
/// size). With `countPadding` (PyTorch's default) every window divides by
/// the kernel area, else by the number of its elements inside the input.
/// Linear, so its derivative is its adjoint, whose derivative is this again.
public func avgPool2d(
  _ x: Tensor, kernel: Size2D, stride: Size2D? = nil, padding: Size2D = 0, countPadding: Bool = true
) throws -> Tensor {
  let layout = try PoolLayout(op: "avg_pool2d", inputShape: x.shape, kernel: kernel,
                              stride: stride ?? kernel, padding: padding)
  if x.dtype != .float32 { return try averagePoolFloating(x, layout, countPadding: countPadding) }
  return try averagePool(x, layout, countPadding: countPadding)
}

func averagePool(_ x: Tensor, _ layout: PoolLayout, countPadding: Bool) throws -> Tensor {
  let g = layout.window
  return try x.withContiguousBuffer(op: "avg_pool2d") { src in
    try Tensor.custom("avg_pool2d", shape: layout.outputShape, inputs: [x], fill: { out in
      guard !layout.isEmpty, let input = src.baseAddress, let output = out.baseAddress else { return }
      do {
        try MetaKernels.avgPool2d(g, input: input, output: output, countPadding: countPadding, threads: layout.threads)
      } catch {
        throw TensorError("avg_pool2d: \(kernelReason(error))")
      }
    }, backward: { c in [try averagePoolAdjoint(c.grad, layout, countPadding: countPadding)] })
  }
}

/// The adjoint of `averagePool`: each output gradient spread evenly over its window.
func averagePoolAdjoint(_ grad: Tensor, _ layout: PoolLayout, countPadding: Bool) throws -> Tensor {
  let g = layout.window
  return try grad.withContiguousBuffer(op: "avg_pool2d") { src in
    try Tensor.custom("avg_pool2d_backward", shape: layout.inputShape, inputs: [grad], fill: { out in
      out.initialize(repeating: 0)
      guard !layout.isEmpty, let gradOut = src.baseAddress, let gradIn = out.baseAddress else { return }
      do {
        try MetaKernels.avgPool2dBackward(g, gradOutput: gradOut, gradInput: gradIn,
                                          countPadding: countPadding, threads: layout.threads)
      } catch {
        throw TensorError("avg_pool2d: \(kernelReason(error))")
      }
    }, backward: { c in [try averagePool(c.grad, layout, countPadding: countPadding)] })
  }
}
