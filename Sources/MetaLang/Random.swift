// The interpreter's random stream: small, fast and reproducible (xoshiro256**,
// seeded through SplitMix64). One per interpreter; tensors draw from it too.

/// A seedable pseudo-random stream shared by everything one interpreter runs.
public final class RandomStream {
  private var s0: UInt64 = 0, s1: UInt64 = 0, s2: UInt64 = 0, s3: UInt64 = 0

  /// The seed used when none is given, so runs are reproducible by default.
  public static let defaultSeed: UInt64 = 0x5EED_3E7A

  public init(seed: UInt64 = RandomStream.defaultSeed) { self.seed(seed) }

  /// Restarts the stream: the same seed gives the same sequence.
  public func seed(_ seed: UInt64) {
    var x = seed
    func splitmix() -> UInt64 {
      x &+= 0x9E37_79B9_7F4A_7C15
      var z = x
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    s0 = splitmix(); s1 = splitmix(); s2 = splitmix(); s3 = splitmix()
  }

  /// The next 64 random bits.
  public func next() -> UInt64 {
    let result = rotl(s1 &* 5, 7) &* 9
    let t = s1 << 17
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
    s2 ^= t
    s3 = rotl(s3, 45)
    return result
  }

  /// Uniform in [0, 1), with 53 random bits.
  public func nextDouble() -> Double {
    Double(next() >> 11) * 0x1.0p-53
  }

  /// Uniform in `range` (inclusive), without modulo bias.
  public func nextInt(in range: ClosedRange<Int>) -> Int {
    let span = UInt64(bitPattern: Int64(range.upperBound &- range.lowerBound))
    if span == UInt64.max { return Int(Int64(bitPattern: next())) }
    let n = span + 1
    let limit = UInt64.max - UInt64.max % n
    var r = next()
    while r >= limit { r = next() }
    return range.lowerBound &+ Int(Int64(bitPattern: r % n))
  }

  @inline(__always) private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}
