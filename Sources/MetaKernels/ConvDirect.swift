// Direct convolution for small images: the C kernels (conv_direct.c) read the
// input through per-position window offsets into a zero-padded copy, so the
// im2col matrix is never built and the register tile always spans 64 output
// channels, whatever the image size (a 3x3 image has 9 columns per image,
// which fill the GEMM path's 32-column tiles poorly).
import CMetaKernels

/// One convolution `x [N, C, H, W] * w [O, C, kh, kw]` (NCHW, contiguous)
/// computed directly: forward, weight gradient, and for stride 1 the input
/// gradient (a forward convolution of the output gradient with the flipped,
/// channel-transposed kernel). Every output element is summed in a fixed
/// order that does not depend on the thread count.
public struct DirectConv: Sendable {
  /// The instruction-set level of the C kernels.
  public enum Level: Sendable, CaseIterable {
    case generic, avx2, avx512

    /// The level the sgemm kernels use (so `META_KERNELS` steers both).
    public static var best: Level {
      switch GemmKernels.best.name {
      case "avx512": return .avx512
      case "avx2": return .avx2
      default: return .generic
      }
    }

    /// The levels this CPU runs.
    public static var supported: [Level] {
      GemmKernels.supported.map { $0.name == "avx512" ? .avx512 : $0.name == "avx2" ? .avx2 : .generic }
    }
  }

  /// One image's window geometry (planes = input channels).
  public let window: WindowGeometry
  public let outChannels: Int
  public let level: Level

  /// Throws unless `outChannels` is positive and the padded sizes fit comfortably in `Int`.
  public init(window: WindowGeometry, outChannels: Int, level: Level = .best) throws(KernelError) {
    guard outChannels >= 1, outChannels <= 1 << 24 else {
      throw .invalidArgument("direct conv: output channels must be in 1...2^24 (got \(outChannels))")
    }
    let padded = (window.height + 2 * window.padH).multipliedReportingOverflow(by: window.width + 2 * window.padW)
    let image = padded.partialValue.multipliedReportingOverflow(by: window.planes)
    guard !padded.overflow, !image.overflow, image.partialValue <= 1 << 40 else {
      throw .invalidArgument("direct conv: padded input too large")
    }
    guard Level.supported.contains(level) else {
      throw .invalidArgument("direct conv: this CPU does not run the \(level) kernels")
    }
    self.window = window
    self.outChannels = outChannels
    self.level = level
  }

  var paddedH: Int { window.height + 2 * window.padH }
  var paddedW: Int { window.width + 2 * window.padW }
  var paddedImage: Int { window.planes * paddedH * paddedW }
  /// Row stride of the transposed weight and gradient matrices: whole 16-float vectors.
  var ldw: Int { (outChannels + 15) / 16 * 16 }
  var k: Int { window.columnRows }
  var l: Int { window.columnCount }

  /// Offsets of kernel row `(c*kh + i)*kw + j` from a window start in a padded image.
  func kernelOffsets() -> [Int64] {
    var off = [Int64]()
    off.reserveCapacity(k)
    let (hp, wp) = (paddedH, paddedW)
    for c in 0..<window.planes {
      for i in 0..<window.kernelH {
        for j in 0..<window.kernelW {
          off.append(Int64(c * hp * wp + i * window.dilationH * wp + j * window.dilationW))
        }
      }
    }
    return off
  }

  /// Images per padded block: ~256 KiB of padded input, so a block stays in
  /// L2 while every output channel of its positions is computed.
  var blockImages: Int { max(1, (1 << 16) / max(paddedImage, 1)) }

