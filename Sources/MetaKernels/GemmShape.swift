// What a product's shape costs on the packed path, for callers that can pick
// between computing C and its transpose.

/// The fraction of the micro-kernel's work that is useful for an `m x n`
/// result: the packed path computes whole `mr x nr` register tiles, so
/// `m = 9` on a 12-row tile or `n = 9` on a 32-column tile wastes most of
/// it. Between 0 and 1 (0 for an empty result).
public func sgemmTileEfficiency(m: Int, n: Int) -> Double {
  guard m > 0, n > 0 else { return 0 }
  let k = GemmKernels.best
  return Double(m) / Double(roundUp(m, k.mr)) * Double(n) / Double(roundUp(n, k.nr))
}
