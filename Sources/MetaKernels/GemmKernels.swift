import CMetaKernels

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

typealias MicroKernel = @convention(c) (
  Int64, UnsafePointer<Float>?, UnsafePointer<Float>?, UnsafeMutablePointer<Float>?,
  Int64, Float, Float, Int64, Int64
) -> Void

typealias SmallNNKernel = @convention(c) (
  Int64, Int64, Int64, Float, UnsafePointer<Float>?, Int64, Int64,
  UnsafePointer<Float>?, Int64, Float, UnsafeMutablePointer<Float>?, Int64, Int64
) -> Void

typealias SmallNTKernel = @convention(c) (
  Int64, Int64, Int64, Float, UnsafePointer<Float>?, Int64,
  UnsafePointer<Float>?, Int64, Float, UnsafeMutablePointer<Float>?, Int64
) -> Void

/// One instruction-set level's kernels and the cache blocking that suits them.
///
/// Blocking (per core: 32 KiB L1d, 1 MiB L2; 35.8 MiB shared L3 on the
/// reference Xeon; similar ratios hold on most x86 server/desktop parts):
/// - `kc`: one B micro-panel (kc x NR) plus one A micro-panel (MR x kc) must
///   stay in L1 while the micro-kernel sweeps it: 6x16 at kc 256 is
///   16 KiB + 6 KiB. Larger kc also amortises the C tile's load/store.
/// - `mc`: the packed A block (mc x kc) lives in L2 and is reused for every
///   NR-column panel: 6x16 at mc 240 is 240 KiB, a quarter of L2, leaving room
///   for the streaming B panels and C.
/// - `nc`: the packed B block (kc x nc) lives in L3, shared across row blocks:
///   kc 256 x nc 4096 is 4 MiB.
struct GemmKernels: @unchecked Sendable {
  let name: String
  let mr: Int
  let nr: Int
  let kc: Int
  let mc: Int
  let nc: Int
  /// Products with at most this many multiply-adds use the direct kernels:
  /// below it, packing costs more than the blocked kernel saves (at n = 64
  /// meta-bench measured 60–85 GFLOP/s direct against 30–45 packed).
  let smallLimit: Int
  /// Whether `Aᵀ B` products with a small result (at most 64 x 128) use the
  /// direct kernel at any k on one thread (Gemm.swift, `directTN`): measured
  /// for the AVX-512 kernel only.
  var directTN = false
  let micro: MicroKernel
  let smallNN: SmallNNKernel
  let smallNT: SmallNTKernel

  static let generic = GemmKernels(
    name: "generic", mr: Int(META_AVX2_MR), nr: Int(META_AVX2_NR),
    kc: 256, mc: 240, nc: 4096, smallLimit: 64 * 64 * 64,
    micro: meta_sgemm_ukernel_generic_6x16,
    smallNN: meta_sgemm_small_nn_generic, smallNT: meta_sgemm_small_nt_generic)

  static let avx2 = GemmKernels(
    name: "avx2", mr: Int(META_AVX2_MR), nr: Int(META_AVX2_NR),
    kc: 256, mc: 240, nc: 4096, smallLimit: 64 * 64 * 64,
    micro: meta_sgemm_ukernel_avx2_6x16,
    smallNN: meta_sgemm_small_nn_avx2, smallNT: meta_sgemm_small_nt_avx2)

  /// 12x32 zmm tile. kc 256 makes the B micro-panel 32 KiB, the whole L1d, so
  /// A streams past it from L2; on the reference Xeon it still edged out kc 192
  /// (24 KiB) at n = 1024 by amortising each C tile update over more FMAs
  /// (within run-to-run noise on the shared machine). The dot-form small
  /// kernel stays AVX2: short rows waste much of a 16-lane vector.
  static let avx512 = GemmKernels(
    name: "avx512", mr: Int(META_AVX512_MR), nr: Int(META_AVX512_NR),
    kc: 256, mc: 240, nc: 4096, smallLimit: 64 * 64 * 64, directTN: true,
    micro: meta_sgemm_ukernel_avx512_12x32,
    smallNN: meta_sgemm_small_nn_avx512, smallNT: meta_sgemm_small_nt_avx2)

  /// Every kernel set this CPU can run, best first.
  static let supported: [GemmKernels] = {
    switch Int(meta_cpu_level()) {
    case Int(META_CPU_AVX512): return [avx512, avx2, generic]
    case Int(META_CPU_AVX2_FMA): return [avx2, generic]
    default: return [generic]
    }
  }()

  /// The kernels `sgemm` uses: the best supported, or the one named by the
  /// `META_KERNELS` environment variable (`generic`, `avx2`, `avx512`) if this
  /// CPU supports it — for benchmarking and testing the fallbacks.
  static let best: GemmKernels = {
    if let raw = getenv("META_KERNELS") {
      let wanted = String(cString: raw)
      if let match = supported.first(where: { $0.name == wanted }) { return match }
    }
    return supported.first ?? generic
  }()
}
