// `plot(data, to: "loss.svg", ...)`: a self-contained SVG line plot (with optional
// scatter markers and a legend), written atomically.

import Foundation
import MetaTensor

enum Plot {
  // The canvas and the plot area inside it, in pixels.
  static let width = 720.0
  static let height = 440.0
  static let left = 72.0
  static let right = 24.0
  static let top = 44.0
  static let bottom = 56.0
  static var plotWidth: Double { width - left - right }
  static var plotHeight: Double { height - top - bottom }

  /// Distinct colours, in the order series and then scatter sets take them.
  static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                        "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

  static func color(_ i: Int) -> String { palette[i % palette.count] }

  /// The axes that hold every finite point of the spec.
  static func axes(_ spec: PlotSpec) -> (x: PlotAxis, y: PlotAxis) {
    var xs = (lo: Double.infinity, hi: -Double.infinity)
    var ys = xs
    for s in spec.series + spec.scatter {
      for (x, y) in zip(s.xs, s.ys) where x.isFinite && y.isFinite {
        xs = (min(xs.lo, x), max(xs.hi, x))
        ys = (min(ys.lo, y), max(ys.hi, y))
      }
      // A band widens the y range where its line is drawn.
      for edge in [s.lower, s.upper].compactMap({ $0 }) {
        for (i, y) in edge.enumerated() where y.isFinite && s.xs[i].isFinite && s.ys[i].isFinite {
          ys = (min(ys.lo, y), max(ys.hi, y))
        }
      }
    }
    let yAxis = spec.logY ? PlotAxis.logarithmic(minLog: ys.lo, maxLog: ys.hi) : PlotAxis.linear(min: ys.lo, max: ys.hi)
    return (PlotAxis.linear(min: xs.lo, max: xs.hi), yAxis)
  }

  /// The pixel position of a data point, or nil for a gap.
  static func pixel(_ x: Double, _ y: Double, _ axes: (x: PlotAxis, y: PlotAxis)) -> (Double, Double)? {
    guard x.isFinite, y.isFinite else { return nil }
    let px = left + axes.x.fraction(x) * plotWidth
    let py = top + (1 - axes.y.fraction(y)) * plotHeight
    guard px.isFinite, py.isFinite else { return nil }
    return (px, py)
  }

  /// The whole SVG document for `spec` (which has at least one finite point).
  static func render(_ spec: PlotSpec) -> String {
    let axes = axes(spec)
    var out = [String]()
    out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
    out.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
      + "viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">")
    if let title = spec.title { out.append("<title>\(SVG.escape(title))</title>") }
    out.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>")
    out.append("<clipPath id=\"plot-area\"><rect x=\"\(SVG.number(left))\" y=\"\(SVG.number(top))\" "
      + "width=\"\(SVG.number(plotWidth))\" height=\"\(SVG.number(plotHeight))\"/></clipPath>")
    out += grid(axes)
    out += labels(spec)
    // Bands first, so every line is drawn over them.
    for (i, s) in spec.series.enumerated() {
      guard let d = bandPath(s, axes) else { continue }
      out.append("<path class=\"band\" data-name=\"\(SVG.escape(s.name))\" d=\"\(d)\" fill=\"\(color(i))\" "
        + "fill-opacity=\"0.2\" stroke=\"none\" clip-path=\"url(#plot-area)\"/>")
    }
    for (i, s) in spec.series.enumerated() {
      let d = SVG.pathData(zip(s.xs, s.ys).map { pixel($0, $1, axes) })
      out.append("<path class=\"series\" data-name=\"\(SVG.escape(s.name))\" d=\"\(d)\" fill=\"none\" "
        + "stroke=\"\(color(i))\" stroke-width=\"1.8\" stroke-linejoin=\"round\" stroke-linecap=\"round\" clip-path=\"url(#plot-area)\"/>")
    }
    for (j, s) in spec.scatter.enumerated() {
      out.append("<g class=\"points\" data-name=\"\(SVG.escape(s.name))\" fill=\"\(color(spec.series.count + j))\" "
        + "stroke=\"white\" stroke-width=\"1\">")
      for case let (px, py)? in zip(s.xs, s.ys).map({ pixel($0, $1, axes) }) {
        out.append("<circle cx=\"\(SVG.number(px))\" cy=\"\(SVG.number(py))\" r=\"4\"/>")
      }
      out.append("</g>")
    }
    if spec.legend { out += legend(spec, axes: axes) }
    out.append("</svg>")
    return out.joined(separator: "\n") + "\n"
  }

