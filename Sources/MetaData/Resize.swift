// Anti-aliased downsampling by area averaging, and the quarter-turn rotations
// the few-shot protocols use as extra classes.

/// Area averaging ("box filter" with fractional coverage, OpenCV's INTER_AREA):
/// each output pixel is the mean of the input it covers, input pixels cut by
/// its edges counting in proportion to the area inside. Separable, so one
/// axis at a time. Resizing a constant image keeps it constant.
public struct AreaResize: Sendable {
  /// Input and output sizes.
  public let inWidth: Int, inHeight: Int, outWidth: Int, outHeight: Int
  private let columns: Taps, rows: Taps

  /// For each output sample j: it reads inputs `first[j]` ..< `first[j] + count[j]`
  /// with weights `weights[start[j]...]`. Flat arrays keep `apply` a few pointer
  /// loops (debug builds decode the whole dataset too).
  private struct Taps: Sendable {
    var first = [Int](), count = [Int](), start = [Int](), weights = [Float]()
  }

  /// A plan from `inWidth`×`inHeight` to `outWidth`×`outHeight` (all in 1...2^20).
  public init(inWidth: Int, inHeight: Int, outWidth: Int, outHeight: Int) throws {
    guard inWidth > 0, inHeight > 0, outWidth > 0, outHeight > 0 else {
      throw DataError("resize: sizes must be positive (\(inWidth)×\(inHeight) to \(outWidth)×\(outHeight))")
    }
    // Keeps the integer overlap arithmetic in `taps` far from overflow.
    guard max(inWidth, inHeight, outWidth, outHeight) <= 1 << 20 else {
      throw DataError("resize: sizes above \(1 << 20) are not supported")
    }
    self.inWidth = inWidth
    self.inHeight = inHeight
    self.outWidth = outWidth
    self.outHeight = outHeight
    columns = AreaResize.taps(from: inWidth, to: outWidth)
    rows = AreaResize.taps(from: inHeight, to: outHeight)
  }

  /// Output j covers input [j·n/m, (j+1)·n/m). Measured in units of 1/m the
  /// ends are the integers j·n and (j+1)·n and input i spans [i·m, (i+1)·m),
  /// so overlaps are exact integers and each weight is overlap / n.
  private static func taps(from n: Int, to m: Int) -> Taps {
    var taps = Taps()
    for j in 0..<m {
      let lo = j * n, hi = (j + 1) * n
      let first = lo / m, last = (hi - 1) / m
      taps.first.append(first)
      taps.count.append(last - first + 1)
      taps.start.append(taps.weights.count)
      for i in first...last { taps.weights.append(Float(Double(min(hi, (i + 1) * m) - max(lo, i * m)) / Double(n))) }
    }
    return taps
  }

  /// Floats of scratch space `apply` needs: `outHeight × inWidth`.
  public var scratchCount: Int { outHeight * inWidth }

  /// Resizes the `inHeight`×`inWidth` image at `src` into `dst`
  /// (`outHeight`×`outWidth`); `scratch` holds `scratchCount` floats.
  /// Rows first: that pass runs along whole input rows (vectorizes), and
  /// leaves the scalar column pass only `outHeight` rows.
  public func apply(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>,
                    scratch: UnsafeMutablePointer<Float>) {
    for y in 0..<outHeight {
      let out = scratch + y * inWidth
      out.initialize(repeating: 0, count: inWidth)
      for k in 0..<rows.count[y] {
        let w = rows.weights[rows.start[y] + k], line = src + (rows.first[y] + k) * inWidth
        for x in 0..<inWidth { out[x] += w * line[x] }
      }
    }
    columns.weights.withUnsafeBufferPointer { weights in
      guard let w = weights.baseAddress else { return }
      for y in 0..<outHeight {
        let line = scratch + y * inWidth, out = dst + y * outWidth
        for x in 0..<outWidth {
          let input = line + columns.first[x], taps = w + columns.start[x]
          var sum: Float = 0
          for k in 0..<columns.count[x] { sum += taps[k] * input[k] }
          out[x] = sum
        }
      }
    }
  }

  /// `image` resized (a convenience over `apply`).
  public func callAsFunction(_ image: GreyImage) throws -> GreyImage {
    guard image.width == inWidth, image.height == inHeight, image.pixels.count == inWidth * inHeight else {
      throw DataError("resize: image is \(image.width)×\(image.height), the plan expects \(inWidth)×\(inHeight)")
    }
    var out = [Float](repeating: 0, count: outWidth * outHeight)
    var scratch = [Float](repeating: 0, count: scratchCount)
    image.pixels.withUnsafeBufferPointer { src in
      out.withUnsafeMutableBufferPointer { dst in
        scratch.withUnsafeMutableBufferPointer { tmp in
          guard let s = src.baseAddress, let d = dst.baseAddress, let t = tmp.baseAddress else { return }
          apply(s, into: d, scratch: t)
        }
      }
    }
    return GreyImage(width: outWidth, height: outHeight, pixels: out)
  }
}

/// Rotation of square images by quarter turns.
public enum QuarterTurn {
  /// Writes the `n`×`n` image at `src` rotated counter-clockwise by
  /// `quarters` × 90° into `dst` (PIL's `Image.rotate(90 * quarters)`,
  /// NumPy's `rot90(image, quarters)`).
  public static func rotate(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, n: Int, quarters: Int) {
    let last = n - 1
    switch ((quarters % 4) + 4) % 4 {
    case 0: dst.update(from: src, count: n * n)
    case 1:
      for r in 0..<n { for c in 0..<n { dst[r * n + c] = src[c * n + (last - r)] } }
    case 2:
      for r in 0..<n { for c in 0..<n { dst[r * n + c] = src[(last - r) * n + (last - c)] } }
    default:
      for r in 0..<n { for c in 0..<n { dst[r * n + c] = src[(last - c) * n + r] } }
    }
  }
}