  /// Copies `count` images from `x` into `dst` with a zero border.
  func pad(_ x: UnsafePointer<Float>, count: Int, into dst: UnsafeMutablePointer<Float>) {
    let (h, w, hp, wp) = (window.height, window.width, paddedH, paddedW)
    let (ph, pw) = (window.padH, window.padW)
    let planes = count * window.planes
    for c in 0..<planes {
      let src = x + c * h * w, out = dst + c * hp * wp
      if ph == 0, pw == 0 {
        out.update(from: src, count: h * w)
        continue
      }
      out.update(repeating: 0, count: ph * wp)
      for r in 0..<h {
        let row = out + (ph + r) * wp
        row.update(repeating: 0, count: pw)
        (row + pw).update(from: src + r * w, count: w)
        (row + pw + w).update(repeating: 0, count: pw)
      }
      (out + (ph + h) * wp).update(repeating: 0, count: ph * wp)
    }
  }

  /// Window starts of the positions of `count` padded images, in NCHW output order.
  func windowStarts(count: Int, into xbase: UnsafeMutablePointer<Int64>) {
    let (wp, sh, sw) = (paddedW, window.strideH, window.strideW)
    var q = 0
    for j in 0..<count {
      for oh in 0..<window.outH {
        for ow in 0..<window.outW {
          xbase[q] = Int64(j * paddedImage + oh * sh * wp + ow * sw)
          q += 1
        }
      }
    }
  }
}

extension DirectConv {
  /// y = conv(x, w) + bias, `batch` images; `y` is `[batch, O, outH, outW]`,
  /// fully written. Images are split over up to `threads` threads.
  public func forward(
    x: UnsafePointer<Float>, batch: Int, w: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
    y: UnsafeMutablePointer<Float>, threads: Int
  ) {
    guard batch > 0 else { return }
    forward(x: x, batch: batch, wt: transposedWeights(w), bias: bias, y: y, threads: threads)
  }

  /// `forward` with the weights already as `transposedWeights` lays them out.
  func forward(
    x: UnsafePointer<Float>, batch: Int, wt: [Float], bias: UnsafePointer<Float>?,
    y: UnsafeMutablePointer<Float>, threads: Int
  ) {
    guard batch > 0 else { return }
    let koff = kernelOffsets()
    let (o, l, ldw, k) = (outChannels, l, ldw, k)
    let parts = partCount(batch: batch, threads: threads)
    let block = blockImages
    wt.withUnsafeBufferPointer { wtb in
      koff.withUnsafeBufferPointer { kob in
        guard let wtp = wtb.baseAddress, let kop = kob.baseAddress else { return }
        ThreadPool.shared.parallelFor(count: parts, threads: parts) { part in
          let images = share(part, of: parts, total: batch)
          let size = min(block, images.count)
          let padded = UnsafeMutablePointer<Float>.allocate(capacity: size * paddedImage)
          defer { padded.deallocate() }
          let xbase = UnsafeMutablePointer<Int64>.allocate(capacity: size * l)
          defer { xbase.deallocate() }
          let obase = UnsafeMutablePointer<Int64>.allocate(capacity: size * l)
          defer { obase.deallocate() }
          windowStarts(count: size, into: xbase)
          for j in 0..<size {
            for p in 0..<l { obase[j * l + p] = Int64(j * o * l + p) }
          }
          var n = images.lowerBound
          while n < images.upperBound {
            let count = min(size, images.upperBound - n)
            pad(x + n * window.planes * window.planeSize, count: count, into: padded)
            runForward(padded, xbase, obase, count * l, kop, k, wtp, ldw, o, bias, y + n * o * l, l)
            n += count
          }
        }
      }
    }
  }