  /// The closed outline of a series' band, one piece per run of finite points
  /// (the upper edge forward, the lower edge back); nil without a band.
  private static func bandPath(_ s: PlotSeries, _ axes: (x: PlotAxis, y: PlotAxis)) -> String? {
    guard let lower = s.lower, let upper = s.upper else { return nil }
    var pieces = [String]()
    var run = [(upper: (Double, Double), lower: (Double, Double))]()
    func close() {
      if run.count >= 2 {
        let edge = run.map(\.upper) + run.reversed().map(\.lower)
        pieces.append(SVG.pathData(edge.map { Optional($0) }) + " Z")
      }
      run = []
    }
    for i in s.xs.indices {
      if i < lower.count, i < upper.count, let u = pixel(s.xs[i], upper[i], axes), let l = pixel(s.xs[i], lower[i], axes) {
        run.append((u, l))
      } else {
        close()
      }
    }
    close()
    return pieces.isEmpty ? nil : pieces.joined(separator: " ")
  }

  /// Grid lines, the frame, tick marks and tick labels.
  private static func grid(_ axes: (x: PlotAxis, y: PlotAxis)) -> [String] {
    var out = ["<g class=\"grid\" stroke=\"#e6e6e6\" stroke-width=\"1\">"]
    var ticks = [String]()
    for (v, label) in zip(axes.x.ticks, axes.x.labels) {
      let px = left + axes.x.fraction(v) * plotWidth
      out.append(SVG.line(px, top, px, top + plotHeight))
      ticks.append(SVG.line(px, top + plotHeight, px, top + plotHeight + 5))
      ticks.append(SVG.text(label, x: px, y: top + plotHeight + 19, attributes: "text-anchor=\"middle\" stroke=\"none\""))
    }
    for (v, label) in zip(axes.y.ticks, axes.y.labels) {
      let py = top + (1 - axes.y.fraction(v)) * plotHeight
      out.append(SVG.line(left, py, left + plotWidth, py))
      ticks.append(SVG.line(left - 5, py, left, py))
      ticks.append(SVG.text(label, x: left - 8, y: py + 4, attributes: "text-anchor=\"end\" stroke=\"none\""))
    }
    out.append("</g>")
    out.append("<rect class=\"frame\" x=\"\(SVG.number(left))\" y=\"\(SVG.number(top))\" width=\"\(SVG.number(plotWidth))\" "
      + "height=\"\(SVG.number(plotHeight))\" fill=\"none\" stroke=\"#444\" stroke-width=\"1\"/>")
    out.append("<g class=\"ticks\" stroke=\"#444\" fill=\"#333\">")
    out += ticks
    out.append("</g>")
    return out
  }

  /// Title and axis labels.
  private static func labels(_ spec: PlotSpec) -> [String] {
    var out = [String]()
    if let title = spec.title {
      out.append(SVG.text(title, x: width / 2, y: 26, attributes: "class=\"title\" text-anchor=\"middle\" font-size=\"16\" font-weight=\"bold\""))
    }
    if let xlabel = spec.xlabel {
      out.append(SVG.text(xlabel, x: left + plotWidth / 2, y: height - 14, attributes: "class=\"xlabel\" text-anchor=\"middle\" font-size=\"13\""))
    }
    let ylabel = spec.ylabel.map { spec.logY ? $0 + " (log scale)" : $0 } ?? (spec.logY ? "log scale" : nil)
    if let ylabel {
      let (x, y) = (18.0, top + plotHeight / 2)
      out.append(SVG.text(ylabel, x: x, y: y, attributes: "class=\"ylabel\" text-anchor=\"middle\" font-size=\"13\" "
        + "transform=\"rotate(-90 \(SVG.number(x)) \(SVG.number(y)))\""))
    }
    return out
  }

