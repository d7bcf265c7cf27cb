// A run stopped and resumed from its checkpoint equals an uninterrupted run
// bit for bit (the checkpoint holds the random stream), and a checkpoint of
// another meta-optimizer, outer optimizer or model is refused, naming the
// first difference (spec §6.1).

import Foundation
import MetaLang
import MetaTensor
import XCTest

final class CheckpointExactResumeTests: XCTestCase {
  private var directory: URL!

  override func setUpWithError() throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("meta-exact-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(at: directory)
  }

  private var checkpoint: String { directory.appendingPathComponent("run.safetensors").path }

  /// Builds `algo` (`make`, an expression of `tasks`) and fits it to `steps`,
  /// with the checkpoint when `resumable`; the history is left in `h`.
  private func source(_ make: String, steps: Int, resumable: Bool, extra: String = "") -> String {
    """
    import nn
    let labels = map(fn(i) { i % 6 }, range(36))
    let classes = fewshot(dataset(randn([36, 8]), labels), ways: 3, shots: 2, queries: 2)
    let sines = sine_tasks(shots: 4, queries: 4)
    var algo = \(make)
    let h = algo.fit(\(make.hasPrefix("protonet") ? "classes" : "sines"), steps: \(steps), batch: 2\
    \(resumable ? ", checkpoint: \"\(checkpoint)\", every: 3" : "")\(extra))
    """
  }

  /// Every parameter's elements, in tree order, and the loss history.
  private func run(_ make: String, steps: Int, resumable: Bool) throws -> (params: [[Float]], history: String) {
    let interpreter = Interpreter(output: { _ in })
    _ = try interpreter.evaluate(source(make, steps: steps, resumable: resumable))
    guard case .list(let leaves) = try interpreter.evaluate("tree_leaves(algo.params)") else {
      throw XCTSkip("tree_leaves gave no List")
    }
    let params = leaves.compactMap { $0.tensor?.scalars }
    XCTAssertEqual(params.count, leaves.count)
    return (params, "\(try interpreter.evaluate("h"))")
  }

  func testStoppedAndResumedEqualsStraightBitForBit() throws {
    for make in [
      "maml(Learner(nn.mlp([1, 8, 1]), lr: 0.01), outer: adam(lr: 0.01))",
      "reptile(Learner(nn.mlp([1, 8, 1]), lr: 0.01, steps: 2), outer: sgd(lr: 0.5))",
      "protonet(nn.mlp([8, 6]), outer: adam(lr: 0.01))",
    ] {
      try? FileManager.default.removeItem(atPath: checkpoint)
      let straight = try run(make, steps: 6, resumable: false)
      let first = try run(make, steps: 3, resumable: true)
      let resumed = try run(make, steps: 6, resumable: true)
      XCTAssertNotEqual(first.params, straight.params, "\(make): training moved the parameters")
      XCTAssertEqual(resumed.params, straight.params, "\(make): 3 + 3 steps differ from 6")
      XCTAssertEqual(resumed.history, straight.history, make)
    }
  }

  func testResumingSaysSoOnTheDiagnosticsChannel() throws {
    let make = "maml(Learner(nn.mlp([1, 8, 1]), lr: 0.01), outer: adam(lr: 0.01))"
    _ = try run(make, steps: 3, resumable: true)
    var printed = "", diagnostics = ""
    let interpreter = Interpreter(output: { printed += $0 }, diagnostics: { diagnostics += $0 })
    _ = try interpreter.evaluate(source(make, steps: 6, resumable: true))
    XCTAssertTrue(diagnostics.contains("maml.fit: resuming from step 3 of 6 (\(checkpoint))"), diagnostics)
    XCTAssertEqual(printed, "", "nothing on the output channel")
  }

