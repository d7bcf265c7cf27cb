// Tracebacks name real call sites: a Meta function called back by native code
// (a task sampler, a host function, stdlib `fit`) is recorded as called from the
// line that called the native code, and a report never prints `:0:0`.

@testable import MetaLang
import XCTest

final class TracebackTests: XCTestCase {
  private func stack(_ interp: Interpreter, _ source: String) -> [StackFrame] {
    do {
      _ = try interp.evaluate(source, name: "t.meta")
      XCTFail("no error")
    } catch let e as MetaError {
      XCTAssertFalse(e.render().contains(":0:0"), e.render())
      return e.stack
    } catch { XCTFail("\(error)") }
    return []
  }

  func testCallbackFromANativeMethodNamesTheMethodCall() {
    // `tasks.sample()` is a native method that calls the sampler back.
    let frames = stack(Interpreter(output: { _ in }), "fn make() {\n  nil + 1\n}\nlet tasks = tasks_from(make)\nprint(tasks.sample())")
    XCTAssertEqual(frames.map(\.function), ["make", "<script>"])
    XCTAssertEqual(frames.map(\.loc), [SourceLoc(line: 2, column: 7), SourceLoc(line: 5, column: 13)])
  }

  func testCallbackFromAHostFunctionNamesItsCall() {
    let interp = Interpreter(output: { _ in })
    interp.register("call_with_one") { [unowned interp] args in try interp.call(args[0], [.int(1)]) }
    let frames = stack(interp, "fn bad(x) { x + nil }\nlet y = 2\ncall_with_one(bad)")
    XCTAssertEqual(frames.map(\.function), ["bad", "<script>"])
    XCTAssertEqual(frames.map(\.loc.line), [1, 3])
  }

  func testSamplerFailingInsideStdlibFitHasEveryPosition() {
    let source = """
      import nn
      fn make() {
        let x = randn([5, 1])
        Task(support: {x: x, y: x}, query: {x: x, y: x.foo})
      }
      let tasks = tasks_from(make)
      let learner = Learner(nn.mlp([1, 4, 1]), loss: mse, lr: 0.01, steps: 1)
      maml(learner, outer: adam(lr: 0.001)).fit(tasks, steps: 2, batch: 2)
      """
    let frames = stack(Interpreter(output: { _ in }), source)
    XCTAssertEqual(frames.first?.function, "make")
    XCTAssertEqual(frames.last?.loc.line, 8)
    XCTAssertTrue(frames.allSatisfy { $0.loc.line > 0 }, "\(frames)")
  }

  func testAReportWithoutAPositionOmitsIt() {
    var e = MetaError(.runtime, "boom", file: "<host>", loc: SourceLoc(line: 0, column: 0))
    e.stack = [StackFrame(function: "f", file: "t.meta", loc: SourceLoc(line: 3, column: 2)),
               StackFrame(function: "<host>", file: "<host>", loc: SourceLoc(line: 0, column: 0))]
    XCTAssertEqual(e.render(), "<host>: error: boom\nstack traceback:\n    t.meta:3:2: in f\n    <host>: in <host>")
  }

  /// An error raised inside the stdlib is reported at the user's call first
  /// (its line and caret), then where inside the stdlib, then the traceback.
  func testAnErrorInsideTheStdlibNamesTheUsersCallFirst() throws {
    let interp = Interpreter(output: { _ in })
    let source = "import nn\nlet algo = maml(Learner(nn.mlp([2, 16, 1]), lr: 0.01))\nalgo.fit(sine_tasks(), steps: 2, batch: 5, quiet: true)\n"
    do {
      _ = try interp.evaluate(source, name: "run.meta")
      XCTFail("an mlp taking 2 features cannot take sine tasks' 1")
    } catch let error as MetaError {
      let lines = error.render().split(separator: "\n").map(String.init)
      XCTAssertEqual(lines[0], "run.meta:3:6: error: mlp: the model takes 2 input features (nn.mlp([2, 16, 1])), the data has 1 (x of shape [5, 10, 1])")
      XCTAssertEqual(lines[1], "    algo.fit(sine_tasks(), steps: 2, batch: 5, quiet: true)")
      XCTAssertEqual(lines[2], "         ^")
      XCTAssertTrue(lines[3].hasPrefix("  raised inside the stdlib at <stdlib>/nn.meta:"), lines[3])
      XCTAssertTrue(lines[3].hasSuffix("(in mlp_apply)"), lines[3])
      XCTAssertEqual(error.file, "<stdlib>/nn.meta", "the error itself still says where it was raised")
      XCTAssertTrue(lines.contains("stack traceback:"))
    }
  }
}