  /// A boxed legend in the corner of the plot area that hides the fewest points.
  private static func legend(_ spec: PlotSpec, axes: (x: PlotAxis, y: PlotAxis)) -> [String] {
    let names = spec.series.map(\.name) + spec.scatter.map(\.name)
    let longest = names.map(\.count).max() ?? 0
    let boxWidth = 40 + 7 * Double(min(longest, 40))
    let rowHeight = 18.0
    let boxHeight = rowHeight * Double(names.count) + 8
    let corners = [(left + plotWidth - boxWidth - 10, top + 10), (left + 10, top + 10),
                   (left + plotWidth - boxWidth - 10, top + plotHeight - boxHeight - 10),
                   (left + 10, top + plotHeight - boxHeight - 10)]
    // Lines count along their length (a few samples per segment), markers where they are.
    var pixels = spec.scatter.flatMap { s in zip(s.xs, s.ys).compactMap { pixel($0, $1, axes) } }
    for s in spec.series {
      var previous: (Double, Double)?
      for p in zip(s.xs, s.ys).map({ pixel($0, $1, axes) }) {
        if let p, let q = previous {
          for k in 1...8 { let t = Double(k) / 8; pixels.append((q.0 + (p.0 - q.0) * t, q.1 + (p.1 - q.1) * t)) }
        } else if let p { pixels.append(p) }
        previous = p
      }
    }
    func covered(_ corner: (Double, Double)) -> Int {
      pixels.reduce(0) { n, p in
        let inside = p.0 >= corner.0 - 4 && p.0 <= corner.0 + boxWidth + 4 && p.1 >= corner.1 - 4 && p.1 <= corner.1 + boxHeight + 4
        return n + (inside ? 1 : 0)
      }
    }
    // The first corner wins ties, so an empty top right is preferred.
    var (x, y) = corners[0]
    var best = covered(corners[0])
    for corner in corners.dropFirst() where best > 0 {
      let n = covered(corner)
      if n < best { (x, y) = corner; best = n }
    }
    var out = ["<g class=\"legend\">"]
    out.append("<rect x=\"\(SVG.number(x))\" y=\"\(SVG.number(y))\" width=\"\(SVG.number(boxWidth))\" "
      + "height=\"\(SVG.number(boxHeight))\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#bbb\"/>")
    for (i, name) in names.enumerated() {
      let cy = y + 4 + rowHeight * (Double(i) + 0.5)
      if i < spec.series.count {
        out.append(SVG.line(x + 8, cy, x + 28, cy, attributes: "stroke=\"\(color(i))\" stroke-width=\"2.5\""))
      } else {
        out.append("<circle cx=\"\(SVG.number(x + 18))\" cy=\"\(SVG.number(cy))\" r=\"4\" fill=\"\(color(i))\"/>")
      }
      out.append(SVG.text(name, x: x + 34, y: cy + 4, attributes: "class=\"legend-label\""))
    }
    out.append("</g>")
    return out
  }
}

extension Builtins {
  /// `plot(data, to: path, title:, x:, xlabel:, ylabel:, log_y:, smooth:, points:, band:)`.
  static func plotBuiltin() -> Builtin {
    Builtin("plot", labels: ["to", "title", "x", "xlabel", "ylabel", "log_y", "smooth", "points", "band"]) { args in
      try args.expect(1...2)
      let pathValue = args.count == 2 ? args[1] : args.named("to")
      guard case .string(let path)? = pathValue else {
        throw BuiltinError("plot: give the file to write as to: \"name.svg\""
          + (pathValue.map { " (got \(withArticle($0.typeName)))" } ?? ""))
      }
      guard path.lowercased().hasSuffix(".svg") else {
        throw BuiltinError("plot: '\(path)' must end in .svg (plots are written as SVG)")
      }
      let spec = try PlotData.spec(
        data: args[0], x: args.named("x"), points: args.named("points"), smooth: args.named("smooth"),
        logY: args.named("log_y"), title: args.named("title"), xlabel: args.named("xlabel"), ylabel: args.named("ylabel"),
        band: args.named("band"))
      // Under mpirun every rank computes the same figure; rank 0 alone writes it (spec §8).
      if let comm = args.rt.communicator, comm.rank != 0 { return .string(path) }
      do {
        try AtomicFile.write(Array(Plot.render(spec).utf8), to: path)
      } catch let e as TensorError {
        let detail = e.message.hasPrefix(path + ": ") ? String(e.message.dropFirst(path.count + 2)) : e.message
        throw BuiltinError("plot: cannot write '\(path)' (\(detail))")
      }
      return .string(path)
    }
  }
}
