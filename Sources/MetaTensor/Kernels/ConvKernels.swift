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

  /// Columns one matrix product should span at least: below ~256 the packed
  /// weight matrix is re-packed too often for the work it serves and the
  /// micro-kernel's 32-column panels run partly empty (l = 9 fills 9 of 32).
  static let targetColumns = 384
  /// Column-matrix floats per group at most (512 KiB, half the per-core L2:
  /// the product's packed copies of it need the other half; at 1 MiB the
  /// 7x7 and 3x3 layers measured ~5% slower, their column writes missing L2).
  static let maxGroupFloats = 1 << 17

  /// Images per matrix product for a range of `count` images: enough to span
  /// `targetColumns`, few enough for the column block to fit `maxGroupFloats`.
  func groupSize(count: Int) -> Int {
    guard count > 1 else { return 1 }
    let byColumns = (Self.targetColumns + l - 1) / l
    let byCache = Swift.max(1, Self.maxGroupFloats / Swift.max(k * l, 1))
    return Swift.max(1, Swift.min(count, byColumns, byCache))
  }

  /// Splits the batch into `parts` contiguous ranges, run in parallel, and
  /// each range into groups of images (sizes differing by at most one); runs
  /// `body(part, images, columns, spare, threads)` per group. `columns` holds
  /// `k x (images.count*l)` floats, `spare` `outChannels x (images.count*l)`
  /// (nil when groups are single images): per-range buffers reused group by
  /// group, so the work stays in cache and nothing of size N*k*l is built.
  /// The split depends only on the sizes, so results are deterministic.
  /// `threads` is the budget for the group's matrix products (all threads
  /// when the batch is not split).
  func forEachGroup(
    parts: Int, op: String,
    _ body: (Int, Range<Int>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>?, Int) throws(KernelError)
      -> Void
  ) throws {
    let gemmThreads = parts == 1 ? ThreadPool.maxThreads : 1
    // Scratch per range, taken here (on the caller's thread, so the memory budget counts
    // it and a refusal is an error) rather than by each worker, where it could only abort.
    // groupSize bounds k*size*l by max(k*l, maxGroupFloats); outChannels*size*l is at
    // most the (checked) output size.
    let scratch = try (0..<parts).map { part -> (Storage, Storage?) in
      let size = groupSize(count: Self.share(part, of: parts, total: batch).count)
      return (try Storage(count: Swift.max(k * size * l, 1)), size > 1 ? try Storage(count: outChannels * size * l) : nil)
    }
    try forEachParallel(count: parts, work: .max, op: op) { part throws(KernelError) in
      let images = Self.share(part, of: parts, total: batch)
      let columns = scratch[part].0.base, spare = scratch[part].1?.base
      let size = groupSize(count: images.count)
      let groups = (images.count + size - 1) / size
      for group in 0..<groups {
        let range = Self.share(group, of: groups, total: images.count)
        try body(part, (images.lowerBound + range.lowerBound)..<(images.lowerBound + range.upperBound),
                 columns, spare, gemmThreads)
      }
    }
  }

  /// Share `i` of `total` items split into `parts` contiguous ranges whose
  /// sizes differ by at most one.
  static func share(_ i: Int, of parts: Int, total: Int) -> Range<Int> {
    (total / parts * i + Swift.min(i, total % parts))..<(total / parts * (i + 1) + Swift.min(i + 1, total % parts))
  }
}

/// Raw loops for the three convolution ops. `x`, `w`, `g` are contiguous
/// buffers of the geometry's input, weight and output shapes. A group of `G`
/// images is one matrix product over their column matrices side by side,
/// `[k, G*l]`; outputs and gradients move between that layout and NCHW by
/// block copies (cheap next to the k = C*kh*kw multiply-adds per element).
/// Layers with many channels skip the column matrix and run the direct
/// kernels instead (`DirectConv`, chosen by `directConv`).
extension ConvGeometry {
  /// y[n] = W[O, k] @ im2col(x[n])[k, l] (+ bias[O] on every column).
  func forward(
    x: UnsafePointer<Float>, w: UnsafePointer<Float>, bias: UnsafeBufferPointer<Float>?,
    y: UnsafeMutablePointer<Float>
  ) throws {
    if let direct = directConv {
      direct.forward(x: x, batch: batch, w: w, bias: bias?.baseAddress, y: y, threads: ThreadPool.maxThreads)
      return
    }
    let (o, k, l) = (outChannels, k, l)
    try forEachGroup(parts: partCount, op: "conv2d") { _, images, cols, spare, threads throws(KernelError) in
      let width = images.count * l
      for (j, n) in images.enumerated() {
        try MetaKernels.im2col(window, input: x + n * imageSize, columns: cols + j * l, ldColumns: width)
      }
      // A single image's product goes straight into the output.
      let out = spare ?? y + images.lowerBound * outputImageSize
      if let bias {
        for f in 0..<o { (out + f * width).update(repeating: bias[f], count: width) }
      }
      sgemm(transA: false, transB: false, m: o, n: width, k: k, alpha: 1, a: w, lda: k, b: cols, ldb: width,
            beta: bias == nil ? 0 : 1, c: out, ldc: width, threads: threads)
      if let spare {
        scatterBlocks(spare, count: images.count, rows: o, cols: l,
                      into: y + images.lowerBound * outputImageSize, dstStride: outputImageSize)
      }
    }
  }

