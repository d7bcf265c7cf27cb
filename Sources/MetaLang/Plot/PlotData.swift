// What `plot(...)` draws, read from its arguments: named line series, named
// scatter sets and the labels, checked and smoothed, before any layout happens.

import Foundation
import MetaTensor

/// One named set of (x, y) pairs. Non-finite values are gaps.
struct PlotSeries {
  var name: String
  var xs: [Double]
  var ys: [Double]
  /// The edges of an interval band around the line (`band:`), index by index; nil for none.
  var lower: [Double]? = nil
  var upper: [Double]? = nil
}

/// Everything a plot shows, in data coordinates (log10 of y when `logY`).
struct PlotSpec {
  var series: [PlotSeries] = []
  var scatter: [PlotSeries] = []
  var title: String?
  var xlabel: String?
  var ylabel: String?
  var logY = false
  /// A legend is drawn for named series (a Record) and for scatter sets.
  var legend = false
}

enum PlotData {
  /// The numbers of a List (nil is a gap) or of a Tensor with one non-trivial axis.
  static func numbers(_ v: Value, what: String) throws -> [Double] {
    try Stats.numbers(v, function: "plot", what: what, gaps: true)
  }

  static func string(_ v: Value?, _ label: String) throws -> String? {
    switch v {
    case nil, .nil_?: return nil
    case .string(let s)?: return s
    case let v?: throw BuiltinError("plot: \(label) must be a String (got \(withArticle(v.typeName)))")
    }
  }

  /// Reads and checks `plot`'s arguments (everything except the path).
  static func spec(data: Value, x: Value?, points: Value?, smooth: Value?, logY: Value?,
                   title: Value?, xlabel: Value?, ylabel: Value?, band: Value? = nil) throws -> PlotSpec {
    var spec = PlotSpec()
    spec.title = try string(title, "title")
    spec.xlabel = try string(xlabel, "xlabel")
    spec.ylabel = try string(ylabel, "ylabel")
    switch logY {
    case nil, .nil_?: break
    case .bool(let b)?: spec.logY = b
    case let v?: throw BuiltinError("plot: log_y must be true or false (got \(withArticle(v.typeName)))")
    }
    var width = 0
    switch smooth {
    case nil, .nil_?: break
    case .int(let n)? where n >= 0: width = n
    case let v?: throw BuiltinError("plot: smooth must be a non-negative Int (got \(v.description))")
    }

    var named: [(String, Value)]
    switch data {
    case .record(let r):
      named = Array(r.fields)
      spec.legend = true
    case .list, .native:
      named = [("data", data)]
    default:
      throw BuiltinError("plot: data must be a List, a Tensor or a Record of series (got \(withArticle(data.typeName)))")
    }
    guard !named.isEmpty else { throw BuiltinError("plot: no data to plot (empty Record)") }

    let sharedX: [Double]?
    switch x {
    case nil, .nil_?: sharedX = nil
    case let v?: sharedX = try numbers(v, what: "x")
    }
    for (name, value) in named {
      let what = spec.legend ? "series '\(name)'" : "data"
      let ys = try numbers(value, what: what)
      guard !ys.isEmpty else { throw BuiltinError("plot: no data to plot (\(what) is empty)") }
      let xs = sharedX ?? (1...ys.count).map(Double.init)
      guard xs.count == ys.count else {
        throw BuiltinError("plot: \(what) has \(ys.count) values but x has \(xs.count)")
      }
      spec.series.append(PlotSeries(name: name, xs: xs, ys: movingAverage(ys, width: width)))
    }
    try addBands(band, to: &spec, smooth: width)

    switch points {
    case nil, .nil_?: break
    case .record(let sets)?:
      for (name, set) in sets.fields {
        guard case .record(let r) = set, let px = r["x"], let py = r["y"] else {
          throw BuiltinError("plot: points.\(name) must be a Record {x: ..., y: ...}")
        }
        let xs = try numbers(px, what: "points.\(name).x")
        let ys = try numbers(py, what: "points.\(name).y")
        guard xs.count == ys.count else {
          throw BuiltinError("plot: points.\(name) has \(xs.count) x values but \(ys.count) y values")
        }
        spec.scatter.append(PlotSeries(name: name, xs: xs, ys: ys))
      }
      spec.legend = true
    case let v?:
      throw BuiltinError("plot: points must be a Record of {x:, y:} sets (got \(withArticle(v.typeName)))")
    }

    if spec.logY { try takeLogs(&spec) }
    let finite = (spec.series + spec.scatter).contains { s in zip(s.xs, s.ys).contains { $0.isFinite && $1.isFinite } }
    guard finite else { throw BuiltinError("plot: nothing to plot (every value is nan or infinite)") }
    spec.series = spec.series.map(thinned)
    return spec
  }

