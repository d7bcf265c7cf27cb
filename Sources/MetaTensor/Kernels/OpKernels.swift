import CMetaKernels
import Foundation

/// The op set's vectorised kernels (`CMetaKernels/vmath_more.c`), each in an
/// AVX-512, AVX2+FMA and baseline form, chosen once per process by CPU level
/// (as `VectorFunction`). Contiguous buffers only: callers make strided
/// inputs dense first or fall back to a Swift loop.
enum OpKernels {
  private static let level = meta_cpu_level()

  @inline(__always)
  private static func pick<K>(_ wide: K, _ avx2: K, _ generic: K) -> K {
    level >= Int32(META_CPU_AVX512) ? wide : (level >= Int32(META_CPU_AVX2_FMA) ? avx2 : generic)
  }

  typealias UnaryKernel = @convention(c) (UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int64) -> Void
  typealias BinaryKernel = @convention(c) (
    UnsafePointer<Float>?, UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int64) -> Void

  /// `y[i] = f(x[i])`.
  enum Unary {
    case log1p, expm1, erf, gelu, geluTanh, silu

    var kernel: UnaryKernel {
      switch self {
      case .log1p: pick(meta_vlog1p_avx512, meta_vlog1p_avx2, meta_vlog1p_generic)
      case .expm1: pick(meta_vexpm1_avx512, meta_vexpm1_avx2, meta_vexpm1_generic)
      case .erf: pick(meta_verf_avx512, meta_verf_avx2, meta_verf_generic)
      case .gelu: pick(meta_vgelu_avx512, meta_vgelu_avx2, meta_vgelu_generic)
      case .geluTanh: pick(meta_vgelu_tanh_avx512, meta_vgelu_tanh_avx2, meta_vgelu_tanh_generic)
      case .silu: pick(meta_vsilu_avx512, meta_vsilu_avx2, meta_vsilu_generic)
      }
    }

    var name: String {
      switch self {
      case .log1p: "log1p"
      case .expm1: "expm1"
      case .erf: "erf"
      case .gelu, .geluTanh: "gelu"
      case .silu: "silu"
      }
    }

    /// The function in double precision (libm), for float64 tensors.
    var double: (Double) -> Double {
      switch self {
      case .log1p: { Foundation.log1p($0) }
      case .expm1: { Foundation.expm1($0) }
      case .erf: { Foundation.erf($0) }
      case .gelu: { $0 * 0.5 * Foundation.erfc(-$0 * 0.5.squareRoot()) }
      case .geluTanh: { x in x * sigmoid(2 * (2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x)) }
      case .silu: { $0 * sigmoid($0) }
      }
    }
  }

  /// `y[i] = f(a[i], b[i])`.
  enum Binary {
    case atan2, maximum, minimum

    var kernel: BinaryKernel {
      switch self {
      case .atan2: pick(meta_vatan2_avx512, meta_vatan2_avx2, meta_vatan2_generic)
      case .maximum: pick(meta_vmaximum_avx512, meta_vmaximum_avx2, meta_vmaximum_generic)
      case .minimum: pick(meta_vminimum_avx512, meta_vminimum_avx2, meta_vminimum_generic)
      }
    }
  }

  /// Which `classify` test: NaN, ±inf, or neither.
  enum Classification: Int32 { case nan = 0, infinite = 1, finite = 2 }

  /// `y[i]` = whether `x[i]` passes `test`, as bools.
  static func classify(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Bool>, _ n: Int, _ test: Classification) {
    y.withMemoryRebound(to: UInt8.self, capacity: n) { bytes in
      pick(meta_vclassify_avx512, meta_vclassify_avx2, meta_vclassify_generic)(x, bytes, Int64(n), test.rawValue)
    }
  }

  static func softplus(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, beta: Float, threshold: Float) {
    pick(meta_vsoftplus_avx512, meta_vsoftplus_avx2, meta_vsoftplus_generic)(x, y, Int64(n), beta, threshold)
  }

  static func elu(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, alpha: Float) {
    pick(meta_velu_avx512, meta_velu_avx2, meta_velu_generic)(x, y, Int64(n), alpha)
  }

  /// Sum of a run, in double across blocks.
  static func sum(_ x: UnsafePointer<Float>, _ n: Int) -> Double {
    pick(meta_rsum_avx512, meta_rsum_avx2, meta_rsum_generic)(x, Int64(n))
  }

  static func sumOfSquares(_ x: UnsafePointer<Float>, _ n: Int) -> Double {
    pick(meta_rsumsq_avx512, meta_rsumsq_avx2, meta_rsumsq_generic)(x, Int64(n))
  }

