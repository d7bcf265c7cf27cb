import MetaKernels
import Synchronization

/// A (height, width) pair for kernel sizes, strides and padding of 2-D ops.
/// An integer literal sets both: `stride: 2` is `Size2D(2, 2)`.
public struct Size2D: Equatable, Hashable, Sendable, ExpressibleByIntegerLiteral, CustomStringConvertible {
  /// Extent along the rows (H axis).
  public var height: Int
  /// Extent along the columns (W axis).
  public var width: Int

  /// Separate sizes along H and W.
  public init(_ height: Int, _ width: Int) {
    self.height = height
    self.width = width
  }

  /// The same size along both axes.
  public init(_ both: Int) { self.init(both, both) }

  /// The same size along both axes.
  public init(integerLiteral value: Int) { self.init(value, value) }

  /// `3` when both sizes agree, else `(3, 1)`.
  public var description: String { height == width ? "\(height)" : "(\(height), \(width))" }
}

/// Builds a kernel window geometry, turning the kernel library's error into a
/// `TensorError` that names the op and its operands.
func windowGeometry(
  op: String, operands: String, planes: Int, height: Int, width: Int,
  kernel: Size2D, stride: Size2D, padding: Size2D
) throws -> WindowGeometry {
  guard kernel.height >= 1, kernel.width >= 1 else {
    throw TensorError("\(op): kernel size \(kernel) must be positive (\(operands))")
  }
  guard stride.height >= 1, stride.width >= 1 else {
    throw TensorError("\(op): stride \(stride) must be positive (\(operands))")
  }
  guard padding.height >= 0, padding.width >= 0 else {
    throw TensorError("\(op): padding \(padding) must not be negative (\(operands))")
  }
  do {
    return try WindowGeometry(
      planes: planes, height: height, width: width, kernelH: kernel.height, kernelW: kernel.width,
      strideH: stride.height, strideW: stride.width, padH: padding.height, padW: padding.width)
  } catch {
    throw TensorError("\(op): \(operands): \(kernelReason(error))")
  }
}

/// The human-readable part of a kernel error.
func kernelReason(_ error: any Error) -> String {
  switch error {
  case KernelError.invalidArgument(let why): return why
  default: return "\(error)"
  }
}

/// Requires a 4-D NCHW shape.
func requireNCHW(_ shape: [Int], op: String, name: String = "input") throws {
  guard shape.count == 4 else {
    throw TensorError("\(op): \(name) must be 4-D [N, C, H, W], got \(shapeText(shape))")
  }
}

/// Runs `body(i)` for `i` in `0..<count`, spread over the shared thread pool
/// when `work` (element moves in total) makes that worth a thread wake-up.
/// Kernel errors (which the callers' validation should make impossible) are
/// rethrown as a `TensorError` naming `op`.
func forEachParallel(
  count: Int, work: Int, op: String, _ body: (Int) throws(KernelError) -> Void
) throws {
  let failure = Mutex<KernelError?>(nil)
  func run(_ i: Int) {
    do { try body(i) } catch { failure.withLock { $0 = error } }
  }
  if count > 1, work >= 1 << 16 {
    ThreadPool.shared.parallelFor(count: count, threads: ThreadPool.maxThreads) { run($0) }
  } else {
    for i in 0..<count { run(i) }
  }
  if let error = failure.withLock({ $0 }) { throw TensorError("\(op): \(kernelReason(error))") }
}
