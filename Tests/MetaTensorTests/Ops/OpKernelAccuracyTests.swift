import Foundation
import XCTest
@testable import MetaTensor

/// The vector kernels of the op set against double-precision references over
/// dense sweeps, with their special values (±0, ±inf, NaN, tiny, huge).
final class OpKernelAccuracyTests: XCTestCase {
  /// Inputs spread over [-limit, limit] (denser near 0), plus special values.
  func sweep(_ limit: Float) -> [Float] {
    var xs: [Float] = []
    for i in -4000...4000 {
      let u = Double(i) / 4000
      xs.append(Float(u * u * u * Double(limit)))
    }
    return xs + [0, -0.0, 1e-30, -1e-30, 1e-8, -1e-8, 1e-4, -1e-4]
  }

  /// Largest error of `f` against `reference`, in units of the float spacing
  /// at the reference value (an absolute floor `floor` for values near 0).
  func maxError(_ xs: [Float], _ f: (Tensor) throws -> Tensor, _ reference: (Double) -> Double,
                floor: Double = 0) throws -> Double {
    let ys = try f(Tensor(shape: [xs.count], scalars: xs)).scalars
    var worst = 0.0
    for (x, y) in zip(xs, ys) {
      let r = reference(Double(x))
      guard r.isFinite else {
        XCTAssertTrue(Double(y) == r || (r.isNaN && y.isNaN), "f(\(x)) = \(y), expected \(r)")
        continue
      }
      let ulp = Swift.max(Double(Float(r).ulp), floor)
      worst = Swift.max(worst, Swift.abs(Double(y) - r) / ulp)
    }
    return worst
  }

  func testElementwiseKernelsWithinAFewUlps() throws {
    let wide = sweep(90), moderate = sweep(12)
    XCTAssertLessThan(try maxError(sweep(1e6).map(Swift.abs) + [-0.5, -0.99, -1e-7], { try $0.log1p() }, Foundation.log1p), 2)
    XCTAssertLessThan(try maxError(wide, { try $0.expm1() }, Foundation.expm1), 2)
    XCTAssertLessThan(try maxError(moderate, { try $0.erf() }, Foundation.erf), 4)
    XCTAssertLessThan(try maxError(moderate, { try $0.silu() }, { $0 / (1 + Foundation.exp(-$0)) }, floor: 1e-45), 4)
    XCTAssertLessThan(try maxError(moderate, { try $0.elu(alpha: 0.5) }, { $0 > 0 ? $0 : 0.5 * Foundation.expm1($0) }), 2)
    XCTAssertLessThan(try maxError(wide, { try $0.softplus() }, { $0 > 20 ? $0 : Foundation.log1p(Foundation.exp($0)) }), 3)
    // gelu: error relative to |x|·ulp(1)-sized steps of Φ near the tails.
    let gelu: (Double) -> Double = { $0 * 0.5 * Foundation.erfc(-$0 / 2.0.squareRoot()) }
    XCTAssertLessThan(try maxError(moderate, { try $0.gelu() }, gelu, floor: 1e-30), 8)
    let geluTanh: (Double) -> Double = {
      0.5 * $0 * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * ($0 + 0.044715 * $0 * $0 * $0)))
    }
    // In the negative tail the tanh form is as sensitive as e^(2u): absolute error there.
    XCTAssertLessThan(try maxError(moderate, { try $0.gelu(tanhApproximation: true) }, geluTanh, floor: 1e-7), 3)
  }

  func testAtan2AgainstLibm() throws {
    let ys = sweep(50), xs = Array(sweep(50).reversed())
    let out = try Tensor(shape: [ys.count], scalars: ys).atan2(Tensor(shape: [xs.count], scalars: xs)).scalars
    for i in ys.indices {
      let r = Foundation.atan2(Double(ys[i]), Double(xs[i]))
      XCTAssertLessThan(Swift.abs(Double(out[i]) - r) / Double(Float(r).ulp), 4, "atan2(\(ys[i]), \(xs[i]))")
    }
    let special: [(Float, Float)] = [(0, 0), (-0.0, 0), (0, -0.0), (-0.0, -0.0), (.infinity, .infinity),
                                     (-.infinity, -.infinity), (1, .infinity), (1, -.infinity), (.infinity, 1),
                                     (.nan, 1), (1, .nan), (3, -0.0), (-3, 0)]
    let a = try Tensor(shape: [special.count], scalars: special.map(\.0))
    let b = try Tensor(shape: [special.count], scalars: special.map(\.1))
    for (i, (y, x)) in special.enumerated() {
      let got = try a.atan2(b).scalars[i], want = Foundation.atan2(y, x)
      XCTAssertTrue(got == want && got.sign == want.sign || got.isNaN && want.isNaN, "atan2(\(y), \(x)) = \(got), libm \(want)")
    }
  }

  func testSpecialValues() throws {
    let special: [Float] = [.nan, .infinity, -.infinity, 0, -0.0, 1e-40, 89, 100, -104]
    let x = try Tensor(shape: [special.count], scalars: special)
    let cases: [(String, (Tensor) throws -> Tensor, (Float) -> Float)] = [
      ("log1p", { try $0.log1p() }, { Foundation.log1p($0) }),
      ("expm1", { try $0.expm1() }, { Foundation.expm1($0) }),
      ("erf", { try $0.erf() }, { Foundation.erf($0) }),
    ]
    for (name, f, reference) in cases {
      let got = try f(x).scalars
      for (i, v) in special.enumerated() {
        let want = reference(v)
        XCTAssertTrue(got[i] == want || got[i].isNaN && want.isNaN || Swift.abs(got[i] - want) <= 2 * want.ulp,
                      "\(name)(\(v)) = \(got[i]), libm \(want)")
      }
    }
  }

  func testKernelReductionsAreAccurate() throws {
    // A million 0.1s: the sums are exact to float rounding, unlike a float running sum.
    let big = try Tensor.full([1_000_000], 0.1)
    XCTAssertEqual(try big.norm().item(), Float((1_000_000 * Double(Float(0.1)) * Double(Float(0.1))).squareRoot()), accuracy: 1e-3)
    XCTAssertEqual(try big.reshape([1000, 1000]).variance(axes: [0]).max().item(), 0, accuracy: 1e-12)
    // Reducing a leading or middle axis in place agrees with the permuted path.
    var rng = TestRNG(3)
    let x = try rng.tensor([4, 5, 6])
    for axes in [[0], [1], [0, 1], [1, 2], [2], [0, 2]] {
      for (name, f) in [("prod", { (t: Tensor) in try t.prod(axes: axes) }), ("var", { try $0.variance(axes: axes, ddof: 1) }),
                        ("std", { try $0.std(axes: axes) }), ("norm", { try $0.norm(axes: axes) }),
                        ("inf-norm", { try $0.norm(p: .infinity, axes: axes) })] as [(String, (Tensor) throws -> Tensor)] {
        let direct = try f(x), viaCopy = try f(x.permute([2, 0, 1]).contiguous().permute([1, 2, 0]))
        XCTAssertClose(direct.scalars, viaCopy.scalars, tol: 1e-5, "\(name) over \(axes)")
      }
    }
    XCTAssertTrue(try Tensor(shape: [3, 2], scalars: [1, .nan, 2, 3, 4, 5]).norm(p: .infinity, axes: [0]).scalars[1].isNaN)
  }
}