  /// Sum of squared deviations from the run's mean (two passes); NaN for n = 0.
  static func squaredDeviations(_ x: UnsafePointer<Float>, _ n: Int) -> Double {
    guard n > 0 else { return .nan }
    let mean = Float(sum(x, n) / Double(n))
    return pick(meta_rsumsqdev_avx512, meta_rsumsqdev_avx2, meta_rsumsqdev_generic)(x, Int64(n), mean)
  }

  static func product(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
    pick(meta_rprod_avx512, meta_rprod_avx2, meta_rprod_generic)(x, Int64(n))
  }

  /// Per column of a `rows x cols` row-major block: the product.
  static func columnProducts(_ x: UnsafePointer<Float>, rows: Int, cols: Int, into out: UnsafeMutablePointer<Float>) {
    pick(meta_cprod_avx512, meta_cprod_avx2, meta_cprod_generic)(x, Int64(rows), Int64(cols), out)
  }

  /// Per column: the largest magnitude, NaN if any element is NaN.
  static func columnMaxAbs(_ x: UnsafePointer<Float>, rows: Int, cols: Int, into out: UnsafeMutablePointer<Float>) {
    pick(meta_cmaxabs_avx512, meta_cmaxabs_avx2, meta_cmaxabs_generic)(x, Int64(rows), Int64(cols), out)
  }

  /// Adds, per column, the sum over the rows of `(x - center[j])²` (`x²` without
  /// a center, `x` when not `square`) into `acc`.
  static func accumulateColumns(_ x: UnsafePointer<Float>, rows: Int, cols: Int, center: UnsafePointer<Float>?,
                                square: Bool, into acc: UnsafeMutablePointer<Float>) {
    pick(meta_caccum_avx512, meta_caccum_avx2, meta_caccum_generic)(x, Int64(rows), Int64(cols), center, square ? 1 : 0, acc)
  }

  /// The largest magnitude of a run (0 when empty), NaN if any element is NaN.
  static func maxAbs(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
    pick(meta_rmaxabs_avx512, meta_rmaxabs_avx2, meta_rmaxabs_generic)(x, Int64(n))
  }
}

/// 1 / (1 + e^-x) in double without overflow.
@inline(__always)
func sigmoid(_ x: Double) -> Double {
  x >= 0 ? 1 / (1 + Foundation.exp(-x)) : Foundation.exp(x) / (1 + Foundation.exp(x))
}

extension Tensor {
  /// `kernel` applied to every element of a float32 tensor as a fresh
  /// contiguous tensor (strided inputs are made dense first); large inputs
  /// are split over the thread pool. Other dtypes throw: callers convert.
  func mapKernel(node: GradNode? = nil, op: String,
                 _ kernel: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void) throws -> Tensor {
    try requireFloat32(op)
    let source = isContiguous ? self : try contiguousCopy()
    return try Tensor.make(shape, strides: source.denseStrides(), node: node) { out in
      guard let dst = out.baseAddress else { return }
      let src = UnsafePointer(source.storage.base + source.offset)
      parallelChunks(out.count) { start, n in kernel(src + start, dst + start, n) }
    }
  }

  /// One of the plain element-wise kernels on a float32 tensor, or its libm
  /// double form on a float64 one.
  func mapKernel(node: GradNode? = nil, _ function: OpKernels.Unary) throws -> Tensor {
    if dtype == .float64 { return try mapElements(node: node, of: Double.self, to: Double.self, function.double) }
    let kernel = function.kernel
    return try mapKernel(node: node, op: function.name) { kernel($0, $1, Int64($2)) }
  }

  /// `function` of two float32 tensors element-wise with broadcasting: the
  /// vector kernel when both are dense and of one shape, else `fallback`
  /// through the general broadcasting loop (which refuses other dtypes).
  func zipKernel(_ other: Tensor, op: String, node: GradNode?, _ function: OpKernels.Binary,
                 fallback: (Float, Float) -> Float) throws -> Tensor {
    guard shape == other.shape, isContiguous, other.isContiguous, dtype == .float32, other.dtype == .float32 else {
      return try zipElements(other, op: op, node: node, fallback)
    }
    let kernel = function.kernel
    let pa = UnsafePointer(storage.base + offset), pb = UnsafePointer(other.storage.base + other.offset)
    return try Tensor.make(shape, strides: denseStrides(), node: node) { out in
      guard let dst = out.baseAddress else { return }
      parallelChunks(out.count) { start, n in kernel(pa + start, pb + start, dst + start, Int64(n)) }
    }
  }
}