  /// `band:` half-widths: a List or Tensor for a single series, or a Record naming
  /// some of the series. Each band has its series' length; nan is a gap, a
  /// negative half-width an error. Smoothing applies to the band as to the line.
  private static func addBands(_ band: Value?, to spec: inout PlotSpec, smooth width: Int) throws {
    let bands: [(String, Value)]
    switch band {
    case nil, .nil_?: return
    case .record(let r)? where spec.legend:
      bands = Array(r.fields)
      let names = spec.series.map(\.name)
      for (name, _) in bands where !names.contains(name) {
        throw BuiltinError("plot: band.\(name) names no series (series: \(names.joined(separator: ", ")))")
      }
    case let v? where !spec.legend:
      if case .record = v { throw BuiltinError("plot: band is a Record but data is a single series (give a List or Tensor)") }
      bands = [("data", v)]
    case let v?:
      throw BuiltinError("plot: band must be a Record naming the series, as data is (got \(withArticle(v.typeName)))")
    }
    for (name, value) in bands {
      guard let i = spec.series.firstIndex(where: { $0.name == name }) else { continue }
      let what = spec.legend ? "band.\(name)" : "band"
      let half = movingAverage(try numbers(value, what: what), width: width)
      let ys = spec.series[i].ys
      guard half.count == ys.count else {
        throw BuiltinError("plot: \(what) has \(half.count) values but its series has \(ys.count)")
      }
      if let j = half.firstIndex(where: { $0 < 0 }) {
        throw BuiltinError("plot: \(what) holds half-widths, which cannot be negative (\(formatFloat(half[j])) at index \(j))")
      }
      spec.series[i].lower = zip(ys, half).map { $0 - $1 }
      spec.series[i].upper = zip(ys, half).map { $0 + $1 }
    }
  }

  /// Replaces y by log10(y); a non-positive value is an error (it has no place on the axis).
  private static func takeLogs(_ spec: inout PlotSpec) throws {
    func logs(_ ys: [Double], kind: String, of name: String) throws -> [Double] {
      var out = ys
      for (i, y) in ys.enumerated() where y.isFinite {
        guard y > 0 else {
          throw BuiltinError("plot: log_y needs positive values (\(kind) '\(name)' has \(formatFloat(y)) at index \(i))")
        }
        out[i] = log10(y)
      }
      return out
    }
    func logs(_ s: PlotSeries, kind: String) throws -> PlotSeries {
      var out = s
      out.ys = try logs(s.ys, kind: kind, of: s.name)
      if let lower = s.lower { out.lower = try logs(lower, kind: "the lower edge of the band of", of: s.name) }
      if let upper = s.upper { out.upper = try logs(upper, kind: "the upper edge of the band of", of: s.name) }
      return out
    }
    spec.series = try spec.series.map { try logs($0, kind: "series") }
    spec.scatter = try spec.scatter.map { try logs($0, kind: "points") }
  }

  /// The trailing mean over the last `width` values (fewer at the start), so a curve
  /// keeps its length; non-finite values are left out of the mean.
  static func movingAverage(_ ys: [Double], width: Int) -> [Double] {
    guard width > 1 else { return ys }
    var out = [Double](repeating: .nan, count: ys.count)
    var sum = 0.0
    var count = 0
    for i in ys.indices {
      if ys[i].isFinite { sum += ys[i]; count += 1 }
      if i >= width, ys[i - width].isFinite { sum -= ys[i - width]; count -= 1 }
      if count > 0 { out[i] = sum / Double(count) }
    }
    return out
  }

  /// A very long series keeps, per bucket of consecutive points, its lowest and
  /// highest point in their order: the drawn curve looks the same, the file stays small.
  static func thinned(_ s: PlotSeries) -> PlotSeries {
    let n = s.ys.count
    guard n > maxPointsPerSeries else { return s }
    let buckets = maxPointsPerSeries / 2
    var out = PlotSeries(name: s.name, xs: [], ys: [], lower: s.lower.map { _ in [] }, upper: s.upper.map { _ in [] })
    for b in 0..<buckets {
      let range = (b * n / buckets)..<((b + 1) * n / buckets)
      var lo: Int?
      var hi: Int?
      var gap = false
      for i in range {
        guard s.ys[i].isFinite, s.xs[i].isFinite else { gap = true; continue }
        if lo.map({ s.ys[i] < s.ys[$0] }) ?? true { lo = i }
        if hi.map({ s.ys[i] > s.ys[$0] }) ?? true { hi = i }
      }
      for i in Set([lo, hi].compactMap { $0 }).sorted() {
        out.xs.append(s.xs[i]); out.ys.append(s.ys[i])
        out.lower?.append(s.lower?[i] ?? .nan); out.upper?.append(s.upper?[i] ?? .nan)
      }
      if gap { out.xs.append(.nan); out.ys.append(.nan); out.lower?.append(.nan); out.upper?.append(.nan) }
    }
    return out
  }
}
