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
}
