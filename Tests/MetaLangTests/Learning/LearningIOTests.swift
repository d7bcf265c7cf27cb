// Checkpoints, plots, the progress bar and ci95: file layout and damaged files,
// SVG content parsed back, progress lines under a fake clock.

import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import MetaTensor
import XCTest

@testable import MetaLang

final class LearningIOTests: XCTestCase {
  private var printed = ""
  private lazy var interp = Interpreter(output: { [unowned self] in self.printed += $0 })
  private var directory: URL!

  override func setUpWithError() throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("meta-io-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(at: directory)
  }

  private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

  /// The message of the error `source` raises.
  private func errorMessage(_ source: String) -> String? {
    do { try interp.evaluate(source); return nil } catch let e as MetaError { return e.message } catch { return "\(error)" }
  }

  // MARK: Checkpoints

  func testTensorsAreStoredUnderTheirPathsWithTheTreeInMetadata() throws {
    let file = path("ckpt.safetensors")
    try interp.evaluate("save({layers: [{w: tensor([1, 2])}, {w: tensor(3)}], step: 3, lr: 0.5}, \"\(file)\")")
    let contents = try SafetensorsFile.readContents(file)
    XCTAssertEqual(contents.tensors.map(\.name), ["layers.0.w", "layers.1.w"])
    XCTAssertEqual(contents.tensors[0].tensor.scalars, [1, 2])
    XCTAssertEqual(contents.tensors[1].tensor.shape, [])
    let tokens = try JSONSerialization.jsonObject(with: Data((contents.metadata["meta.tree"] ?? "").utf8)) as? [String]
    XCTAssertEqual(tokens, ["r:3", "layers", "l:2", "r:1", "w", "t:layers.0.w", "r:1", "w", "t:layers.1.w",
                            "step", "i:3", "lr", "f:0.5"])

    try interp.evaluate("save(tensor([[1.5]]), \"\(path("lone.safetensors"))\")")
    XCTAssertEqual(try SafetensorsFile.read(path("lone.safetensors")).map(\.name), ["value"])
  }

  func testPlainSafetensorsFileLoadsAsRecordInFileOrder() throws {
    // Data order differs from name order: "z" comes first in the data area.
    let header = #"{"z":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
    var bytes = [UInt8]()
    withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { bytes += $0 }
    bytes += Array(header.utf8)
    for x: Float in [7, 1, 2] { withUnsafeBytes(of: x.bitPattern.littleEndian) { bytes += $0 } }
    let file = path("plain.safetensors")
    try Data(bytes).write(to: URL(fileURLWithPath: file))
    let v = try interp.evaluate("load(\"\(file)\")")
    guard case .record(let r) = v else { return XCTFail("expected a record, got \(v)") }
    XCTAssertEqual(r.keys, ["z", "a"])
    XCTAssertEqual(r["z"]?.tensor?.scalars, [7])
    XCTAssertEqual(r["a"]?.tensor?.scalars, [1, 2])
  }

  func testEveryTruncationIsAClearError() throws {
    let file = path("ckpt.safetensors")
    try interp.evaluate("save({w: tensor([1, 2, 3]), b: tensor(0.5), step: 7}, \"\(file)\")")
    let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
    let cut = path("cut.safetensors")
    var truncatedMessages = 0
    for n in 0..<bytes.count {
      try bytes.prefix(n).write(to: URL(fileURLWithPath: cut))
      guard let message = errorMessage("load(\"\(cut)\")") else { return XCTFail("a \(n)-byte prefix loaded") }
      XCTAssertTrue(message.hasPrefix("load: '\(cut)'"), message)
      if message.contains("is truncated (") { truncatedMessages += 1 }
    }
    // Every prefix that ends inside the 8-byte length or the data says "truncated"
    // (16 bytes of data; the header's JSON cut short is "bad JSON" instead).
    XCTAssertGreaterThanOrEqual(truncatedMessages, 8 + 16)
    XCTAssertEqual(errorMessage("load(\"\(cut)\")")?.contains("is truncated (header says 16 bytes of data, file has 15)"), true)
  }

  func testFlippedBytesNeverCrash() throws {
    let file = path("ckpt.safetensors")
    try interp.evaluate("save({w: tensor([1, 2]), n: [1, \"a\"]}, \"\(file)\")")
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
    let bad = path("bad.safetensors")
    for i in bytes.indices {
      for flip: UInt8 in [0x01, 0x20, 0xFF] {
        var copy = bytes
        copy[i] ^= flip
        try Data(copy).write(to: URL(fileURLWithPath: bad))
        // Either it still loads (a changed float) or it is an error naming `load`.
        if let message = errorMessage("load(\"\(bad)\")") { XCTAssertTrue(message.hasPrefix("load: "), message) }
      }
    }
  }

