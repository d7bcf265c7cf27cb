import XCTest
@testable import MetaTensor

final class RandomTests: XCTestCase {
  // Expected numbers below were printed by an independent Python reference of
  // SplitMix64 + xoshiro256** written from the published algorithms (arbitrary-
  // precision ints masked to 64 bits; Box-Muller with math.log/cos/sin and
  // numpy.float32 rounding), not by this implementation.

  func testKnownFirstOutputs() {
    var r0 = RandomState(seed: 0)
    XCTAssertEqual((0..<4).map { _ in r0.nextUInt64() },
                   [0x99ec_5f36_cb75_f2b4, 0xbf6e_1f78_4956_452a, 0x1a5f_849d_4933_e6e0, 0x6aa5_94f1_262d_2d2c])
    var r42 = RandomState(seed: 42)
    XCTAssertEqual((0..<4).map { _ in r42.nextUInt64() },
                   [0x1578_0b2e_0c2e_c716, 0x6104_d986_6d11_3a7e, 0xae17_5332_39e4_99a1, 0xecb8_ad47_03b3_60a1])
  }

  func testKnownDerivedOutputs() {
    var r = RandomState(seed: 42)
    XCTAssertEqual((0..<8).map { _ in r.below(10) }, [0, 3, 6, 9, 9, 7, 7, 8])
    XCTAssertEqual((0..<3).map { _ in r.below(1_000_003) }, [761_376, 583_351, 682_454])

    var d = RandomState(seed: 7)
    XCTAssertEqual((0..<3).map { _ in d.uniformDouble() },
                   [0.7005764821796896, 0.2787512294737843, 0.8396274618764198])

    var u = RandomState(seed: 5)
    XCTAssertEqual(u.uniform(count: 4, low: -1, high: 2),
                   [-0.13476631045341492, 0.8062469959259033, 0.9486401677131653, 1.4646507501602173])

    var n = RandomState(seed: 3)
    XCTAssertEqual(n.normal(count: 4, mean: 1, std: 2).map(\.bitPattern),
                   [3_211_900_925, 3_215_921_325, 3_200_143_028, 1_060_366_574])
  }

  func testDeterminismAndSeedsDiffer() {
    var a = RandomState(seed: 123), b = RandomState(seed: 123), c = RandomState(seed: 124)
    let xa = (0..<100).map { _ in a.nextUInt64() }
    XCTAssertEqual(xa, (0..<100).map { _ in b.nextUInt64() })
    XCTAssertNotEqual(xa, (0..<100).map { _ in c.nextUInt64() })
    // Copying forks the stream.
    var fork = a
    XCTAssertEqual(fork.normal(count: 5, mean: 0, std: 1), a.normal(count: 5, mean: 0, std: 1))
  }

  func testUniformMomentsAndBounds() {
    var r = RandomState(seed: 9)
    let n = 200_000
    let xs = r.uniform(count: n, low: -2, high: 6)
    XCTAssertTrue(xs.allSatisfy { $0 >= -2 && $0 < 6 })
    let mean = xs.reduce(0.0) { $0 + Double($1) } / Double(n)
    let variance = xs.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(n)
    // Uniform(-2, 6): mean 2, variance 64/12; standard error of the mean ~0.0052.
    XCTAssertEqual(mean, 2, accuracy: 0.03)
    XCTAssertEqual(variance, 64.0 / 12.0, accuracy: 0.06)
    XCTAssertEqual(r.uniform(count: 0, low: 0, high: 1), [])
    XCTAssertEqual(r.uniform(count: 3, low: 1, high: 1), [1, 1, 1])
    // A degenerate narrow interval must never return `high`.
    let tight = r.uniform(count: 1000, low: 1, high: Float(1).nextUp)
    XCTAssertTrue(tight.allSatisfy { $0 == 1 })
  }

