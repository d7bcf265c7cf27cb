/// The sliding-window geometry of a 2-D convolution or pooling over `planes`
/// images of `height x width` (NCHW: for im2col the planes are one image's
/// channels; for pooling, batch x channels).
///
/// Output size per axis is `(size + 2*pad - dilation*(kernel-1) - 1) / stride + 1`,
/// as in PyTorch. The initializer validates everything, so the kernels that take a
/// `WindowGeometry` can index without further checks.
public struct WindowGeometry: Sendable, Equatable {
  public let planes: Int
  public let height: Int
  public let width: Int
  public let kernelH: Int
  public let kernelW: Int
  public let strideH: Int
  public let strideW: Int
  public let padH: Int
  public let padW: Int
  public let dilationH: Int
  public let dilationW: Int
  /// Output rows and columns per plane.
  public let outH: Int
  public let outW: Int

  /// Throws `KernelError.invalidArgument` for non-positive sizes, kernels, strides
  /// or dilations, negative padding, a window larger than the padded input, or
  /// buffer sizes that overflow `Int`.
  public init(
    planes: Int, height: Int, width: Int, kernelH: Int, kernelW: Int,
    strideH: Int = 1, strideW: Int = 1, padH: Int = 0, padW: Int = 0,
    dilationH: Int = 1, dilationW: Int = 1
  ) throws(KernelError) {
    guard planes >= 1, height >= 1, width >= 1 else {
      throw .invalidArgument("input size \(planes) x \(height) x \(width) must be positive")
    }
    guard kernelH >= 1, kernelW >= 1, strideH >= 1, strideW >= 1, dilationH >= 1, dilationW >= 1 else {
      throw .invalidArgument("kernel, stride and dilation must be at least 1")
    }
    guard padH >= 0, padW >= 0 else { throw .invalidArgument("padding must not be negative") }
    // Bound every size so the products below (and all index arithmetic in the
    // kernels) stay far from overflow.
    let limit = 1 << 24
    for v in [height, width, kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW]
    where v > limit {
      throw .invalidArgument("window size \(v) is too large")
    }
    let spanH = dilationH * (kernelH - 1) + 1
    let spanW = dilationW * (kernelW - 1) + 1
    guard spanH <= height + 2 * padH, spanW <= width + 2 * padW else {
      throw .invalidArgument(
        "window \(spanH) x \(spanW) is larger than the padded input \(height + 2 * padH) x \(width + 2 * padW)")
    }
    let oh = (height + 2 * padH - spanH) / strideH + 1
    let ow = (width + 2 * padW - spanW) / strideW + 1
    // planes * kernel area * output area and planes * input area must fit in Int.
    var total = planes
    for f in [kernelH, kernelW, oh, ow] {
      let (p, o) = total.multipliedReportingOverflow(by: f)
      guard !o else { throw .invalidArgument("window buffers would overflow Int") }
      total = p
    }
    guard !planes.multipliedReportingOverflow(by: height * width).overflow else {
      throw .invalidArgument("input buffer would overflow Int")
    }
    self.planes = planes
    self.height = height
    self.width = width
    self.kernelH = kernelH
    self.kernelW = kernelW
    self.strideH = strideH
    self.strideW = strideW
    self.padH = padH
    self.padW = padW
    self.dilationH = dilationH
    self.dilationW = dilationW
    outH = oh
    outW = ow
  }

  /// Rows of the im2col matrix: `planes * kernelH * kernelW`.
  public var columnRows: Int { planes * kernelH * kernelW }
  /// Columns of the im2col matrix: `outH * outW`.
  public var columnCount: Int { outH * outW }
  /// Elements of one input plane.
  public var planeSize: Int { height * width }

  /// The output columns `ow` whose input column `ow*strideW - padW + offset`
  /// lies inside `0..<width`, for a kernel tap at `offset = kj * dilationW`.
  func validColumns(offset: Int) -> Range<Int> {
    let shift = offset - padW  // input column of ow = 0
    let lo = shift >= 0 ? 0 : (-shift + strideW - 1) / strideW
    let last = width - 1 - shift  // ow * strideW <= last
    let hi = last < 0 ? 0 : min(outW, last / strideW + 1)
    return lo..<max(lo, hi)
  }
}
