import MetaKernels

/// A batch-norm input `[N, C, H, W]` (or `[N, C]`) seen as `[batch, channels,
/// inner]`: channel `c` of sample `n` is the contiguous run of `inner` floats
/// starting at `(n * channels + c) * inner`.
struct ChannelLayout {
  let batch: Int
  let channels: Int
  let inner: Int

  /// The layout of a 2-D or 4-D shape (callers checked the rank).
  init(_ shape: [Int]) {
    batch = shape[0]
    channels = shape[1]
    inner = shape.dropFirst(2).reduce(1, *)
  }

  /// Values per channel (the `M` the statistics average over).
  var perChannel: Int { batch * inner }
  var count: Int { batch * channels * inner }

  /// Calls `body` on consecutive channel ranges covering `0..<channels`: one
  /// range on the caller's thread for small inputs, else a few ranges over the
  /// shared pool. Every channel is handled whole by one call, in the same
  /// order, so results do not depend on the thread count.
  func forChannelRanges(_ body: (Range<Int>) -> Void) {
    let threads = ThreadPool.maxThreads
    guard count >= parallelElementThreshold, threads > 1, channels > 1 else {
      body(0..<channels)
      return
    }
    let parts = Swift.min(channels, threads * 4)
    let size = (channels + parts - 1) / parts
    ThreadPool.shared.parallelFor(count: (channels + size - 1) / size) { part in
      let start = part * size
      body(start..<Swift.min(start + size, channels))
    }
  }

  /// Calls `body(channel, run)` for every run of `inner` floats of the
  /// channels in `range`, sample by sample, where `run` is the run's offset.
  @inline(__always)
  func forEachRun(_ range: Range<Int>, _ body: (Int, Int) -> Void) {
    for n in 0..<batch {
      for c in range { body(c, (n * channels + c) * inner) }
    }
  }
}

/// Runs are summed in Float lanes, flushed into Double every this many
/// elements, so a 2.6M-value channel keeps Double accuracy at Float speed.
private let flushLength = 1024

/// Two sums over a contiguous run of `n` elements, in Double: `lanes(i)`
/// gives the terms of elements `i..<i+8`, `scalar(i)` those of element `i`
/// (for the tail). Lanes are flushed into Double every `flushLength` elements.
@inline(__always)
private func runSums(
  _ n: Int, _ lanes: (Int) -> (SIMD8<Float>, SIMD8<Float>), _ scalar: (Int) -> (Double, Double)
) -> (Double, Double) {
  var first = 0.0, second = 0.0
  var start = 0
  while start < n {
    let end = Swift.min(start + flushLength, n)
    var a0 = SIMD8<Float>(), a1 = a0, b0 = a0, b1 = a0
    var i = start
    while i + 16 <= end {
      let (p0, q0) = lanes(i), (p1, q1) = lanes(i + 8)
      a0 += p0
      a1 += p1
      b0 += q0
      b1 += q1
      i += 16
    }
    var a = Double((a0 + a1).sum()), b = Double((b0 + b1).sum())
    while i < end {
      let (p, q) = scalar(i)
      a += p
      b += q
      i += 1
    }
    first += a
    second += b
    start = end
  }
  return (first, second)
}

@inline(__always)
private func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
  UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

/// `Σ (x[i] - m)` and `Σ (x[i] - m)²` over a run (m = 0: plain sums).
@inline(__always)
private func centeredSums(_ x: UnsafePointer<Float>, _ m: Float, _ n: Int) -> (Double, Double) {
  let mv = SIMD8<Float>(repeating: m)
  return runSums(n, { i in
    let d = load8(x + i) - mv
    return (d, d * d)
  }, { i in
    let d = Double(x[i] - m)
    return (d, d * d)
  })
}

/// `Σ g[i]` and `Σ g[i] * (x[i] - m)` over a run.
@inline(__always)
private func gradientRunSums(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ m: Float, _ n: Int) -> (Double, Double) {
  let mv = SIMD8<Float>(repeating: m)
  return runSums(n, { i in
    let gv = load8(g + i)
    return (gv, gv * (load8(x + i) - mv))
  }, { i in
    (Double(g[i]), Double(g[i]) * Double(x[i] - m))
  })
}

/// Count, mean and sum of squared deviations of a set of values, merged
/// piece by piece (Chan et al.'s pairwise update: stable for any offset).
private struct Moments {
  var count = 0.0, mean = 0.0, m2 = 0.0

  mutating func merge(count n: Double, mean pieceMean: Double, m2 pieceM2: Double) {
    let total = count + n
    let delta = pieceMean - mean
    mean += delta * (n / total)
    m2 += pieceM2 + delta * delta * (count * n / total)
    count = total
  }
}

/// Pieces of a run small enough to stay in L1 between their two passes.
private let pieceLength = 2048