  /// dw = Σ_n g[n] ⋆ x[n], written (not accumulated) as `[O, C, kh, kw]`.
  /// Threads split the kernel rows, so each element's sum runs over the
  /// images in the same order whatever the thread count.
  public func weightGradient(
    x: UnsafePointer<Float>, batch: Int, g: UnsafePointer<Float>, dw: UnsafeMutablePointer<Float>, threads: Int
  ) {
    let (o, l, ldw, k) = (outChannels, l, ldw, k)
    var dwt = [Float](repeating: 0, count: k * ldw)
    guard batch > 0 else {
      dw.update(repeating: 0, count: o * k)
      return
    }
    let koff = kernelOffsets()
    // At least 24 kernel rows per thread keeps the 6-row tiles full.
    let fmas = Double(batch) * Double(l) * Double(k) * Double(o)
    let parts = max(1, min(threads, ThreadPool.maxThreads, k / 24, Int(fmas / Double(1 << 21))))
    let block = blockImages
    dwt.withUnsafeMutableBufferPointer { dwb in
      koff.withUnsafeBufferPointer { kob in
        guard let dwp = dwb.baseAddress, let kop = kob.baseAddress else { return }
        ThreadPool.shared.parallelFor(count: parts, threads: parts) { part in
          let rows = share(part, of: parts, total: k)
          let size = min(block, batch)
          let padded = UnsafeMutablePointer<Float>.allocate(capacity: size * paddedImage)
          defer { padded.deallocate() }
          let gt = UnsafeMutablePointer<Float>.allocate(capacity: size * l * ldw)
          defer { gt.deallocate() }
          if o < ldw { gt.update(repeating: 0, count: size * l * ldw) }  // the padding lanes stay 0
          let xbase = UnsafeMutablePointer<Int64>.allocate(capacity: size * l)
          defer { xbase.deallocate() }
          windowStarts(count: size, into: xbase)
          var n = 0
          while n < batch {
            let count = min(size, batch - n)
            pad(x + n * window.planes * window.planeSize, count: count, into: padded)
            transposeGradient(g + n * o * l, count: count, into: gt)
            runWeightGradient(padded, xbase, count * l, kop + rows.lowerBound, rows.count, gt, ldw,
                              dwp + rows.lowerBound * ldw)
            n += count
          }
        }
        meta_transpose_f32(dwp, Int64(k), Int64(o), Int64(ldw), dw, Int64(k))
      }
    }
  }

  /// Whether `inputGradient` handles this geometry: stride 1 and padding no
  /// wider than the dilated kernel (so the flipped convolution needs no cropping).
  public var supportsInputGradient: Bool {
    window.strideH == 1 && window.strideW == 1
      && window.padH <= window.dilationH * (window.kernelH - 1)
      && window.padW <= window.dilationW * (window.kernelW - 1)
  }

  /// dx (written, `[batch, C, H, W]`) of `forward` for output gradient `g`:
  /// the convolution of `g` (padded by dilation*(kernel-1) - padding) with
  /// the kernel flipped in space and transposed in channels. Throws unless
  /// `supportsInputGradient`.
  public func inputGradient(
    g: UnsafePointer<Float>, batch: Int, w: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, threads: Int
  ) throws(KernelError) {
    guard supportsInputGradient else {
      throw .invalidArgument("direct conv: input gradient needs stride 1 and padding within the kernel span")
    }
    let v = window
    let back = try WindowGeometry(
      planes: outChannels, height: v.outH, width: v.outW, kernelH: v.kernelH, kernelW: v.kernelW,
      padH: v.dilationH * (v.kernelH - 1) - v.padH, padW: v.dilationW * (v.kernelW - 1) - v.padW,
      dilationH: v.dilationH, dilationW: v.dilationW)
    let flipped = try DirectConv(window: back, outChannels: v.planes, level: level)
    // The flipped kernel wf[c, f, i, j] = w[f, c, kh-1-i, kw-1-j], built
    // straight in the transposed layout: wt[(f*kh*kw + s)*ldw + c] with
    // s = i*kw + j. Per f that is w[f] as a [c, kh*kw] matrix transposed
    // with its columns reversed (kh*kw-1-s = (kh-1-i)*kw + kw-1-j).
    let (s, c, o, ldc) = (v.kernelH * v.kernelW, v.planes, outChannels, flipped.ldw)
    var wt = [Float](repeating: 0, count: o * s * ldc)
    wt.withUnsafeMutableBufferPointer { buffer in
      guard let out = buffer.baseAddress else { return }
      for f in 0..<o {
        meta_transpose_f32(w + f * c * s, Int64(c), Int64(s), Int64(s), out + (f * s + s - 1) * ldc, -Int64(ldc))
      }
    }
    flipped.forward(x: g, batch: batch, wt: wt, bias: nil, y: dx, threads: threads)
  }
}

