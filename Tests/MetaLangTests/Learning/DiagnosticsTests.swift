// The embedding API's two channels: `output` gets exactly what `print` wrote;
// progress bars (fit's included) and `eprint` go to `diagnostics`.

import Foundation
import MetaLang
import XCTest

final class DiagnosticsTests: XCTestCase {
  private var printed = ""
  private var diagnosed = ""

  private func interpreter() -> Interpreter {
    Interpreter(output: { [unowned self] in printed += $0 }, diagnostics: { [unowned self] in diagnosed += $0 })
  }

  /// A short MAML run with a progress line every step, then a print and an eprint.
  private let training = """
    import nn
    let algo = maml(Learner(nn.mlp([1, 8, 1]), lr: 0.01), outer: adam(lr: 0.01))
    let h = algo.fit(sine_tasks(shots: 3, queries: 3), steps: 3, batch: 2, log_every: 1)
    print("trained", len(h))
    eprint("note:", [1, 2])
    """

  func testFitProgressReachesDiagnosticsAndNotOutput() throws {
    try interpreter().evaluate(training)
    XCTAssertEqual(printed, "trained 3\n")
    let lines = diagnosed.split(separator: "\n").map(String.init)
    XCTAssertEqual(lines.count, 5, diagnosed)
    for (i, line) in lines.prefix(3).enumerated() {
      XCTAssertTrue(line.hasPrefix("maml step \(i + 1)/3 loss "), line)
    }
    XCTAssertTrue(lines[3].hasPrefix("maml done: 3/3 steps in "), lines[3])
    XCTAssertEqual(lines[4], "note: [1, 2]")
  }

  func testDiagnosticsAreDiscardedWithoutAHandler() throws {
    let meta = Interpreter(output: { [unowned self] in printed += $0 })
    try meta.evaluate(training)
    XCTAssertEqual(printed, "trained 3\n")
    // Set later, the handler takes effect from then on.
    meta.diagnostics = { [unowned self] in diagnosed += $0 }
    try meta.evaluate("eprint(\"later\")")
    XCTAssertEqual(diagnosed, "later\n")
  }

  func testShowsProgressFalseSilencesProgressButNotEprint() throws {
    let meta = interpreter()
    meta.showsProgress = false
    try meta.evaluate(training)
    XCTAssertEqual(printed, "trained 3\n")
    XCTAssertEqual(diagnosed, "note: [1, 2]\n")
  }

  func testFitQuietSilencesOneCall() throws {
    try interpreter().evaluate(training.replacingOccurrences(of: "log_every: 1", with: "log_every: 1, quiet: true"))
    XCTAssertEqual(printed, "trained 3\n")
    XCTAssertEqual(diagnosed, "note: [1, 2]\n")
  }

  func testProgressLinesAndTheirLosses() throws {
    try interpreter().evaluate("let p = progress(4, label: \"fit\", every: 2)\nfor i in range(1, 5) { p.update(i, tensor(1.0 / i)) }")
    XCTAssertEqual(printed, "")
    let lines = diagnosed.split(separator: "\n").map(String.init)
    XCTAssertEqual(lines.count, 2)
    let pattern = #"^fit step (\d)/4 loss (\S+) [0-9.]+ it/s eta \S+$"#
    let regex = try NSRegularExpression(pattern: pattern)
    let fields = lines.map { line -> [String] in
      guard let m = regex.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) else { return [line] }
      return (1...2).compactMap { Range(m.range(at: $0), in: line).map { String(line[$0]) } }
    }
    XCTAssertEqual(fields, [["2", "0.7500"], ["4", "0.2917"]])  // means of (1, 1/2) and (1/3, 1/4)
  }

  func testATerminalGetsOneRedrawnLine() throws {
    let meta = interpreter()
    meta.diagnosticsIsTerminal = true
    try meta.evaluate("let q = progress(3, label: \"t\")\nq.update(1, 0.5)\nq.update(2)\nq.update(3, 0.25)\nq.done()")
    XCTAssertEqual(printed, "")
    XCTAssertTrue(diagnosed.hasPrefix("\rt [#####"), diagnosed)
    XCTAssertTrue(diagnosed.contains("3/3  loss 0.2500"), diagnosed)
    XCTAssertEqual(diagnosed.filter { $0 == "\n" }.count, 1)
    XCTAssertTrue(diagnosed.hasSuffix("\n"))
  }
}
