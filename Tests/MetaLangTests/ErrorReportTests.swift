import MetaLang
import XCTest

/// Running a file with several syntax errors reports all of them, not just the first.
final class ErrorReportTests: XCTestCase {
  func testEverySyntaxErrorOfARunIsReported() throws {
    let source = "let x = (1 +\nlet y = 2\nprint(1))\nlet z = ]\n"
    let meta = Interpreter(output: { _ in })
    do {
      try meta.evaluate(source, name: "bad.meta")
      XCTFail("expected a syntax error")
    } catch let error as MetaError {
      let all = [error] + error.followingErrors
      XCTAssertEqual(all.map(\.loc.line), [2, 3, 4])
      XCTAssertTrue(all.allSatisfy { $0.kind == .syntax && $0.sourceLine != nil })
      let text = error.render()
      XCTAssertTrue(text.hasPrefix("bad.meta:2:1: error: "), text)
      XCTAssertTrue(text.contains("\nbad.meta:3:"), text)
      XCTAssertTrue(text.contains("\nbad.meta:4:"), text)
    }
  }

  func testASingleErrorHasNoFollowers() throws {
    let meta = Interpreter(output: { _ in })
    XCTAssertThrowsError(try meta.evaluate("let = 1", name: "one.meta")) { error in
      XCTAssertEqual((error as? MetaError)?.followingErrors.count, 0)
    }
  }
}