  func testNormalMoments() {
    var r = RandomState(seed: 11)
    let n = 200_001  // odd: the last pair contributes one sample
    let xs = r.normal(count: n, mean: 3, std: 0.5)
    XCTAssertEqual(xs.count, n)
    let mean = xs.reduce(0.0) { $0 + Double($1) } / Double(n)
    let m2 = xs.reduce(0.0) { $0 + pow(Double($1) - mean, 2) } / Double(n)
    let m4 = xs.reduce(0.0) { $0 + pow(Double($1) - mean, 4) } / Double(n)
    XCTAssertEqual(mean, 3, accuracy: 0.01)          // s.e. ~0.0011
    XCTAssertEqual(m2.squareRoot(), 0.5, accuracy: 0.01)
    XCTAssertEqual(m4 / (m2 * m2), 3, accuracy: 0.1)  // kurtosis of a normal
    let within1 = Double(xs.filter { abs($0 - 3) < 0.5 }.count) / Double(n)
    XCTAssertEqual(within1, 0.6827, accuracy: 0.01)
    XCTAssertTrue(xs.allSatisfy { $0.isFinite })
  }

  func testBelowBoundsAndUnbiased() {
    var r = RandomState(seed: 1)
    XCTAssertEqual(r.below(0), 0)
    XCTAssertEqual(r.below(-5), 0)
    XCTAssertEqual(r.below(1), 0)
    XCTAssertTrue((0..<1000).allSatisfy { _ in (0..<Int.max).contains(r.below(Int.max)) })
    // Chi-square over 7 buckets (not a power of two), 70 000 draws.
    var counts = [Int](repeating: 0, count: 7)
    for _ in 0..<70_000 { counts[r.below(7)] += 1 }
    let chi2 = counts.reduce(0.0) { $0 + pow(Double($1) - 10_000, 2) / 10_000 }
    XCTAssertLessThan(chi2, 22.5)  // p = 0.001 critical value for 6 degrees of freedom
    // For n = 3 * 2^61 a plain `x % n` would return values below 2^62 three
    // times as often as the rest (P(lower half) = 0.625). Check the halves balance.
    let big = 3 << 61
    var upper = 0
    for _ in 0..<20_000 where r.below(big) >= big / 2 { upper += 1 }
    XCTAssertEqual(Double(upper) / 20_000, 0.5, accuracy: 0.02)
  }

  func testShuffleIsPermutationAndUniform() {
    var r = RandomState(seed: 4)
    var xs = Array(0..<50)
    r.shuffle(&xs)
    XCTAssertEqual(xs.sorted(), Array(0..<50))
    XCTAssertNotEqual(xs, Array(0..<50))
    var empty = [Int]()
    r.shuffle(&empty)
    XCTAssertEqual(empty, [])
    // Each of the 6 orders of 3 items about equally often.
    var seen = [[Int]: Int]()
    for _ in 0..<60_000 {
      var t = [0, 1, 2]
      r.shuffle(&t)
      seen[t, default: 0] += 1
    }
    XCTAssertEqual(seen.count, 6)
    XCTAssertTrue(seen.values.allSatisfy { abs($0 - 10_000) < 500 })
  }

  func testSampleDistinctAndClamped() {
    var r = RandomState(seed: 8)
    let s = r.sample(100, from: 1_000_000_000)
    XCTAssertEqual(s.count, 100)
    XCTAssertEqual(Set(s).count, 100)
    XCTAssertTrue(s.allSatisfy { (0..<1_000_000_000).contains($0) })
    XCTAssertEqual(r.sample(10, from: 10).sorted(), Array(0..<10))
    XCTAssertEqual(r.sample(20, from: 5).sorted(), Array(0..<5))
    XCTAssertEqual(r.sample(-1, from: 5), [])
    XCTAssertEqual(r.sample(3, from: -4), [])
    // Every index equally likely to be chosen (2 of 5, 50 000 times).
    var counts = [Int](repeating: 0, count: 5)
    for _ in 0..<50_000 { for i in r.sample(2, from: 5) { counts[i] += 1 } }
    XCTAssertTrue(counts.allSatisfy { abs($0 - 20_000) < 600 })
  }
}
