#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A reproducible pseudo-random stream: xoshiro256** (Blackman & Vigna), with
/// its 256-bit state filled from the seed by SplitMix64.
///
/// Every step uses explicit wrapping integer arithmetic and the conversions to
/// floating point are exact or correctly rounded, so a seed yields the same
/// numbers on every machine, build mode and thread count. A value type: copying
/// a state forks the stream (both copies then produce the same numbers).
public struct RandomState: Sendable, Equatable {
  private var s0: UInt64
  private var s1: UInt64
  private var s2: UInt64
  private var s3: UInt64

  /// A stream determined entirely by `seed`.
  public init(seed: UInt64) {
    var sm = seed
    // SplitMix64 never yields four zero words in a row, so the state is valid.
    func splitMix() -> UInt64 {
      sm = sm &+ 0x9E37_79B9_7F4A_7C15
      var z = sm
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    s0 = splitMix()
    s1 = splitMix()
    s2 = splitMix()
    s3 = splitMix()
  }

  /// The four state words, to save a stream and resume it exactly.
  public var words: [UInt64] { [s0, s1, s2, s3] }

  /// The stream `words` (from `words` of another stream) continues; nil for
  /// anything but four words, not all zero (xoshiro's one invalid state).
  public init?(words: [UInt64]) {
    guard words.count == 4, words.contains(where: { $0 != 0 }) else { return nil }
    (s0, s1, s2, s3) = (words[0], words[1], words[2], words[3])
  }

  @inline(__always)
  private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 &- k)) }

  /// The next 64 uniformly distributed bits.
  public mutating func nextUInt64() -> UInt64 {
    let result = Self.rotl(s1 &* 5, 7) &* 9
    let t = s1 << 17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = Self.rotl(s3, 45)
    return result
  }

  /// A uniform integer in `0..<n` without modulo bias (Lemire's multiply-and-reject);
  /// 0 when `n <= 0`.
  public mutating func below(_ n: Int) -> Int {
    guard n > 1 else { return 0 }
    let bound = UInt64(n)
    var product = nextUInt64().multipliedFullWidth(by: bound)
    if product.low < bound {
      // Reject the few low words that would over-represent some results.
      let threshold = (0 &- bound) % bound
      while product.low < threshold {
        product = nextUInt64().multipliedFullWidth(by: bound)
      }
    }
    return Int(product.high)  // < bound <= Int.max
  }

  /// A uniform Double in `[0, 1)` with 53 random bits.
  public mutating func uniformDouble() -> Double {
    Double(nextUInt64() >> 11) * 0x1p-53
  }

  /// `count` Float32 values uniform in `[low, high)` (all equal to `low` when
  /// `high <= low`); an empty array when `count <= 0`.
  public mutating func uniform(count: Int, low: Float, high: Float) -> [Float] {
    guard count > 0 else { return [] }
    let lo = Double(low), width = Double(high) - Double(low)
    var out = [Float]()
    out.reserveCapacity(count)
    for _ in 0..<count {
      var x = Float(lo + width * uniformDouble())
      // Rounding to Float32 can land exactly on `high`; keep the interval half-open.
      if x >= high && high > low { x = high.nextDown }
      out.append(x)
    }
    return out
  }

  /// `count` Float32 samples of a normal distribution, by the Box-Muller
  /// transform in Double (each pair of uniforms gives two samples).
  public mutating func normal(count: Int, mean: Float, std: Float) -> [Float] {
    guard count > 0 else { return [] }
    var out = [Float]()
    out.reserveCapacity(count)
    let mu = Double(mean), sigma = Double(std)
    while out.count < count {
      // 1 - u lies in (0, 1], so the logarithm is finite.
      let u1 = 1.0 - uniformDouble()
      let u2 = uniformDouble()
      let r = (-2.0 * log(u1)).squareRoot()
      let theta = 2.0 * Double.pi * u2
      out.append(Float(mu + sigma * r * cos(theta)))
      if out.count < count { out.append(Float(mu + sigma * r * sin(theta))) }
    }
    return out
  }

  /// Shuffles `xs` in place (Fisher-Yates); every permutation is equally likely.
  /// Any random-access collection: an array, or a tensor's buffer as it is filled.
  public mutating func shuffle<C: MutableCollection & RandomAccessCollection>(_ xs: inout C) {
    guard xs.count > 1 else { return }
    for i in stride(from: xs.count - 1, to: 0, by: -1) {
      let j = below(i + 1)
      if i != j { xs.swapAt(xs.index(xs.startIndex, offsetBy: i), xs.index(xs.startIndex, offsetBy: j)) }
    }
  }

  /// `n` distinct indices from `0..<count` in random order, uniformly among all
  /// such ordered selections. `n` is clamped to `0...count` (count < 0 counts as 0).
  public mutating func sample(_ n: Int, from count: Int) -> [Int] {
    let total = max(count, 0)
    let k = min(max(n, 0), total)
    // A partial Fisher-Yates over the virtual array 0..<total; only the
    // displaced entries are stored, so memory is O(k) however large `total` is.
    var displaced = [Int: Int]()
    var out = [Int]()
    out.reserveCapacity(k)
    for i in 0..<k {
      let j = i + below(total - i)
      let atJ = displaced[j] ?? j
      let atI = displaced[i] ?? i
      displaced[j] = atI
      out.append(atJ)
    }
    return out
  }
}