  /// Writes tensors with a hand-made tree description.
  private func writeWithTree(_ tokens: String, tensors: [(String, Tensor)] = [("w", Tensor(1))]) throws -> String {
    let file = path("meta.safetensors")
    try SafetensorsFile.write(tensors, to: file, metadata: ["meta.tree": tokens])
    return file
  }

  func testMetadataThatDoesNotMatchTheTensorsIsAnError() throws {
    let cases: [(String, String)] = [
      (#"["t:v"]"#, "tensor 'v' is missing"),
      (#"["i:1"]"#, "tensor 'w' is not part of the tree"),
      (#"["l:2","t:w","t:w"]"#, "tensor 'w' is used twice"),
      (#"["l:3","t:w"]"#, "bad count in 'l:3'"),
      (#"["l:1000000000000","t:w"]"#, "bad count in 'l:1000000000000'"),
      (#"["r:1","t:w"]"#, "the tree description ends early"),
      (#"["t:w","n"]"#, "1 extra tokens after the tree"),
      (#"["x:1"]"#, "bad token 'x:1'"),
      (#"["l:1","i:1.5"]"#, "bad Int '1.5'"),
      (#"{"t":"w"}"#, "'meta.tree' is not a JSON array of strings"),
      ("not json", "'meta.tree' is not a JSON array of strings"),
      ("[" + String(repeating: #""l:1","#, count: Interpreter.maxNestingDepth + 1) + #""t:w"]"#, "tree nested too deeply"),
    ]
    for (tokens, detail) in cases {
      let file = try writeWithTree(tokens)
      XCTAssertEqual(errorMessage("load(\"\(file)\")"), "load: '\(file)': metadata does not match the tensors (\(detail))", tokens)
    }
  }

  func testTreesAtTheNestingCapSaveAndLoad() throws {
    // A tree as deep as a script can build (the tensor is the cap's last level) round-trips.
    let file = path("deep.safetensors")
    let cap = Interpreter.maxNestingDepth
    try interp.evaluate("var t = tensor(1)\nfor i in range(\(cap)) { t = [t] }\nsave(t, \"\(file)\")")
    XCTAssertEqual(try interp.evaluate("load(\"\(file)\") == t").description, "true")
    XCTAssertEqual(try SafetensorsFile.readContents(file).tensors.first?.name, Array(repeating: "0", count: cap).joined(separator: "."))
    // One level more is refused, reading (a hand-made file) and writing (data only a host can make).
    let over = try writeWithTree("[" + String(repeating: #""l:1","#, count: cap + 1) + #""t:w"]"#)
    XCTAssertEqual(errorMessage("load(\"\(over)\")"), "load: '\(over)': metadata does not match the tensors (tree nested too deeply)")
    var deep = Value.tensor(Tensor(1))
    for _ in 0...cap { deep = .list([deep]) }
    interp[global: "deep"] = deep
    XCTAssertEqual(errorMessage("save(deep, \"\(path("over.safetensors"))\")"), "save: data nested too deeply (more than \(cap) levels)")
    interp[global: "deep"] = nil
    while case .list(let items) = deep, let inner = items.first { deep = inner }
  }

  // MARK: Plots

  /// Elements of an SVG file, parsed by Foundation's XML parser (which fails on malformed XML).
  private final class SVGElements: NSObject, XMLParserDelegate {
    var elements: [(name: String, attributes: [String: String], text: String)] = []
    private var open: [Int] = []
    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String]) {
      open.append(elements.count)
      elements.append((name, attributes, ""))
    }
    func parser(_ parser: XMLParser, foundCharacters string: String) {
      if let i = open.last { elements[i].text += string }
    }
    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
      _ = open.popLast()
    }
    func named(_ name: String, class c: String? = nil) -> [(name: String, attributes: [String: String], text: String)] {
      elements.filter { $0.name == name && (c == nil || $0.attributes["class"] == c) }
    }
  }

  private func parseSVG(_ file: String) throws -> SVGElements {
    let parser = try XCTUnwrap(XMLParser(contentsOf: URL(fileURLWithPath: file)))
    let elements = SVGElements()
    parser.delegate = elements
    XCTAssertTrue(parser.parse(), "malformed SVG: \(String(describing: parser.parserError))")
    return elements
  }

  /// The points of a path's `d` attribute, one array per piece.
  private func pieces(_ d: String) -> [[(Double, Double)]] {
    var out = [[(Double, Double)]]()
    for part in d.split(separator: " ") where part != "h0" {
      let xy = part.dropFirst().split(separator: ",").compactMap { Double($0) }
      guard xy.count == 2 else { continue }
      if part.hasPrefix("M") { out.append([]) }
      out[out.count - 1].append((xy[0], xy[1]))
    }
    return out
  }

  func testTinyPlotPutsPointsWhereTheAxesSay() throws {
    let file = path("tiny.svg")
    let result = try interp.evaluate("plot([1, 2, 3], to: \"\(file)\")")
    if case .string(let s) = result { XCTAssertEqual(s, file) } else { XCTFail("plot returned \(result)") }
    let svg = try parseSVG(file)
    let series = svg.named("path", class: "series")
    XCTAssertEqual(series.count, 1)
    // Both axes run 1...3 (ticks every 0.5); the plot area is x 72...696, y 44...384.
    XCTAssertEqual(series.first?.attributes["d"], "M72.00,384.00 L384.00,214.00 L696.00,44.00")
    let tickLabels = svg.named("text").map(\.text)
    XCTAssertEqual(tickLabels, ["1.0", "1.5", "2.0", "2.5", "3.0", "1.0", "1.5", "2.0", "2.5", "3.0"])
    XCTAssertTrue(svg.named("g", class: "legend").isEmpty, "one unnamed series needs no legend")
  }

  func testNamedSeriesPointsAndLegend() throws {
    let file = path("sine.svg")
    try interp.evaluate("""
      let x = linspace(-5, 5, 40).reshape([40, 1])
      plot({truth: sin(x), "after 1 step": 0.5 * sin(x), "pre & post": 0.1 * x}, x: x, to: "\(file)",
           title: "MAML <sine>", xlabel: "x", ylabel: "y", points: {support: {x: [-1, 0, 2], y: [0.1, 0, 0.9]}})
      """)
    let svg = try parseSVG(file)
    let series = svg.named("path", class: "series")
    XCTAssertEqual(series.map { $0.attributes["data-name"] ?? "" }, ["truth", "after 1 step", "pre & post"])
    XCTAssertEqual(Set(series.compactMap { $0.attributes["stroke"] }).count, 3, "distinct colours")
    for s in series {
      let points = pieces(s.attributes["d"] ?? "")
      XCTAssertEqual(points.count, 1)
      XCTAssertEqual(points.first?.count, 40)
      let xs = points.first?.map(\.0) ?? []
      XCTAssertEqual(xs, xs.sorted(), "x increases along the line")
      XCTAssertTrue(xs.allSatisfy { $0 >= 72 && $0 <= 696 })
    }
    XCTAssertEqual(svg.named("g", class: "points").first?.attributes["data-name"], "support")
    XCTAssertEqual(svg.named("text", class: "legend-label").map(\.text), ["truth", "after 1 step", "pre & post", "support"])
    XCTAssertEqual(svg.named("text", class: "title").first?.text, "MAML <sine>")
    XCTAssertEqual(svg.named("text", class: "xlabel").first?.text, "x")
    // The support point (0, 0): x axis -6...6 (ticks of 2) puts 0 mid-way; y axis -1...1 puts 0 mid-way.
    let circles = svg.elements.filter { $0.name == "circle" && $0.attributes["r"] == "4" }
    XCTAssertTrue(circles.contains { $0.attributes["cx"] == "384.00" && $0.attributes["cy"] == "214.00" })
  }

  func testGapsAndLogScale() throws {
    let gaps = path("gaps.svg")
    try interp.evaluate("plot([nil, 1, inf, 2, 3], to: \"\(gaps)\")")
    let d = try parseSVG(gaps).named("path", class: "series").first?.attributes["d"] ?? ""
    XCTAssertEqual(pieces(d).map(\.count), [1, 2], d)
    XCTAssertTrue(d.contains("h0"), "a lone point is drawn as a dot")

    let log = path("log.svg")
    try interp.evaluate("plot([1, 0.1, 0.01, 0.001], to: \"\(log)\", log_y: true)")
    let svg = try parseSVG(log)
    let ys = pieces(svg.named("path", class: "series").first?.attributes["d"] ?? "").first?.map(\.1) ?? []
    // Decades are evenly spaced: 1 at the top, 0.001 at the bottom.
    XCTAssertEqual(ys.map { ($0 * 100).rounded() / 100 }, [44, 157.33, 270.67, 384])
    XCTAssertTrue(Set(svg.named("text").map(\.text)).isSuperset(of: ["1", "0.1", "0.01", "0.001"]))
  }

  func testAxisAndSmoothingHelpers() {
    XCTAssertEqual(PlotAxis.niceStep(0.4), 0.5)
    XCTAssertEqual(PlotAxis.niceStep(1.2), 2)
    XCTAssertEqual(PlotAxis.niceStep(300), 500)
    let axis = PlotAxis.linear(min: 0.03, max: 0.97)
    XCTAssertEqual(axis.lo, 0)
    XCTAssertEqual(axis.hi, 1)
    XCTAssertEqual(axis.labels, ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
    XCTAssertEqual(PlotAxis.linear(min: 5, max: 5).labels, ["4.4", "4.6", "4.8", "5.0", "5.2", "5.4", "5.6"])
    XCTAssertEqual(PlotAxis.linear(min: 0, max: 70000).labels, ["0", "20000", "40000", "60000", "80000"])
    XCTAssertEqual(PlotAxis.linear(min: -3e7, max: 1e7).labels.first, "-3e7")
    XCTAssertEqual(PlotAxis.logarithmic(minLog: -0.5, maxLog: 0.2).labels, ["0.1", "0.2", "0.5", "1", "2", "5", "10"])
    XCTAssertTrue(PlotAxis.linear(min: -1e308, max: 1e308).ticks.isEmpty, "no tick loop over an infinite span")
    XCTAssertEqual(PlotData.movingAverage([1, 2, 3, 4], width: 2), [1, 1.5, 2.5, 3.5])
    XCTAssertEqual(PlotData.movingAverage([2, .nan, 4, 6], width: 2), [2, 2, 4, 5])
    let long = PlotSeries(name: "s", xs: (0..<10_000).map(Double.init), ys: (0..<10_000).map { Double($0 % 7) })
    let thin = PlotData.thinned(long)
    XCTAssertLessThanOrEqual(thin.ys.count, PlotData.maxPointsPerSeries)
    XCTAssertEqual(thin.ys.min(), 0)
    XCTAssertEqual(thin.ys.max(), 6)
    XCTAssertEqual(thin.xs, thin.xs.sorted())
  }

  // MARK: Progress

  /// A clock that returns the given times in turn (then keeps the last one).
  private final class FakeClock {
    var times: [Double]
    init(_ times: [Double]) { self.times = times }
    func now() -> Double { times.count > 1 ? times.removeFirst() : times[0] }
  }

  func testPlainLinesEveryNSteps() throws {
    var out = ""
    let clock = FakeClock([0, 1, 2, 3, 4, 5, 6])
    let bar = ProgressBar(total: 5, label: "maml", every: 2, terminal: false, clock: clock.now, write: { out += $0 })
    for (step, loss) in [1.0, 0.5, 0.25, 0.125, 0.0625].enumerated() { try bar.update(step: step + 1, loss: loss) }
    bar.done()
    bar.done()
    XCTAssertEqual(out, """
      maml step 2/5 loss 0.7500 1.0 it/s eta 3s
      maml step 4/5 loss 0.1875 1.0 it/s eta 1s
      maml step 5/5 loss 0.0625 1.0 it/s eta 0s
      maml done: 5/5 steps in 6s

      """)
    XCTAssertThrowsError(try bar.update(step: 1, loss: nil))
  }

  func testResumedRunCountsOnlyItsOwnSteps() throws {
    var out = ""
    let clock = FakeClock([0, 1, 2])
    let bar = ProgressBar(total: 100, label: "fit", every: 1, terminal: false, clock: clock.now, write: { out += $0 })
    try bar.update(step: 91, loss: 0.5)
    try bar.update(step: 92, loss: 0.5)
    XCTAssertEqual(out, "fit step 91/100 loss 0.5000 1.0 it/s eta 9s\nfit step 92/100 loss 0.5000 1.0 it/s eta 8s\n")
  }

  func testDefaultIntervalIsATenthOfTheTotal() throws {
    var lines = 0
    let bar = ProgressBar(total: 35, label: "fit", every: nil, terminal: false, clock: { 0 }, write: { _ in lines += 1 })
    for step in 1...35 { try bar.update(step: step, loss: nil) }
    XCTAssertEqual(lines, 12)  // every 3 steps, and the last
  }

  func testDefaultIntervalAlsoPrintsAfterAQuietMinute() throws {
    var out = ""
    // Steps 40 s apart: the 10%-interval (every 100 steps) is never reached,
    // but a line is due once 60 s passed since the last one.
    let clock = FakeClock([0] + (1...4).map { Double($0) * 40 })
    let bar = ProgressBar(total: 1000, label: "fit", every: nil, terminal: false, clock: clock.now, write: { out += $0 })
    for step in 1...4 { try bar.update(step: step, loss: 1) }
    // 2 steps in 80 s = 0.025 it/s; 998 steps left x 40 s = 11h05m (then 996 x 40 s).
    XCTAssertEqual(out, "fit step 2/1000 loss 1.0000 0.03 it/s eta 11h05m\nfit step 4/1000 loss 1.0000 0.03 it/s eta 11h04m\n")
    // A caller's explicit `every` is kept exactly.
    var quiet = ""
    let slow = FakeClock([0] + (1...4).map { Double($0) * 400 })
    let fixed = ProgressBar(total: 1000, label: "fit", every: 100, terminal: false, clock: slow.now, write: { quiet += $0 })
    for step in 1...4 { try fixed.update(step: step, loss: 1) }
    XCTAssertEqual(quiet, "")
  }

  func testTerminalRedrawsAtMostTenTimesASecond() throws {
    var out = ""
    // Steps 1/16 s apart: a redraw at steps 1, 3, 5, 7, 9 and always at the last.
    let clock = FakeClock([0] + (1...10).map { Double($0) * 0.0625 } + [1.0])
    let bar = ProgressBar(total: 10, label: "maml", every: nil, terminal: true, clock: clock.now, write: { out += $0 })
    for step in 1...10 { try bar.update(step: step, loss: Double(step)) }
    bar.done()
    let draws = out.split(separator: "\r", omittingEmptySubsequences: true).map(String.init)
    XCTAssertEqual(draws.count, 7)
    XCTAssertEqual(draws.first, "maml [##------------------]  1/10  loss 1.0000  16.0 it/s  eta 1s")
    // Step 2's loss joins step 3's in the mean shown.
    XCTAssertEqual(draws[1], "maml [######--------------]  3/10  loss 2.5000  16.0 it/s  eta 0s")
    XCTAssertEqual(draws[5], "maml [####################] 10/10  loss 10.0000  16.0 it/s  eta 0s")
    // One space blanks the end of the longer line before ("eta 0s" became "in 1s").
    XCTAssertEqual(draws[6], "maml [####################] 10/10  loss 10.0000  10.0 it/s  in 1s \n")
    XCTAssertFalse(out.dropLast().contains("\n"), "one line, redrawn")
  }

  func testRateEtaAndLossText() {
    XCTAssertEqual(ProgressText.rate(steps: 1200, seconds: 3.84), "312.5 it/s")
    XCTAssertEqual(ProgressText.rate(steps: 1, seconds: 4), "0.25 it/s")
    XCTAssertEqual(ProgressText.rate(steps: 3, seconds: 0), "-- it/s")
    XCTAssertEqual(ProgressText.duration(0), "0s")
    XCTAssertEqual(ProgressText.duration(59.4), "59s")
    XCTAssertEqual(ProgressText.duration(220), "3m40s")
    XCTAssertEqual(ProgressText.duration(7500), "2h05m")
    XCTAssertEqual(ProgressText.duration(90000), "1d01h")
    XCTAssertEqual(ProgressText.duration(.nan), "--")
    XCTAssertEqual(ProgressText.duration(1e300), ">30y")
    XCTAssertEqual(ProgressText.loss(0.42134), "0.4213")
    XCTAssertEqual(ProgressText.loss(1e-5), "1.000e-05")
    XCTAssertEqual(ProgressText.loss(123456), "1.235e+05")
    XCTAssertEqual(ProgressText.loss(.nan), "nan")
    XCTAssertEqual(ProgressText.terminalLine(label: "maml", step: 1200, total: 70000, width: 20),
                   "maml [--------------------]  1200/70000")
  }

  // MARK: ci95

  func testSampleSummaryByHand() throws {
    let s = try XCTUnwrap(SampleSummary([2, 4, 4, 4, 5, 5, 7, 9]))
    XCTAssertEqual(s.mean, 5)
    XCTAssertEqual(s.std, (32.0 / 7).squareRoot(), accuracy: 1e-12)
    XCTAssertEqual(s.ci95, 1.96 * (32.0 / 7).squareRoot() / 8.0.squareRoot(), accuracy: 1e-12)
    XCTAssertEqual(SampleSummary([1e9 + 1, 1e9 + 3])?.std ?? 0, 2.0.squareRoot(), accuracy: 1e-6)
    XCTAssertNil(SampleSummary([]))
  }
}
