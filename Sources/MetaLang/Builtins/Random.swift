// The interpreter's random stream: MetaTensor's `RandomState` (xoshiro256**,
// seeded through SplitMix64), so `random()`, `randint` and the tensor
// initializers (`randn`, `rand`) all draw from ONE reproducible stream.

import MetaTensor

/// A seedable pseudo-random stream shared by everything one interpreter runs.
public final class RandomStream {
  private var current: RandomState

  /// The seed used when none is given, so runs are reproducible by default.
  public static let defaultSeed: UInt64 = 0x5EED_3E7A

  public init(seed: UInt64 = RandomStream.defaultSeed) { current = RandomState(seed: seed) }

  /// Restarts the stream: the same seed gives the same sequence.
  public func seed(_ seed: UInt64) { current = RandomState(seed: seed) }

  /// Where the stream is: set it back to continue from there exactly (a
  /// checkpoint holds it so a resumed run draws what an uninterrupted one would).
  public var state: RandomState {
    get { current }
    set { current = newValue }
  }

  /// The next 64 random bits.
  public func next() -> UInt64 { current.nextUInt64() }

  /// Uniform in [0, 1), with 53 random bits.
  public func nextDouble() -> Double { current.uniformDouble() }

  /// Uniform in `range` (inclusive), without modulo bias.
  public func nextInt(in range: ClosedRange<Int>) -> Int {
    let span = UInt64(bitPattern: Int64(range.upperBound &- range.lowerBound))
    if span == UInt64.max { return Int(Int64(bitPattern: next())) }
    if span < UInt64(Int.max) { return range.lowerBound &+ current.below(Int(span) + 1) }
    // Spans wider than Int.max: reject draws beyond the largest multiple of the span.
    let n = span + 1
    let limit = UInt64.max - UInt64.max % n
    var r = next()
    while r >= limit { r = next() }
    return range.lowerBound &+ Int(Int64(bitPattern: r % n))
  }

  /// Runs `body` with the underlying state, e.g. to fill a tensor from this stream.
  public func withState<R>(_ body: (inout RandomState) throws -> R) rethrows -> R {
    try body(&current)
  }
}
