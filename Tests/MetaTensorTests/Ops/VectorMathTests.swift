import CMetaKernels
import Foundation
import MetaKernels
import XCTest
@testable import MetaTensor

/// The vectorised exp/log/tanh/sigmoid kernels against Double libm over dense
/// sweeps (every loop this CPU can run: AVX-512, AVX2, portable), plus the IEEE special cases.
final class VectorMathTests: XCTestCase {
  typealias Kernel = (UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int64) -> Void

  /// Kernels runnable on this CPU, by name.
  private func kernels(_ avx512: @escaping Kernel, _ avx2: @escaping Kernel,
                       _ generic: @escaping Kernel) -> [(String, Kernel)] {
    var list: [(String, Kernel)] = [("generic", generic)]
    if meta_cpu_level() >= Int32(META_CPU_AVX2_FMA) { list.append(("avx2", avx2)) }
    if meta_cpu_level() >= Int32(META_CPU_AVX512) { list.append(("avx512", avx512)) }
    return list
  }

  private func run(_ kernel: Kernel, _ xs: [Float]) -> [Float] {
    var ys = [Float](repeating: .nan, count: xs.count)
    xs.withUnsafeBufferPointer { x in
      ys.withUnsafeMutableBufferPointer { y in kernel(x.baseAddress, y.baseAddress, Int64(xs.count)) }
    }
    return ys
  }

  /// Max error in units of the reference's float ULP (the least subnormal
  /// for results below the normal range); fails on any mismatch of
  /// non-finite results.
  private func maxULPError(_ xs: [Float], _ ys: [Float], _ reference: (Double) -> Double,
                           _ label: String) -> Double {
    var worst = 0.0
    for (x, y) in zip(xs, ys) {
      let exact = reference(Double(x))
      let rounded = Float(exact)
      if !rounded.isFinite || exact == 0 {
        if !(y == rounded || (y.isNaN && rounded.isNaN)) {
          XCTFail("\(label)(\(x)) = \(y), expected \(rounded)")
          return .infinity
        }
        continue
      }
      let ulp = Double(Swift.max(rounded.magnitude.ulp, Float.leastNonzeroMagnitude))
      let error = Swift.abs(Double(y) - exact) / ulp
      if error > worst { worst = error }
    }
    return worst
  }

  /// Dense sweep of [low, high] plus `extra` points.
  private func sweep(_ low: Float, _ high: Float, count: Int = 200_000, extra: [Float] = []) -> [Float] {
    (0..<count).map { low + (high - low) * Float($0) / Float(count - 1) } + extra
  }

  private let specials: [Float] = [
    0, -0, .infinity, -.infinity, .nan, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
    .leastNormalMagnitude, -.leastNormalMagnitude, .leastNormalMagnitude / 3, -.leastNormalMagnitude / 3, .greatestFiniteMagnitude,
    -.greatestFiniteMagnitude, 1, -1,
  ]

  func testExpWithinFewULP() {
    let xs = sweep(-110, 95, extra: specials + sweep(-1e-3, 1e-3, count: 10_000))
    for (name, kernel) in kernels(meta_vexp_avx512, meta_vexp_avx2, meta_vexp_generic) {
      let error = maxULPError(xs, run(kernel, xs), Foundation.exp, "exp/\(name)")
      print("exp/\(name): max error \(error) ULP")
      XCTAssertLessThanOrEqual(error, 3, "exp/\(name)")
    }
  }

  func testTanhWithinFewULP() {
    let xs = sweep(-20, 20, extra: specials + sweep(-0.7, 0.7, count: 100_000))
    for (name, kernel) in kernels(meta_vtanh_avx512, meta_vtanh_avx2, meta_vtanh_generic) {
      let error = maxULPError(xs, run(kernel, xs), Foundation.tanh, "tanh/\(name)")
      print("tanh/\(name): max error \(error) ULP")
      XCTAssertLessThanOrEqual(error, 4, "tanh/\(name)")
    }
  }

  func testSigmoidWithinFewULP() {
    let xs = sweep(-110, 40, extra: specials)
    for (name, kernel) in kernels(meta_vsigmoid_avx512, meta_vsigmoid_avx2, meta_vsigmoid_generic) {
      let error = maxULPError(xs, run(kernel, xs), { 1 / (1 + Foundation.exp(-$0)) }, "sigmoid/\(name)")
      print("sigmoid/\(name): max error \(error) ULP")
      XCTAssertLessThanOrEqual(error, 4, "sigmoid/\(name)")
    }
  }

  func testLogWithinFewULPOverEveryExponent() {
    // Every binade from the least subnormal to the largest float, densely near 1.
    var xs = specials + sweep(0.5, 2, count: 100_000) + [-1, -.infinity]
    var rng = TestRNG(42)
    for _ in 0..<200_000 { xs.append(Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()) & 0x7F7F_FFFF)) }
    for (name, kernel) in kernels(meta_vlog_avx512, meta_vlog_avx2, meta_vlog_generic) {
      let error = maxULPError(xs, run(kernel, xs), Foundation.log, "log/\(name)")
      print("log/\(name): max error \(error) ULP")
      XCTAssertLessThanOrEqual(error, 3, "log/\(name)")
    }
  }

  func testTensorOpsMatchKernelsOnStridedAndLargeInputs() throws {
    var rng = TestRNG(7)
    let x = try rng.tensor([37, 29], -6, 6)
    let t = try x.transpose(0, 1)  // not contiguous: copied before the kernel
    XCTAssertFalse(t.isContiguous)
    let dense = try Tensor(shape: t.shape, scalars: t.scalars)
    XCTAssertEqual(try t.tanh().scalars, try dense.tanh().scalars)
    XCTAssertEqual(try t.exp().scalars, try dense.exp().scalars)
    // Above the parallel threshold, 1 and 2 threads give identical results.
    let big = try rng.tensor([parallelElementThreshold + 1000], -5, 5)
    let saved = ThreadPool.maxThreads
    defer { ThreadPool.maxThreads = saved }
    ThreadPool.maxThreads = 1
    let one = [try big.exp().scalars, try big.sigmoid().scalars, try (big * big + big).scalars]
    ThreadPool.maxThreads = 2
    let two = [try big.exp().scalars, try big.sigmoid().scalars, try (big * big + big).scalars]
    XCTAssertEqual(one, two)
    let xs = big.scalars
    XCTAssertEqual(one[2], xs.map { $0 * $0 + $0 })
  }
}
