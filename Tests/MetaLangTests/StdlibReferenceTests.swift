// docs/stdlib.md is generated from the stdlib: every top-level `fn` not named
// `_...`, its signature and doc comment, as `help` shows them (Help.declaration).
// This test rebuilds the page from the embedded sources and compares; with
// META_REGENERATE_DOCS=1 in the environment it writes the page instead.

import Foundation
@testable import MetaLang
import XCTest

final class StdlibReferenceTests: XCTestCase {
  static let header = """
    <!-- GENERATED from stdlib/*.meta by StdlibReferenceTests: do not edit. To regenerate after
         editing the stdlib (and scripts/embed-stdlib): META_REGENERATE_DOCS=1 swift test
         --disable-swift-testing --filter StdlibReferenceTests -->
    """

  /// The page: modules in load order (the prelude's first), each function's
  /// `### \`signature\`` heading and its doc comment.
  static func page() -> String {
    let prelude = Interpreter.preludeModules
    let modules = prelude + StdlibSources.files.keys.filter { !prelude.contains($0) }.sorted()
    var out = [header, "", "# The standard library", "",
      "Functions written in Meta, in `stdlib/`. The prelude modules (\(prelude.map { "`\($0)`" }.joined(separator: ", "))) "
        + "need no import; the others are records bound by `import name`. `help(f)` shows the same text. "
        + "The builtins written in Swift are in [builtins.md](builtins.md) and [tensors.md](tensors.md).", ""]
    for module in modules {
      guard let source = StdlibSources.files[module] else { continue }
      let entries = functions(in: source)
      guard !entries.isEmpty else { continue }
      let how = prelude.contains(module) ? "in the prelude (no import needed)" : "`import \(module)`, then `\(module).name(...)`"
      out += ["## \(module)", "", "`stdlib/\(module).meta`: \(how).", ""]
      for (signature, doc) in entries {
        out += ["### `\(signature)`", ""] + (doc.isEmpty ? [] : doc + [""])
      }
    }
    return out.joined(separator: "\n")
  }

  /// The top-level `fn`s (declared in column 1) whose names do not start with `_`.
  static func functions(in source: String) -> [(signature: String, doc: [String])] {
    var found: [(String, [String])] = []
    for (n, line) in source.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
    where line.hasPrefix("fn ") && !line.dropFirst(3).hasPrefix("_") {
      if let entry = Help.declaration(in: source, line: n + 1) { found.append(entry) }
    }
    return found
  }

  func testStdlibPageIsUpToDate() throws {
    let url = ScriptTests.root.appendingPathComponent("docs/stdlib.md")
    let expected = Self.page()
    if ProcessInfo.processInfo.environment["META_REGENERATE_DOCS"] == "1" {
      try expected.write(to: url, atomically: true, encoding: .utf8)
    }
    XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), expected,
                   "docs/stdlib.md is out of date: regenerate it as its first line says")
  }

  func testThePageHasEveryPublicFunction() {
    let text = Self.page()
    XCTAssertTrue(text.contains("### `sgd(lr = 0.01, momentum = 0.0, weight_decay = 0.0"))
    XCTAssertTrue(text.contains(")`\n\nStochastic gradient descent"))
    XCTAssertTrue(text.contains("## nn\n\n`stdlib/nn.meta`: `import nn`, then `nn.name(...)`.\n"))
    XCTAssertFalse(text.contains("## nn_ops"), "a module without functions gets no section")
    let count = StdlibSources.files.values.map { Self.functions(in: $0).count }.reduce(0, +)
    XCTAssertEqual(count, text.components(separatedBy: "\n### `").count - 1)
  }
}
