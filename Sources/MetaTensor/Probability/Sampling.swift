/// Random sampling beyond `rand` and `randn`: integers, permutations,
/// Bernoulli draws, reparameterized normal samples and categorical draws.
/// Every draw comes from the caller's `RandomState`, so one seed reproduces a
/// run; elements are drawn in row-major order. Index-valued results
/// (`randint`, `permutation`, `categorical`) are int64.

import Foundation

extension Tensor {
  /// Integers uniform in `low..<high` (PyTorch's `randint`: `high` excluded), int64.
  public static func randint(_ low: Int, _ high: Int, shape: [Int], using rng: inout RandomState) throws -> Tensor {
    guard low < high else { throw TensorError("randint: low (\(low)) must be less than high (\(high))") }
    let (width, overflow) = high.subtractingReportingOverflow(low)
    guard !overflow else { throw TensorError("randint: the range \(low)..<\(high) is wider than Int") }
    _ = try checkedCount(shape, op: "randint")
    return try make(shape, of: Int64.self) { out in
      for i in 0..<out.count { out[i] = Int64(low &+ rng.below(width)) }
    }
  }

  /// `0, 1, ..., n - 1` in a uniformly random order (Fisher-Yates), int64.
  public static func permutation(_ n: Int, using rng: inout RandomState) throws -> Tensor {
    guard n >= 0 else { throw TensorError("permutation: n must not be negative (got \(n))") }
    _ = try checkedCount([n], op: "permutation")
    return try make([n], of: Int64.self) { out in
      for i in 0..<n { out[i] = Int64(i) }
      var order = out
      rng.shuffle(&order)
    }
  }

  /// 1 with probability `p`, else 0, independently for every element of `p`
  /// (PyTorch's `bernoulli`). A constant: no gradient flows to `p`.
  /// Probabilities outside [0, 1], NaN included, are an error.
  public static func bernoulli(_ p: Tensor, using rng: inout RandomState) throws -> Tensor {
    try p.withContiguousBuffer(op: "bernoulli") { probabilities in
      for (i, v) in probabilities.enumerated() where !(v >= 0 && v <= 1) {
        throw TensorError("bernoulli: probability \(v) at position \(i) is not in [0, 1]")
      }
      return try make(p.shape) { out in
        for i in 0..<out.count { out[i] = rng.uniformDouble() < Double(probabilities[i]) ? 1 : 0 }
      }
    }
  }

  /// `mean + std * eps` with `eps` standard normal (the reparameterized sample):
  /// differentiable in `mean` and `std`. The result has the broadcast shape of
  /// `mean` and `std`, or `shape` when given (they must broadcast to it).
  /// A negative `std` is an error; NaN in either parameter gives NaN samples.
  public static func normal(mean: Tensor, std: Tensor, shape: [Int]? = nil, using rng: inout RandomState) throws -> Tensor {
    var target = try broadcastShapes(mean.shape, std.shape, op: "normal")
    if let shape {
      _ = try checkedCount(shape, op: "normal")
      guard (try? broadcastShapes(target, shape, op: "normal")) == shape else {
        throw TensorError("normal: mean \(shapeText(mean.shape)) and std \(shapeText(std.shape)) do not broadcast to shape \(shapeText(shape))")
      }
      target = shape
    }
    try std.withContiguousBuffer(op: "normal") { values in
      for (i, v) in values.enumerated() where v < 0 {
        throw TensorError("normal: std must not be negative (got \(v) at position \(i))")
      }
    }
    return try mean + std * standardNormal(target, using: &rng)
  }

  /// Standard normal samples, the same numbers `rng.normal(count:)` gives, drawn
  /// in chunks straight into the tensor (no second array of the full size).
  static func standardNormal(_ shape: [Int], using rng: inout RandomState) throws -> Tensor {
    _ = try checkedCount(shape, op: "normal")
    return try make(shape) { out in
      var i = 0
      while i < out.count {
        // An even chunk ends on a whole Box-Muller pair, so the stream is the one-call stream.
        let chunk = rng.normal(count: Swift.min(4096, out.count - i), mean: 0, std: 1)
        for (k, v) in chunk.enumerated() { out[i + k] = v }
        i += chunk.count
      }
    }
  }

