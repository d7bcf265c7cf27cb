// plot's `band:` (an interval around a line, e.g. an adaptation curve's ci95):
// the outline drawn, the axis range it widens, gaps, log scale and thinning.

import XCTest

@testable import MetaLang

final class PlotBandTests: XCTestCase {
  private func list(_ xs: [Double]) -> Value { .list(xs.map { .float($0) }) }

  /// The `d` attribute of each element of `class` in the rendered SVG, in order.
  private func paths(_ svg: String, class c: String) -> [String] {
    svg.split(separator: "\n").filter { $0.contains("class=\"\(c)\"") }.compactMap { line in
      guard let start = line.range(of: " d=\"") else { return nil }
      return String(line[start.upperBound...].prefix { $0 != "\"" })
    }
  }

  /// The points of one path's data, per closed or open piece.
  private func pieces(_ d: String) -> [[(Double, Double)]] {
    var out = [[(Double, Double)]]()
    for part in d.split(separator: " ") where part != "Z" && part != "h0" {
      let xy = part.dropFirst().split(separator: ",").compactMap { Double($0) }
      guard xy.count == 2 else { continue }
      if part.hasPrefix("M") { out.append([]) }
      out[out.count - 1].append((xy[0], xy[1]))
    }
    return out
  }

  func testBandIsDrawnUnderItsLineAndWidensTheAxis() throws {
    let spec = try PlotData.spec(
      data: list([1, 2, 3]), x: nil, points: nil, smooth: nil, logY: nil, title: nil, xlabel: nil, ylabel: nil,
      band: list([0.5, 0.5, 0.5]))
    let svg = Plot.render(spec)
    let band = paths(svg, class: "band"), line = paths(svg, class: "series")
    XCTAssertEqual(band.count, 1)
    XCTAssertLessThan(try XCTUnwrap(svg.range(of: "class=\"band\"")).lowerBound,
                      try XCTUnwrap(svg.range(of: "class=\"series\"")).lowerBound, "the line is drawn over its band")
    let outline = pieces(band[0]), points = pieces(line[0])[0]
    XCTAssertEqual(outline.map(\.count), [6], "the upper edge forward, the lower edge back")
    XCTAssertTrue(band[0].hasSuffix("Z"))
    for (i, p) in points.enumerated() {
      let upper = outline[0][i], lower = outline[0][5 - i]
      XCTAssertEqual(upper.0, p.0); XCTAssertEqual(lower.0, p.0)
      // Half a unit above and below the line.
      XCTAssertEqual(p.1 - upper.1, lower.1 - p.1, accuracy: 0.02)
      XCTAssertGreaterThan(p.1 - upper.1, 40)
    }
    // The band widens the y axis from 1...3 to 0...4 (plot area 44...384): 3.5 at 86.5, 0.5 at 341.5.
    XCTAssertEqual(outline[0].map(\.1).min() ?? 0, 86.5, accuracy: 0.01)
    XCTAssertEqual(outline[0].map(\.1).max() ?? 0, 341.5, accuracy: 0.01)
    XCTAssertTrue(svg.contains("fill=\"\(Plot.color(0))\" fill-opacity=\"0.2\""), "the band takes its line's colour")
  }

  func testNamedBandsGapsAndLogScale() throws {
    let data = Value.record(Record([("maml", list([3, 2, 1, 0.5, 0.4])), ("pretrained", list([3, 2.9, 2.8, 2.7, 2.6]))]))
    let spec = try PlotData.spec(
      data: data, x: list([0, 1, 5, 10, 20]), points: nil, smooth: nil, logY: .bool(true), title: nil, xlabel: nil,
      ylabel: nil, band: .record(Record([("maml", list([0.1, 0.1, .nan, 0.1, 0.1]))])))
    XCTAssertNil(spec.series[1].lower, "a series the band Record does not name has no band")
    let band = paths(Plot.render(spec), class: "band")
    XCTAssertEqual(band.count, 1)
    // nan breaks the band: two pieces of two points each (a lone point has no area).
    XCTAssertEqual(pieces(band[0]).map(\.count), [4, 4])
    // On a log scale the edges are log10(y ± band).
    XCTAssertEqual(try XCTUnwrap(spec.series[0].upper?[0]), log10(3.1), accuracy: 1e-12)
    XCTAssertEqual(try XCTUnwrap(spec.series[0].lower?[3]), log10(0.4), accuracy: 1e-12)
  }

  func testThinningKeepsTheBandAligned() {
    let n = 10_000
    let ys = (0..<n).map { Double($0 % 7) }
    let long = PlotSeries(name: "s", xs: (0..<n).map(Double.init), ys: ys, lower: ys.map { $0 - 1 }, upper: ys.map { $0 + 2 })
    let thin = PlotData.thinned(long)
    XCTAssertLessThan(thin.ys.count, n)
    XCTAssertEqual(thin.lower ?? [], thin.ys.map { $0 - 1 })
    XCTAssertEqual(thin.upper ?? [], thin.ys.map { $0 + 2 })
  }
}