  /// An interpreter whose `stop_now()` raises Ctrl-C's interrupt, and `fit`
  /// calling it from a callback of step 3 of 6: step 3 has not finished (its
  /// callbacks may draw from the stream), so the run goes back to step 2.
  private func interruptedRun(returns: Bool) throws -> (Interpreter, Result<Value, Error>, String) {
    var diagnostics = ""
    let interpreter = Interpreter(output: { _ in }, diagnostics: { diagnostics += $0 })
    interpreter.interruptReturns = returns
    interpreter.register("stop_now") { _ in interpreter.interrupt(); return .nil_ }
    let source = source("maml(Learner(nn.mlp([1, 8, 1]), lr: 0.01), outer: adam(lr: 0.01))", steps: 6, resumable: true,
                        extra: ", callbacks: [fn(info) { if info.step == 3 { stop_now() } }]")
    let result = Result { try interpreter.evaluate(source) }
    return (interpreter, result, diagnostics)
  }

  /// Ctrl-C during fit saves the last finished step's checkpoint (though `every`
  /// would not have): a script stops with the interrupt, the REPL gets the
  /// history so far, and a rerun resumes to the same end as an uninterrupted run.
  func testCtrlCDuringFitSavesTheCheckpoint() throws {
    let make = "maml(Learner(nn.mlp([1, 8, 1]), lr: 0.01), outer: adam(lr: 0.01))"
    let straight = try run(make, steps: 6, resumable: false)

    let (_, scripted, said) = try interruptedRun(returns: false)
    guard case .failure(let error as MetaError) = scripted, error.kind == .interrupt else {
      return XCTFail("a script's fit should end with the interrupt, got \(scripted)")
    }
    XCTAssertTrue(said.contains("maml.fit: interrupted after step 2; saved \(checkpoint)"), said)
    let saved = try Interpreter().evaluate("load(\"\(checkpoint)\").step")
    guard case .int(2) = saved else { return XCTFail("checkpoint step \(saved)") }
    let resumed = try run(make, steps: 6, resumable: true)
    XCTAssertEqual(resumed.params, straight.params, "interrupted in step 3, resumed to 6, equals 6 straight")

    try FileManager.default.removeItem(atPath: checkpoint)
    let (interactive, returned, _) = try interruptedRun(returns: true)
    guard case .success = returned, case .list(let history) = try interactive.evaluate("h") else {
      return XCTFail("the REPL's fit returns the history: \(returned)")
    }
    XCTAssertEqual(history.count, 2)
    XCTAssertEqual("\(try interactive.evaluate("algo.outer.state.t"))", "2", "the algorithm is left at step 2")
  }

  private func resumeError(_ make: String) -> String {
    do {
      _ = try Interpreter(output: { _ in }).evaluate(source(make, steps: 6, resumable: true))
      return "no error"
    } catch let e as MetaError {
      return e.message
    } catch {
      return "\(error)"
    }
  }

  func testAnotherRunsCheckpointIsRefusedNamingTheDifference() throws {
    _ = try run("maml(Learner(nn.mlp([1, 8, 1]), lr: 0.01), outer: adam(lr: 0.01))", steps: 3, resumable: true)
    let prefix = "checkpoint '\(checkpoint)' is not of this run: "
    let shape = resumeError("maml(Learner(nn.mlp([1, 16, 1]), lr: 0.01), outer: adam(lr: 0.01))")
    XCTAssertTrue(shape.contains("maml.fit: " + prefix + "params[0]"), shape)
    XCTAssertTrue(shape.contains("has shape [1, 8] in the checkpoint, [1, 16] here"), shape)
    let depth = resumeError("maml(Learner(nn.mlp([1, 8, 8, 1]), lr: 0.01), outer: adam(lr: 0.01))")
    XCTAssertTrue(depth.contains(prefix + "params has 2 entries in the checkpoint, 3 here"), depth)
    let algorithm = resumeError("reptile(Learner(nn.mlp([1, 8, 1]), lr: 0.01), outer: adam(lr: 0.01))")
    XCTAssertTrue(algorithm.contains(prefix + "it was written by maml, this run is reptile"), algorithm)
    let optimizer = resumeError("maml(Learner(nn.mlp([1, 8, 1]), lr: 0.01), outer: sgd(lr: 0.01))")
    XCTAssertTrue(optimizer.contains(prefix + "its outer optimizer is adam, this run's is sgd"), optimizer)
    XCTAssertTrue(optimizer.contains("delete it, or pass another checkpoint: path"), optimizer)
  }
}
