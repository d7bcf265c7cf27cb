// Summary statistics for evaluation results: mean accuracy over episodes with
// the 95% confidence interval that few-shot papers report.

import MetaTensor

/// Mean, sample standard deviation and normal-approximation 95% interval of a sample.
struct SampleSummary: Equatable {
  var mean: Double
  var std: Double
  var ci95: Double
  var n: Int

  /// `std` uses the n−1 denominator; `ci95` = 1.96·std/√n (both 0 for a single value).
  /// Nil for an empty sample.
  init?(_ values: [Double]) {
    guard !values.isEmpty else { return nil }
    n = values.count
    // Two passes: the textbook one-pass formula loses digits when the mean is large.
    mean = values.reduce(0, +) / Double(n)
    if n > 1 {
      let m = mean
      let squares = values.reduce(0) { $0 + ($1 - m) * ($1 - m) }
      std = (squares / Double(n - 1)).squareRoot()
      ci95 = 1.96 * std / Double(n).squareRoot()
    } else {
      std = 0
      ci95 = 0
    }
  }
}

enum Stats {
  /// The numbers of a List of Ints/Floats or a Tensor with one non-trivial axis.
  /// `what` names the argument in errors; with `gaps`, nil elements become NaN
  /// (`plot` draws them as breaks in a line).
  static func numbers(_ v: Value, function: String, what: String, gaps: Bool = false) throws -> [Double] {
    switch v {
    case .list(let items):
      return try items.enumerated().map { i, item in
        switch item {
        case .int(let x): return Double(x)
        case .float(let x): return x
        case .nil_ where gaps: return .nan
        default:
          throw BuiltinError("\(function): \(what)[\(i)] is \(withArticle(item.typeName)), expected a number")
        }
      }
    case .native(let o as Tensor):
      guard o.shape.filter({ $0 != 1 }).count <= 1 else {
        throw BuiltinError("\(function): \(what) must be a 1-D tensor (got shape \(o.shape))")
      }
      return o.scalars.map(Double.init)
    default:
      throw BuiltinError(
        "\(function): \(what) must be a List of numbers or a 1-D Tensor (got \(withArticle(v.typeName)))")
    }
  }

  /// `ci95(values)` → `{mean, ci95, std, n}`.
  static func ci95(_ v: Value) throws -> Value {
    let values = try numbers(v, function: "ci95", what: "values")
    guard let s = SampleSummary(values) else { throw BuiltinError("ci95: no values (need at least one)") }
    return .record(Record([("mean", .float(s.mean)), ("ci95", .float(s.ci95)), ("std", .float(s.std)), ("n", .int(s.n))]))
  }
}