  /// Class indices drawn from the categorical distributions along the last
  /// axis of `probs` (non-negative weights, normalized per row, as PyTorch's
  /// `multinomial` with replacement). The result has the batch shape (all axes
  /// but the last), with a trailing axis of `samples` draws per row when given.
  public static func categorical(probs: Tensor, samples: Int? = nil, using rng: inout RandomState) throws -> Tensor {
    try categorical(probs, samples: samples, rng: &rng) { row, r in
      for (k, v) in row.enumerated() where !(v >= 0 && v < .infinity) {
        throw TensorError("categorical: probability \(v) in row \(r), class \(k) is not a finite non-negative number")
      }
      return row.map { Double($0) }
    }
  }

  /// As `categorical(probs:)` with unnormalized log-probabilities: a row's
  /// weights are `exp(logits - max)`. `-inf` rules a class out; NaN, `+inf` or
  /// a row of only `-inf` is an error.
  public static func categorical(logits: Tensor, samples: Int? = nil, using rng: inout RandomState) throws -> Tensor {
    try categorical(logits, samples: samples, rng: &rng) { row, r in
      var top = -Double.infinity
      for (k, v) in row.enumerated() {
        guard !v.isNaN, v < .infinity else {
          throw TensorError("categorical: logit \(v) in row \(r), class \(k) is not finite or -inf")
        }
        top = Swift.max(top, Double(v))
      }
      guard top > -.infinity else { throw TensorError("categorical: every logit of row \(r) is -inf") }
      return row.map { Foundation.exp(Double($0) - top) }
    }
  }

  /// The draws shared by both forms: `weights` turns one row into
  /// non-negative weights (throwing for invalid ones).
  private static func categorical(
    _ table: Tensor, samples: Int?, rng: inout RandomState,
    weights: ([Float], Int) throws -> [Double]
  ) throws -> Tensor {
    guard let classes = table.shape.last else {
      throw TensorError("categorical: the probabilities need a class axis (got a 0-d tensor)")
    }
    guard classes >= 1 else { throw TensorError("categorical: there are no classes (shape \(shapeText(table.shape)))") }
    if let samples, samples < 0 { throw TensorError("categorical: the number of samples must not be negative (got \(samples))") }
    let batch = Array(table.shape.dropLast())
    let outShape = batch + (samples.map { [$0] } ?? [])
    _ = try checkedCount(outShape, op: "categorical")
    let perRow = samples ?? 1
    return try table.withContiguousBuffer(op: "categorical") { values in
      try make(outShape, of: Int64.self) { out in
        var cumulative = [Double](repeating: 0, count: classes)
        for r in 0..<(values.count / classes) {
          let w = try weights(Array(values[(r * classes)..<((r + 1) * classes)]), r)
          var total = 0.0
          for k in 0..<classes {
            total += w[k]
            cumulative[k] = total
          }
          guard total > 0, total.isFinite else {
            throw TensorError("categorical: row \(r) has no class with positive probability")
          }
          // The last class with positive weight: where a draw rounding up to the total lands.
          let last = w.lastIndex { $0 > 0 } ?? classes - 1
          for j in 0..<perRow {
            out[r * perRow + j] = Int64(drawIndex(cumulative, total * rng.uniformDouble(), last))
          }
        }
      }
    }
  }

  /// The first class whose cumulative weight exceeds `u` (so a zero-weight
  /// class is never chosen), by binary search; `last` when none does.
  private static func drawIndex(_ cumulative: [Double], _ u: Double, _ last: Int) -> Int {
    var lo = 0, hi = cumulative.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if cumulative[mid] > u { hi = mid } else { lo = mid + 1 }
    }
    return lo < cumulative.count ? lo : last
  }
}