  /// dx[n] = col2im(Wᵀ[k, O] @ g[n][O, l]): the adjoint of `forward` in x.
  func inputGradient(g: UnsafePointer<Float>, w: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>) throws {
    if let direct = directInputGradient {
      try direct.inputGradient(g: g, batch: batch, w: w, dx: dx, threads: ThreadPool.maxThreads)
      return
    }
    let (o, k, l) = (outChannels, k, l)
    dx.update(repeating: 0, count: batch * imageSize)
    try forEachGroup(parts: partCount, op: "conv2d") { _, images, cols, spare, threads throws(KernelError) in
      let width = images.count * l
      let grads = gathered(g, images, into: spare)
      sgemm(transA: true, transB: false, m: k, n: width, k: o, alpha: 1, a: w, lda: k,
            b: grads, ldb: width, beta: 0, c: cols, ldc: width, threads: threads)
      for (j, n) in images.enumerated() {
        try MetaKernels.col2im(window, columns: cols + j * l, input: dx + n * imageSize, ldColumns: width)
      }
    }
  }

  /// dW = Σ_n g[n][O, l] @ im2col(x[n])ᵀ[l, k]: the adjoint of `forward` in W.
  /// Each thread sums its groups into its own accumulator; the accumulators
  /// are then added in a fixed order. The accumulator is dWᵀ [k, O] when that
  /// shape fills the micro-kernel's tiles better (k = 9 and O = 64 for a
  /// one-channel 3x3 layer: 75% of a 12x32 tile used as [9, 64], 25% as [64, 9]).
  func weightGradient(g: UnsafePointer<Float>, x: UnsafePointer<Float>, dw: UnsafeMutablePointer<Float>) throws {
    if let direct = directConv {
      direct.weightGradient(x: x, batch: batch, g: g, dw: dw, threads: ThreadPool.maxThreads)
      return
    }
    let (o, k, l) = (outChannels, k, l)
    let parts = partCount
    let transposed = sgemmTileEfficiency(m: k, n: o) > sgemmTileEfficiency(m: o, n: k)
    var partials = [Float](repeating: 0, count: parts * o * k)
    try partials.withUnsafeMutableBufferPointer { buffer in
      guard let acc = buffer.baseAddress else { return }
      try forEachGroup(parts: parts, op: "conv2d") { part, images, cols, spare, threads throws(KernelError) in
        let width = images.count * l
        for (j, n) in images.enumerated() {
          try MetaKernels.im2col(window, input: x + n * imageSize, columns: cols + j * l, ldColumns: width)
        }
        let grads = gathered(g, images, into: spare)
        let mine = acc + part * o * k
        if transposed {
          sgemm(transA: false, transB: true, m: k, n: o, k: width, alpha: 1, a: cols, lda: width,
                b: grads, ldb: width, beta: 1, c: mine, ldc: o, threads: threads)
        } else {
          sgemm(transA: false, transB: true, m: o, n: k, k: width, alpha: 1, a: grads, lda: width,
                b: cols, ldb: width, beta: 1, c: mine, ldc: k, threads: threads)
        }
      }
      dw.update(repeating: 0, count: o * k)
      for p in 0..<parts {
        let part = acc + p * o * k
        if transposed {
          for i in 0..<k {
            for f in 0..<o { dw[f * k + i] += part[i * o + f] }
          }
        } else {
          for i in 0..<(o * k) { dw[i] += part[i] }
        }
      }
    }
  }

  /// The direct kernels when they beat the column-matrix path (bench/conv/run.sh
  /// and 28x28 and 42x42 spot checks): at least 64 multiply-adds per output
  /// and 32 output channels, so the 64-channel register tiles run mostly full
  /// (16 filters left the tile load-bound at half the column path's speed; a
  /// 3-channel 3x3 layer, k = 27, ran 3x slower than its column path).
  private var directConv: DirectConv? {
    guard k >= 64, outChannels >= 32 else { return nil }
    return try? DirectConv(window: window, outChannels: outChannels)
  }

  /// The direct input gradient, a forward convolution from the O output
  /// channels back to the C input channels: the same bounds, mirrored.
  private var directInputGradient: DirectConv? {
    guard outChannels * window.kernelH * window.kernelW >= 64, window.planes >= 32,
      let direct = try? DirectConv(window: window, outChannels: outChannels), direct.supportsInputGradient
    else { return nil }
    return direct
  }

  /// The output gradients of `images` as one `[O, count*l]` matrix: `g`'s own
  /// block for a single image, else gathered side by side into `spare`.
  private func gathered(
    _ g: UnsafePointer<Float>, _ images: Range<Int>, into spare: UnsafeMutablePointer<Float>?
  ) -> UnsafePointer<Float> {
    let first = g + images.lowerBound * outputImageSize
    guard let spare else { return first }
    gatherBlocks(first, srcStride: outputImageSize, count: images.count, rows: outChannels, cols: l, into: spare)
    return UnsafePointer(spare)
  }
}