import CMetaKernels

/// The AVX2 and baseline builds of each kernel agree with the one this CPU
/// runs (within FMA-contraction differences: 4 ulp, or 1e-5 relative and
/// 1e-9 absolute in the tails, where gelu's tanh form is as ill-conditioned
/// as e^(2u) and a last-bit change of u moves it by many ulp),
/// so machines without AVX-512 get the same answers.
final class OpKernelVariantTests: XCTestCase {
  typealias Unary = @convention(c) (UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int64) -> Void

  func testVariantsAgree() throws {
    var xs: [Float] = (-3000...3000).map { Float($0) / 150 }
    xs += [.nan, .infinity, -.infinity, 0, -0.0, 1e-30, 1e-8]
    let n = xs.count
    let kernels: [(String, [Unary])] = [
      ("log1p", [meta_vlog1p_avx2, meta_vlog1p_generic]), ("expm1", [meta_vexpm1_avx2, meta_vexpm1_generic]),
      ("erf", [meta_verf_avx2, meta_verf_generic]), ("gelu", [meta_vgelu_avx2, meta_vgelu_generic]),
      ("gelu_tanh", [meta_vgelu_tanh_avx2, meta_vgelu_tanh_generic]), ("silu", [meta_vsilu_avx2, meta_vsilu_generic]),
    ]
    let reference: [String: (Tensor) throws -> Tensor] = [
      "log1p": { try $0.log1p() }, "expm1": { try $0.expm1() }, "erf": { try $0.erf() }, "gelu": { try $0.gelu() },
      "gelu_tanh": { try $0.gelu(tanhApproximation: true) }, "silu": { try $0.silu() },
    ]
    let input = try Tensor(shape: [n], scalars: xs)
    for (name, variants) in kernels {
      guard let f = reference[name] else { continue }
      let want = try f(input).scalars
      for (v, kernel) in variants.enumerated() {
        var got = [Float](repeating: 0, count: n)
        xs.withUnsafeBufferPointer { x in got.withUnsafeMutableBufferPointer { y in kernel(x.baseAddress, y.baseAddress, Int64(n)) } }
        for i in 0..<n where !(got[i] == want[i] || got[i].isNaN && want[i].isNaN
                               || Swift.abs(got[i] - want[i]) <= Swift.max(4 * want[i].ulp, 1e-5 * Swift.abs(want[i]), 1e-9)) {
          XCTFail("\(name) variant \(v): f(\(xs[i])) = \(got[i]), expected \(want[i])")
          break
        }
      }
    }
    let sums = xs.filter(\.isFinite)
    let total = sums.withUnsafeBufferPointer { p in
      [meta_rsumsq_avx512, meta_rsumsq_avx2, meta_rsumsq_generic].map { $0(p.baseAddress, Int64(p.count)) }
    }
    XCTAssertEqual(total[1], total[0], accuracy: 1e-6 * total[0])
    XCTAssertEqual(total[2], total[0], accuracy: 1e-6 * total[0])
  }
}
