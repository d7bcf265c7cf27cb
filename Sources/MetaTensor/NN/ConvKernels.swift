import MetaKernels

/// The shapes of one convolution `x [N, C, H, W] * weight [O, C, kh, kw]`,
/// validated once and shared by the forward op and its two adjoints.
struct ConvGeometry: Equatable, Sendable {
  let batch: Int
  let outChannels: Int
  /// One image's window geometry (planes = input channels).
  let window: WindowGeometry

  /// `input` and `weight` are 4-D with matching channels (checked by the caller).
  init(op: String, input: [Int], weight: [Int], stride: Size2D, padding: Size2D) throws {
    let kernel = Size2D(weight[2], weight[3])
    _ = try checkedCount(input, op: op)
    window = try windowGeometry(
      op: op, operands: "input \(shapeText(input)), weight \(shapeText(weight)), stride \(stride), padding \(padding)",
      planes: input[1], height: input[2], width: input[3], kernel: kernel, stride: stride, padding: padding)
    batch = input[0]
    outChannels = weight[0]
    _ = try checkedCount(outputShape, op: op)
    // One image's column matrix is the per-thread scratch buffer.
    _ = try checkedCount([window.columnRows, window.columnCount], op: op)
  }

  var inputShape: [Int] { [batch, window.planes, window.height, window.width] }
  var weightShape: [Int] { [outChannels, window.planes, window.kernelH, window.kernelW] }
  var outputShape: [Int] { [batch, outChannels, window.outH, window.outW] }
  /// Rows of one image's column matrix: C*kh*kw.
  var k: Int { window.columnRows }
  /// Columns of one image's column matrix: outH*outW.
  var l: Int { window.columnCount }
  var imageSize: Int { window.planes * window.planeSize }
  var outputImageSize: Int { outChannels * l }

  /// How many ranges to split the batch into: one per thread, unless the
  /// work is too small to be worth waking threads for.
  var partCount: Int {
    batch >= 2 && Double(batch) * Double(k * l) >= 32768 ? Swift.min(batch, ThreadPool.maxThreads) : 1
  }

  /// Splits the batch into `parts` contiguous ranges, run in parallel; each
  /// range runs `body(part, images, scratch, threads)` with its own `k*l`
  /// column buffer, so the work stays in cache image by image and nothing of
  /// size N*k*l is ever built. The split depends only on the sizes, so
  /// results are deterministic. `threads` is the budget for the range's
  /// matrix products (all threads when the batch is not split).
  func forEachImageRange(
    parts: Int, op: String,
    _ body: (Int, Range<Int>, UnsafeMutablePointer<Float>, Int) throws(KernelError) -> Void
  ) throws {
    let gemmThreads = parts == 1 ? ThreadPool.maxThreads : 1
    let scratchCount = Swift.max(k * l, 1)
    try forEachParallel(count: parts, work: .max, op: op) { part throws(KernelError) in
      // Sizes differ by at most one image.
      let images = (batch / parts * part + Swift.min(part, batch % parts))
        ..< (batch / parts * (part + 1) + Swift.min(part + 1, batch % parts))
      let scratch = UnsafeMutablePointer<Float>.allocate(capacity: scratchCount)
      defer { scratch.deallocate() }
      try body(part, images, scratch, gemmThreads)
    }
  }
}

/// Raw loops for the three convolution ops. `x`, `w`, `g` are contiguous
/// buffers of the geometry's input, weight and output shapes.
extension ConvGeometry {
  /// y[n] = W[O, k] @ im2col(x[n])[k, l] (+ bias[O] on every column).
  func forward(
    x: UnsafePointer<Float>, w: UnsafePointer<Float>, bias: UnsafeBufferPointer<Float>?,
    y: UnsafeMutablePointer<Float>
  ) throws {
    let (o, k, l) = (outChannels, k, l)
    try forEachImageRange(parts: partCount, op: "conv2d") { _, images, cols, threads throws(KernelError) in
      for n in images {
        try MetaKernels.im2col(window, input: x + n * imageSize, columns: cols)
        let out = y + n * outputImageSize
        if let bias {
          for f in 0..<o { (out + f * l).update(repeating: bias[f], count: l) }
        }
        sgemm(transA: false, transB: false, m: o, n: l, k: k, alpha: 1, a: w, lda: k, b: cols, ldb: l,
              beta: bias == nil ? 0 : 1, c: out, ldc: l, threads: threads)
      }
    }
  }

  /// dx[n] = col2im(Wᵀ[k, O] @ g[n][O, l]): the adjoint of `forward` in x.
  func inputGradient(g: UnsafePointer<Float>, w: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>) throws {
    let (o, k, l) = (outChannels, k, l)
    dx.update(repeating: 0, count: batch * imageSize)
    try forEachImageRange(parts: partCount, op: "conv2d") { _, images, cols, threads throws(KernelError) in
      for n in images {
        sgemm(transA: true, transB: false, m: k, n: l, k: o, alpha: 1, a: w, lda: k,
              b: g + n * outputImageSize, ldb: l, beta: 0, c: cols, ldc: l, threads: threads)
        try MetaKernels.col2im(window, columns: cols, input: dx + n * imageSize)
      }
    }
  }

  /// dW = Σ_n g[n][O, l] @ im2col(x[n])ᵀ[l, k]: the adjoint of `forward` in W.
  /// Each thread sums its images into its own accumulator; the accumulators
  /// are then added in a fixed order.
  func weightGradient(g: UnsafePointer<Float>, x: UnsafePointer<Float>, dw: UnsafeMutablePointer<Float>) throws {
    let (o, k, l) = (outChannels, k, l)
    let parts = partCount
    var partials = [Float](repeating: 0, count: parts * o * k)
    try partials.withUnsafeMutableBufferPointer { buffer in
      guard let acc = buffer.baseAddress else { return }
      try forEachImageRange(parts: parts, op: "conv2d") { part, images, cols, threads throws(KernelError) in
        let mine = acc + part * o * k  // each part sums into its own accumulator
        for n in images {
          try MetaKernels.im2col(window, input: x + n * imageSize, columns: cols)
          sgemm(transA: false, transB: true, m: o, n: k, k: l, alpha: 1, a: g + n * outputImageSize, lda: l,
                b: cols, ldb: l, beta: 1, c: mine, ldc: k, threads: threads)
        }
      }
      dw.update(repeating: 0, count: o * k)
      for p in 0..<parts {
        for i in 0..<(o * k) { dw[i] += acc[p * o * k + i] }
      }
    }
  }
}
