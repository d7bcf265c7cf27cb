// fit(validate:) says on the diagnostics channel what it kept (and why it
// stopped early), never on the output channel, and nothing when quiet.

import MetaLang
import XCTest

final class FitValidationMessageTests: XCTestCase {
  private func diagnostics(quiet: Bool) throws -> (printed: String, said: String) {
    var printed = "", said = ""
    let interpreter = Interpreter(output: { printed += $0 }, diagnostics: { said += $0 })
    _ = try interpreter.evaluate("""
      import nn
      seed(1)
      let tasks = sine_tasks(shots: 4, queries: 4)
      let val = map(fn(i) { tasks.sample() }, range(3))
      var algo = maml(Learner(nn.mlp([1, 8, 1]), lr: 0.01), outer: sgd(lr: 40.0))
      let r = algo.fit(tasks, steps: 20, batch: 2, quiet: \(quiet), validate: {tasks: val, every: 1, patience: 2})
      """)
    return (printed, said)
  }

  func testKeptParametersAndEarlyStopAreReported() throws {
    let (printed, said) = try diagnostics(quiet: false)
    XCTAssertEqual(printed, "")
    XCTAssertTrue(said.contains("maml.fit: stopping at step 3: no improvement in 2 validations"), said)
    XCTAssertTrue(said.contains("maml.fit: kept the parameters of step 1 (validation loss "), said)
  }

  func testQuietSaysNothing() throws {
    let (printed, said) = try diagnostics(quiet: true)
    XCTAssertEqual(printed + said, "")
  }
}
