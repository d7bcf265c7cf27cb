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

  /// A heading naming several functions, or a method (`t.name(...)`), documents each name.
  func testEveryNameInAHeadingFindsItsEntry() throws {
    XCTAssertTrue(try help("help(ones)").hasPrefix("ones(shape, dtype: \"float32\")\n\n"))
    XCTAssertTrue(try help("help(\"astype\")").hasPrefix("t.astype(dtype)\n\n"))
    let text = try help("help(range)\nhelp(enumerate)")
    XCTAssertTrue(text.hasPrefix("range(stop)\n\nThe List of Ints from `start`"), text)
    XCTAssertTrue(text.contains("(docs/builtins.md)\nenumerate(xs, start: 0)\n\n"), text)
  }

  /// An object (or record) lists its fields: methods as the user calls them
  /// (without `self`), other fields by kind; a native object its names.
  func testAnObjectListsItsMethodsAndFields() throws {
    let text = try help("import nn\nhelp(maml(Learner(nn.mlp([1, 1]))))\nhelp(sine_tasks())\nhelp({a: 1, f: fn(x) { x }})")
    let lines = text.split(separator: "\n").map(String.init)
    XCTAssertEqual(lines.first, "MetaOptimizer with:")
    XCTAssertTrue(lines.contains("  .kind: String"), text)
    XCTAssertTrue(lines.contains { $0.hasPrefix("  .fit(taskset, steps = 1000, batch = 25, checkpoint = nil") }, text)
    XCTAssertTrue(lines.contains("  .adapt(task, steps = nil)"), text)
    XCTAssertTrue(lines.contains { $0.hasPrefix("TaskSet: fields and methods ") && $0.contains("sample") }, text)
    XCTAssertEqual(Array(lines.suffix(3)), ["Record with:", "  .a: Int", "  .f(x)"])
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

  /// Every global the interpreter registers natively, as `Interpreter.init` does.
  private var builtinNames: Set<String> { Set((Builtins.all() + Builtins.clampBuiltins()).map(\.name)) }

  /// Every builtin has an entry `help` finds: tensor ops in docs/tensors.md, the rest in
  /// docs/builtins.md. Stdlib functions are documented
  /// by their comments instead (docs/stdlib.md, StdlibReferenceTests).
  func testEveryBuiltinHasAReferenceEntry() {
    let missing = builtinNames.filter { Help.entry(named: $0) == nil }.sorted()
    XCTAssertEqual(missing, [], "builtins without a `### \\`name(...)\\`` entry: add one to docs/builtins.md and run scripts/embed-docs")
  }

  /// And every entry of docs/builtins.md names a builtin, so a removed one cannot linger.
  func testEveryBuiltinsPageEntryNamesABuiltin() throws {
    let page = try XCTUnwrap(ReferencePages.pages["builtins"])
    var unknown: [String] = [], count = 0
    for line in page.split(separator: "\n") where line.hasPrefix("### ") {
      let names = Help.headingSignatures(line).map { String(Help.calledName($0)) }
      XCTAssertFalse(names.isEmpty, "a heading without a `name(...)`: \(line)")
      count += names.count
      unknown += names.filter { !builtinNames.contains($0) }
    }
    XCTAssertEqual(unknown, [], "entries in docs/builtins.md that name no builtin")
    XCTAssertGreaterThan(count, 30)
  }
}
