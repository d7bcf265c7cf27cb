// help(x): a Meta function's signature and the comment above its `fn`; a
// builtin's entry in the embedded reference pages, which must match docs/.

import Foundation
@testable import MetaLang
import XCTest

final class HelpTests: XCTestCase {
  private func help(_ source: String) throws -> String {
    var printed = ""
    let interpreter = Interpreter(output: { printed += $0 })
    _ = try interpreter.evaluate(source, name: "h.meta")
    return printed
  }

  func testAMetaFunctionShowsItsSignatureAndDocComment() throws {
    let text = try help("""
      # Adds `by` to x.
      #   (indented lines keep their indent)
      fn add(x,
             by = [1, 2]) { x + by }
      help(add)
      help(fn(a, b = 2) { a })
      """)
    XCTAssertEqual(text, """
      add(x, by = [1, 2])

      Adds `by` to x.
        (indented lines keep their indent)
      (h.meta:3)
      fn(a, b = 2)
      (h.meta:6)

      """)
  }

  func testAStdlibFunctionIsDocumentedFromItsSource() throws {
    let text = try help("help(sgd)")
    XCTAssertTrue(text.hasPrefix("sgd(lr = 0.01, momentum = 0.0, weight_decay = 0.0"), text)
    XCTAssertTrue(text.contains(")\n\nStochastic gradient descent"), text)
    XCTAssertTrue(text.contains("(<stdlib>/optim.meta:"), text)
  }

  func testABuiltinShowsItsReferenceEntry() throws {
    let text = try help("help(logsumexp)\nhelp(\"safe_sqrt\")")
    XCTAssertTrue(text.hasPrefix("logsumexp(x, axis: nil, keepdims: false)\n\n`log(sum(exp(x)))`"), text)
    XCTAssertTrue(text.contains("\n(docs/tensors.md)\nsafe_sqrt(x)\n\nThe square root, with derivative 0 at 0"), text)
  }

  func testWhatIsNotAFunctionSaysWhatToDo() throws {
    XCTAssertEqual(try help("help(3)"), "help: an Int is not a function; try help(\"name\") or help(f)\n")
    XCTAssertEqual(try help("help(\"no_such_thing\")"), "help: nothing documented is called 'no_such_thing'\n")
  }

  /// The embedded pages are the files in docs/ (run scripts/embed-docs after editing them).
  func testReferencePagesAreUpToDate() throws {
    for page in ReferencePages.order {
      let url = ScriptTests.root.appendingPathComponent("docs/\(page).md")
      XCTAssertEqual(ReferencePages.pages[page], try String(contentsOf: url, encoding: .utf8),
                     "docs/\(page).md changed: run scripts/embed-docs")
    }
  }
}
