import CMetaKernels
import Foundation

/// Vectorised transcendental functions over contiguous buffers, computed by
/// the C kernels in `CMetaKernels/vmath.c` (libm's `tanhf`/`logf` are opaque
/// per-element calls). AVX2+FMA loops when the CPU has them, else the
/// baseline-ISA twins (AVX-512 when available). A few ULP from the exact value for normal results;
/// IEEE limits for ±inf, NaN, ±0 and subnormals (see the kernels' header).
enum VectorFunction {
  case exp, log, tanh, sigmoid

  private typealias Kernel = @convention(c) (UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int64) -> Void

  /// Chosen once per process: the CPU does not change under us.
  private static let level = meta_cpu_level()

  private var kernel: Kernel {
    let level = Self.level
    let (wide, avx2, generic): (Kernel, Kernel, Kernel) = switch self {
    case .exp: (meta_vexp_avx512, meta_vexp_avx2, meta_vexp_generic)
    case .log: (meta_vlog_avx512, meta_vlog_avx2, meta_vlog_generic)
    case .tanh: (meta_vtanh_avx512, meta_vtanh_avx2, meta_vtanh_generic)
    case .sigmoid: (meta_vsigmoid_avx512, meta_vsigmoid_avx2, meta_vsigmoid_generic)
    }
    if level >= Int32(META_CPU_AVX512) { return wide }
    return level >= Int32(META_CPU_AVX2_FMA) ? avx2 : generic
  }

  var name: String {
    switch self {
    case .exp: return "exp"
    case .log: return "log"
    case .tanh: return "tanh"
    case .sigmoid: return "sigmoid"
    }
  }

  /// The function in double precision (libm), for float64 tensors.
  var double: (Double) -> Double {
    switch self {
    case .exp: return { Foundation.exp($0) }
    case .log: return { Foundation.log($0) }
    case .tanh: return { Foundation.tanh($0) }
    case .sigmoid: return { $0 >= 0 ? 1 / (1 + Foundation.exp(-$0)) : Foundation.exp($0) / (1 + Foundation.exp($0)) }
    }
  }

  /// `dst[i] = f(src[i])` for `i < count`; the buffers must not overlap.
  func apply(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, count: Int) {
    kernel(src, dst, Int64(count))
  }
}

extension Tensor {
  /// `function` applied to every element as a fresh contiguous tensor
  /// (strided inputs are made dense first). Large inputs are split over the
  /// shared thread pool.
  func mapVector(node: GradNode? = nil, _ function: VectorFunction) throws -> Tensor {
    if dtype == .float64 { return try mapElements(node: node, of: Double.self, to: Double.self, function.double) }
    try requireFloat32(function.name)
    let source = isContiguous ? self : try contiguousCopy()
    return try Tensor.make(shape, strides: source.denseStrides(), node: node) { out in
      guard let dst = out.baseAddress else { return }
      let src = UnsafePointer(source.storage.base + source.offset)
      parallelChunks(out.count) { start, n in function.apply(src + start, dst + start, count: n) }
    }
  }
}
