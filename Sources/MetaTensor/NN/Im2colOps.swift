import MetaKernels

/// How a batch of images `[N, C, H, W]` unfolds into one column matrix
/// `[C*kh*kw, N*outH*outW]`: image `n` fills columns `n*outH*outW ..<
/// (n+1)*outH*outW`, so a convolution over the whole batch is one matrix product.
struct ColumnLayout: Equatable, Sendable {
  let batch: Int
  /// One image's geometry (planes = channels).
  let window: WindowGeometry

  /// Validates the geometry and that every buffer size fits in an `Int`.
  init(op: String, imageShape: [Int], kernel: Size2D, stride: Size2D, padding: Size2D) throws {
    try requireNCHW(imageShape, op: op)
    let operands = "input \(shapeText(imageShape)), kernel \(kernel), stride \(stride), padding \(padding)"
    guard imageShape[0] >= 0 else { throw TensorError("\(op): negative batch size in \(shapeText(imageShape))") }
    window = try windowGeometry(
      op: op, operands: operands, planes: imageShape[1], height: imageShape[2], width: imageShape[3],
      kernel: kernel, stride: stride, padding: padding)
    batch = imageShape[0]
    _ = try checkedCount(imageShape, op: op)
    _ = try checkedCount(columnsShapeUnchecked, op: op)
  }

  /// `[N, C, H, W]`.
  var imageShape: [Int] { [batch, window.planes, window.height, window.width] }
  /// `[C*kh*kw, N*outH*outW]`.
  var columnsShape: [Int] { columnsShapeUnchecked }
  /// Row stride of the column matrix (the columns of all images side by side).
  var columnStride: Int { batch * window.columnCount }

  private var columnsShapeUnchecked: [Int] {
    // Both factors are bounded by WindowGeometry; the product is checked by callers.
    let (n, overflow) = batch.multipliedReportingOverflow(by: window.columnCount)
    return [window.columnRows, overflow ? -1 : n]
  }

  /// Threads for one image's kernel call: the batch is split over threads
  /// already, except for a single image, whose channels are split instead.
  var threadsPerImage: Int { batch == 1 ? ThreadPool.maxThreads : 1 }
}

/// Unfolds image patches into columns (the first half of a convolution as
/// matrix product): `x [N, C, H, W]` becomes `[C*kh*kw, N*outH*outW]`, where
/// row `(c*kh + i)*kw + j`, column `n*outH*outW + oh*outW + ow` holds
/// `x[n, c, oh*strideH - padH + i, ow*strideW - padW + j]` (0 in the padding).
/// Differentiable to any order: its backward is `col2im`, whose backward is
/// `im2col` again.
public func im2col(
  _ x: Tensor, kernel: Size2D, stride: Size2D = 1, padding: Size2D = 0
) throws -> Tensor {
  let layout = try ColumnLayout(op: "im2col", imageShape: x.shape, kernel: kernel, stride: stride, padding: padding)
  return try unfold(x, layout)
}

/// The adjoint of `im2col`: adds every column entry back onto the image
/// element it was copied from (so overlapping windows accumulate), giving a
/// tensor of `imageShape` `[N, C, H, W]`. `columns` must have the shape
/// `im2col` produces for that image shape and window.
public func col2im(
  _ columns: Tensor, imageShape: [Int], kernel: Size2D, stride: Size2D = 1, padding: Size2D = 0
) throws -> Tensor {
  let layout = try ColumnLayout(op: "col2im", imageShape: imageShape, kernel: kernel, stride: stride, padding: padding)
  guard columns.shape == layout.columnsShape else {
    throw TensorError("col2im: columns \(shapeText(columns.shape)) do not match image shape \(shapeText(imageShape)) with kernel \(kernel), stride \(stride), padding \(padding) (expected \(shapeText(layout.columnsShape)))")
  }
  return try fold(columns, layout)
}

/// `im2col` for a validated layout.
func unfold(_ x: Tensor, _ layout: ColumnLayout) throws -> Tensor {
  let g = layout.window, ld = layout.columnStride
  let imageSize = g.planes * g.planeSize, threads = layout.threadsPerImage
  return try x.withContiguousBuffer(op: "im2col") { src in
    try Tensor.custom("im2col", shape: layout.columnsShape, inputs: [x], fill: { out in
      guard let input = src.baseAddress, let columns = out.baseAddress else { return }
      try forEachParallel(count: layout.batch, work: out.count, op: "im2col") { n throws(KernelError) in
        try MetaKernels.im2col(g, input: input + n * imageSize, columns: columns + n * g.columnCount,
                               ldColumns: ld, threads: threads)
      }
    }, backward: { c in [try fold(c.grad, layout)] })
  }
}

/// `col2im` for a validated layout (`columns` has `layout.columnsShape`).
func fold(_ columns: Tensor, _ layout: ColumnLayout) throws -> Tensor {
  let g = layout.window, ld = layout.columnStride
  let imageSize = g.planes * g.planeSize, threads = layout.threadsPerImage
  return try columns.withContiguousBuffer(op: "col2im") { src in
    try Tensor.custom("col2im", shape: layout.imageShape, inputs: [columns], fill: { out in
      out.initialize(repeating: 0)
      guard let cols = src.baseAddress, let image = out.baseAddress else { return }
      // Each image accumulates only into its own slice of the output.
      try forEachParallel(count: layout.batch, work: src.count, op: "col2im") { n throws(KernelError) in
        try MetaKernels.col2im(g, columns: cols + n * g.columnCount, input: image + n * imageSize,
                               ldColumns: ld, threads: threads)
      }
    }, backward: { c in [try unfold(c.grad, layout)] })
  }
}
