// fit(checkpoint:) against files on disk: a run resumes from its checkpoint,
// and a damaged or foreign file stops the run with an error naming the file
// instead of training from a half-read state.

import Foundation
import MetaLang
import XCTest

final class CheckpointResumeTests: XCTestCase {
  private var directory: URL!

  override func setUpWithError() throws {
    directory = FileManager.default.temporaryDirectory.appendingPathComponent("meta-resume-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(at: directory)
  }

  private var checkpoint: String { directory.appendingPathComponent("fit.safetensors").path }

  /// A fresh interpreter (printed lines dropped; fit's progress, a diagnostic, too).
  private func interpreter() -> Interpreter { Interpreter(output: { _ in }) }

  /// Source that makes `algo`, a small MAML on sine tasks, and fits it to `steps`
  /// with the checkpoint; the history is left in `h`.
  private func fitSource(steps: Int) -> String {
    """
    import nn
    var algo = maml(Learner(nn.mlp([1, 8, 1]), lr: 0.01), outer: adam(lr: 0.01))
    let h = algo.fit(sine_tasks(shots: 3, queries: 3), steps: \(steps), batch: 2, checkpoint: "\(checkpoint)", every: 2)
    """
  }

  /// The Floats of a List value.
  private func floats(_ v: Value) -> [Double]? {
    guard case .list(let items) = v else { return nil }
    return items.compactMap { if case .float(let d) = $0 { return d } else { return nil } }
  }

  private func fitError(steps: Int) -> String? {
    do {
      _ = try interpreter().evaluate(fitSource(steps: steps))
      return nil
    } catch let e as MetaError {
      return e.message
    } catch {
      return "\(error)"
    }
  }

  func testAFreshRunResumesFromTheCheckpoint() throws {
    let first = interpreter()
    let h4 = try XCTUnwrap(floats(try first.evaluate(fitSource(steps: 4) + "\nh")))
    XCTAssertEqual(h4.count, 4)
    XCTAssertTrue(FileManager.default.fileExists(atPath: checkpoint))

    let second = interpreter()
    let h6 = try XCTUnwrap(floats(try second.evaluate(fitSource(steps: 6) + "\nh")))
    XCTAssertEqual(h6.count, 6)
    XCTAssertEqual(Array(h6.prefix(4)), h4, "the resumed history starts with the first run's")
    // The resumed run carried on from the saved Adam state, not a fresh one.
    let t = try second.evaluate("algo.outer.state.t")
    guard case .int(6) = t else { return XCTFail("Adam's step count after resuming: \(t)") }
  }

  func testATruncatedCheckpointIsAnErrorNamingTheFile() throws {
    _ = try interpreter().evaluate(fitSource(steps: 2))
    let whole = try Data(contentsOf: URL(fileURLWithPath: checkpoint))
    XCTAssertGreaterThan(whole.count, 100)
    // Cut inside the tensor data, inside the JSON header, and inside the header's length.
    for keep in [whole.count - 7, whole.count / 2, 20, 5] {
      try whole.prefix(keep).write(to: URL(fileURLWithPath: checkpoint))
      let message = try XCTUnwrap(fitError(steps: 4), "a checkpoint cut to \(keep) bytes was accepted")
      XCTAssertTrue(message.hasPrefix("load: "), message)
      XCTAssertTrue(message.contains(checkpoint), message)
      XCTAssertTrue(message.contains("truncated") || message.contains("header"), "cut to \(keep): \(message)")
    }
  }

  func testAnEmptyOrForeignFileIsAnError() throws {
    try Data().write(to: URL(fileURLWithPath: checkpoint))
    let empty = try XCTUnwrap(fitError(steps: 2))
    XCTAssertTrue(empty.contains(checkpoint), empty)

    try Data("not a checkpoint at all".utf8).write(to: URL(fileURLWithPath: checkpoint))
    let text = try XCTUnwrap(fitError(steps: 2))
    XCTAssertTrue(text.hasPrefix("load: ") && text.contains(checkpoint), text)

    // A valid tensor file that fit did not write.
    _ = try interpreter().evaluate("save({w: tensor([1, 2])}, \"\(checkpoint)\")")
    let foreign = try XCTUnwrap(fitError(steps: 2))
    XCTAssertTrue(foreign.contains("maml.fit") && foreign.contains(checkpoint), foreign)
  }
}
