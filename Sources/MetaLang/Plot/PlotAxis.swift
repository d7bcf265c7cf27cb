// Axis ranges with "nice" tick values (1, 2 or 5 times a power of ten) and their labels.

import Foundation

/// One axis: the data range it spans and the ticks to label.
struct PlotAxis: Equatable {
  var lo: Double
  var hi: Double
  var ticks: [Double]
  var labels: [String]

  /// Fraction of the way from `lo` to `hi`.
  func fraction(_ v: Double) -> Double { (v - lo) / (hi - lo) }

  /// A linear axis covering `[min, max]`, widened to whole tick steps.
  static func linear(min: Double, max: Double, target: Int = 5) -> PlotAxis {
    var (a, b) = (min, max)
    if !(b > a) {
      // One value: a small range around it.
      let pad = a == 0 ? 1 : a.magnitude * 0.1
      (a, b) = (a - pad, b + pad)
    }
    let step = niceStep((b - a) / Double(target))
    let first = (a / step).rounded(.down)
    let last = (b / step).rounded(.up)
    // The step can be below the values' precision (1e15 and 1e15 + 0.001): no ticks then.
    guard step.isFinite, step > 0, last - first <= 4 * Double(target), a + step > a else {
      return PlotAxis(lo: a, hi: b, ticks: [], labels: [])
    }
    let ticks = stride(from: first, through: last, by: 1).map { $0 * step }
    let decimals = Swift.max(0, -Int((log10(step)).rounded(.down)))
    let exponential = Swift.max(ticks.first.map(abs) ?? 0, ticks.last.map(abs) ?? 0) >= 1e6 || step < 1e-4
    let labels = ticks.map { exponential ? exponentLabel($0) : fixedLabel($0, decimals: decimals) }
    return PlotAxis(lo: first * step, hi: last * step, ticks: ticks, labels: labels)
  }

  /// An axis over log10 values: whole decades, labelled as the powers of ten.
  static func logarithmic(minLog: Double, maxLog: Double) -> PlotAxis {
    var lo = minLog.rounded(.down)
    var hi = maxLog.rounded(.up)
    if hi <= lo { hi = lo + 1 }
    if !(lo.magnitude < 400 && hi.magnitude < 400) { (lo, hi) = (Swift.max(lo, -400), Swift.min(hi, 400)) }
    let every = Swift.max(1, ((hi - lo) / 10).rounded(.up))
    var ticks = [Double]()
    var labels = [String]()
    for k in stride(from: lo, through: hi, by: every) {
      ticks.append(k)
      labels.append(powerOfTenLabel(Int(k)))
      // Two decades or fewer: also 2 and 5 times each power, or the axis says too little.
      guard hi - lo <= 2, k < hi else { continue }
      for m in [2.0, 5.0] {
        ticks.append(k + log10(m))
        labels.append(exponentLabel(m * pow(10, k)))
      }
    }
    return PlotAxis(lo: lo, hi: hi, ticks: ticks, labels: labels)
  }

  /// 1, 2 or 5 times a power of ten, at least `raw`.
  static func niceStep(_ raw: Double) -> Double {
    guard raw > 0, raw.isFinite else { return 1 }
    let magnitude = pow(10, log10(raw).rounded(.down))
    let f = raw / magnitude
    let nice: Double = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10
    return nice * magnitude
  }

  static func fixedLabel(_ v: Double, decimals: Int) -> String {
    let text = String(format: "%.\(Swift.min(decimals, 15))f", v)
    // No "-0" or "-0.00" for a tick that is zero up to rounding.
    if text.hasPrefix("-"), text.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) { return String(text.dropFirst()) }
    return text
  }

  static func exponentLabel(_ v: Double) -> String {
    if v == 0 { return "0" }
    let text = String(format: "%.3g", v)
    return text.replacingOccurrences(of: "e+0", with: "e").replacingOccurrences(of: "e+", with: "e")
      .replacingOccurrences(of: "e-0", with: "e-")
  }

  /// `0.001`, `1`, `100` for nearby decades, `1e-06`-style beyond.
  static func powerOfTenLabel(_ k: Int) -> String {
    if k >= 0, k <= 5 { return "1" + String(repeating: "0", count: k) }
    if k < 0, k >= -4 { return "0." + String(repeating: "0", count: -k - 1) + "1" }
    return "1e\(k)"
  }
}