extension DirectConv {
  /// wt[p*ldw + f] = w[f*k + p], zero past the live channels.
  func transposedWeights(_ w: UnsafePointer<Float>) -> [Float] {
    let (o, k, ldw) = (outChannels, k, ldw)
    var wt = [Float](repeating: 0, count: k * ldw)
    wt.withUnsafeMutableBufferPointer { buffer in
      guard let out = buffer.baseAddress else { return }
      meta_transpose_f32(w, Int64(o), Int64(k), Int64(k), out, Int64(ldw))
    }
    return wt
  }

  /// gt[(j*l + p)*ldw + f] = g[j][f, p] for `count` images (padding lanes untouched).
  func transposeGradient(_ g: UnsafePointer<Float>, count: Int, into gt: UnsafeMutablePointer<Float>) {
    let (o, l, ldw) = (outChannels, l, ldw)
    for j in 0..<count {
      meta_transpose_f32(g + j * o * l, Int64(o), Int64(l), Int64(l), gt + j * l * ldw, Int64(ldw))
    }
  }

  /// Threads for `batch` images: one range of images each, unless the work
  /// is too small to be worth waking a thread for.
  func partCount(batch: Int, threads: Int) -> Int {
    let fmas = Double(batch) * Double(l) * Double(k) * Double(outChannels)
    return max(1, min(batch, threads, ThreadPool.maxThreads, Int(fmas / Double(1 << 21))))
  }

  private func runForward(
    _ x: UnsafePointer<Float>, _ xbase: UnsafePointer<Int64>, _ obase: UnsafePointer<Int64>, _ npos: Int,
    _ koff: UnsafePointer<Int64>, _ k: Int, _ wt: UnsafePointer<Float>, _ ldw: Int, _ nout: Int,
    _ bias: UnsafePointer<Float>?, _ out: UnsafeMutablePointer<Float>, _ ostride: Int
  ) {
    let args = (Int64(npos), Int64(k), Int64(ldw), Int64(nout), Int64(ostride))
    switch level {
    case .avx512:
      meta_conv_direct_fwd_avx512(x, xbase, obase, args.0, koff, args.1, wt, args.2, args.3, bias, out, args.4)
    case .avx2:
      meta_conv_direct_fwd_avx2(x, xbase, obase, args.0, koff, args.1, wt, args.2, args.3, bias, out, args.4)
    case .generic:
      meta_conv_direct_fwd_generic(x, xbase, obase, args.0, koff, args.1, wt, args.2, args.3, bias, out, args.4)
    }
  }

  private func runWeightGradient(
    _ x: UnsafePointer<Float>, _ xbase: UnsafePointer<Int64>, _ npos: Int, _ koff: UnsafePointer<Int64>,
    _ k: Int, _ gt: UnsafePointer<Float>, _ ldw: Int, _ dwt: UnsafeMutablePointer<Float>
  ) {
    let (n, kk, ld) = (Int64(npos), Int64(k), Int64(ldw))
    switch level {
    case .avx512: meta_conv_direct_wgrad_avx512(x, xbase, n, koff, kk, gt, ld, dwt)
    case .avx2: meta_conv_direct_wgrad_avx2(x, xbase, n, koff, kk, gt, ld, dwt)
    case .generic: meta_conv_direct_wgrad_generic(x, xbase, n, koff, kk, gt, ld, dwt)
    }
  }
}

/// Share `i` of `total` items split into `parts` contiguous ranges whose sizes differ by at most one.
private func share(_ i: Int, of parts: Int, total: Int) -> Range<Int> {
  (total / parts * i + min(i, total % parts))..<(total / parts * (i + 1) + min(i + 1, total % parts))
}