/// Per-channel mean and biased variance of `x`, accurate to Double rounding
/// even for large offsets, in one pass over memory: each piece of a run is
/// summed, then its deviations from its own mean are summed while it is
/// still in cache (the corrected two-pass algorithm), and the pieces are
/// merged in Double. `layout.perChannel` must be positive.
func channelMoments(_ x: UnsafePointer<Float>, _ layout: ChannelLayout) -> (mean: [Double], variance: [Double]) {
  let channels = layout.channels, m = Double(layout.perChannel)
  var mean = [Double](repeating: 0, count: channels)
  var variance = [Double](repeating: 0, count: channels)
  mean.withUnsafeMutableBufferPointer { meanOut in
    variance.withUnsafeMutableBufferPointer { varOut in
      guard let mp = meanOut.baseAddress, let vp = varOut.baseAddress else { return }
      layout.forChannelRanges { range in
        var moments = [Moments](repeating: Moments(), count: range.count)
        layout.forEachRun(range) { c, run in
          var start = 0
          while start < layout.inner {
            let n = Swift.min(pieceLength, layout.inner - start), p = x + run + start
            let count = Double(n)
            // The squares of this first pass are unused: free next to the memory traffic.
            let guess = Float(centeredSums(p, 0, n).0 / count)
            let (dev, sq) = centeredSums(p, guess, n)
            moments[c - range.lowerBound].merge(
              count: count, mean: Double(guess) + dev / count, m2: Swift.max(0, sq - dev * dev / count))
            start += n
          }
        }
        for (i, c) in range.enumerated() {
          mp[c] = moments[i].mean
          vp[c] = moments[i].m2 / m
        }
      }
    }
  }
  return (mean, variance)
}

/// `y = (x - mean[c]) * scale[c] + shift[c]` for every element (`dst` holds
/// `layout.count` floats; the arrays hold `layout.channels`).
func channelAffine(
  _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ layout: ChannelLayout,
  mean: [Float], scale: [Float], shift: [Float]
) {
  layout.forChannelRanges { range in
    layout.forEachRun(range) { c, run in
      let (m, s, b) = (mean[c], scale[c], shift[c])
      let src = x + run, dst = y + run
      for i in 0..<layout.inner { dst[i] = (src[i] - m) * s + b }
    }
  }
}

/// Per-channel `Σ g` and `Σ g * (x - mean[c])`, in Double.
func gradientSums(
  _ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ layout: ChannelLayout, mean: [Float]
) -> (sum: [Double], dot: [Double]) {
  let channels = layout.channels
  var sum = [Double](repeating: 0, count: channels), dot = sum
  sum.withUnsafeMutableBufferPointer { sumOut in
    dot.withUnsafeMutableBufferPointer { dotOut in
      guard let sp = sumOut.baseAddress, let dp = dotOut.baseAddress else { return }
      layout.forChannelRanges { range in
        for c in range { (sp[c], dp[c]) = (0, 0) }
        layout.forEachRun(range) { c, run in
          let (s, d) = gradientRunSums(g + run, x + run, mean[c], layout.inner)
          sp[c] += s
          dp[c] += d
        }
      }
    }
  }
  return (sum, dot)
}

/// `dx = g * gScale[c] + (x - mean[c]) * dScale[c] + constant[c]` for every
/// element: the batch-norm input gradient with its per-channel sums folded in.
func batchNormInputGradient(
  _ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>,
  _ layout: ChannelLayout, mean: [Float], gScale: [Float], dScale: [Float], constant: [Float]
) {
  layout.forChannelRanges { range in
    layout.forEachRun(range) { c, run in
      let (m, a, b, k) = (mean[c], gScale[c], dScale[c], constant[c])
      let gs = g + run, xs = x + run, out = dx + run
      for i in 0..<layout.inner { out[i] = gs[i] * a + ((xs[i] - m) * b + k) }
    }
  }
}

/// Per-channel `Σ a * b`, in Double.
func productSums(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ layout: ChannelLayout) -> [Double] {
  var sum = [Double](repeating: 0, count: layout.channels)
  sum.withUnsafeMutableBufferPointer { out in
    guard let sp = out.baseAddress else { return }
    layout.forChannelRanges { range in
      for c in range { sp[c] = 0 }
      layout.forEachRun(range) { c, run in
        let (pa, pb) = (a + run, b + run)
        sp[c] += runSums(layout.inner, { i in (load8(pa + i) * load8(pb + i), SIMD8<Float>()) },
                         { i in (Double(pa[i]) * Double(pb[i]), 0) }).0
      }
    }
  }
  return sum
}

/// `out = u * uScale[c] + g * gScale[c] + (x - mean[c]) * dScale[c] + constant[c]`
/// for every element: the batch-norm second-order input gradient.
func batchNormSecondInputGradient(
  _ u: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
  _ out: UnsafeMutablePointer<Float>, _ layout: ChannelLayout,
  mean: [Float], uScale: [Float], gScale: [Float], dScale: [Float], constant: [Float]
) {
  layout.forChannelRanges { range in
    layout.forEachRun(range) { c, run in
      let (m, a, b, d, k) = (mean[c], uScale[c], gScale[c], dScale[c], constant[c])
      let (us, gs, xs, dst) = (u + run, g + run, x + run, out + run)
      for i in 0..<layout.inner { dst[i] = us[i] * a + gs[i] * b + ((xs[i] - m) * d + k) }
    }
  }
}
