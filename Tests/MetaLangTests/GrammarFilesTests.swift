import Foundation
import XCTest

@testable import MetaLang

/// Every `.meta` file in the repository parses, and the normative grammar names
/// every keyword and operator the lexer knows.
final class GrammarFilesTests: XCTestCase {
  /// The repository root: three levels above this file (symbolic links resolved,
  /// so the test also works from a package that links this file in).
  private var repositoryRoot: URL {
    URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
      .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  }

  private func metaFiles(under folder: String) -> [URL] {
    let base = repositoryRoot.appendingPathComponent(folder)
    guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else { return [] }
    return walker.compactMap { $0 as? URL }.filter { $0.pathExtension == "meta" }
  }

  func testEveryMetaFileInTheRepositoryParses() throws {
    var checked = 0
    var failures: [String] = []
    for folder in ["samples", "stdlib", "Tests/programs", "bench"] {
      for url in metaFiles(under: folder) {
        let source = try String(contentsOf: url, encoding: .utf8)
        // Deliberately malformed programs say so.
        if folder == "Tests/programs", source.contains("# expect syntax error") { continue }
        checked += 1
        let path = String(url.path.dropFirst(repositoryRoot.path.count + 1))
        for error in Parser.parse(source, file: path).errors { failures.append(error.description) }
      }
    }
    XCTAssertGreaterThan(checked, 0, "no .meta files found under \(repositoryRoot.path)")
    XCTAssertEqual(failures, [], "syntax errors in \(failures.count) place(s)")
  }

  func testDeliberatelyMalformedProgramsFailAsTheySay() throws {
    for url in metaFiles(under: "Tests/programs") {
      let source = try String(contentsOf: url, encoding: .utf8)
      guard let line = source.split(separator: "\n").first(where: { $0.hasPrefix("# expect syntax error:") })
      else { continue }
      let expected = line.dropFirst("# expect syntax error:".count).trimmingCharacters(in: .whitespaces)
      let messages = Parser.parse(source, file: url.lastPathComponent).errors.map(\.message)
      XCTAssertTrue(messages.contains(expected), "\(url.lastPathComponent): \(messages)")
    }
  }

  func testGrammarNamesEveryKeywordAndSymbol() throws {
    let grammar = try String(
      contentsOf: repositoryRoot.appendingPathComponent("grammar/meta.ebnf"), encoding: .utf8)
    for keyword in Keyword.allCases {
      XCTAssertTrue(grammar.contains("\"\(keyword.rawValue)\""), "keyword \(keyword.rawValue)")
    }
    for symbol in Symbol.allCases {
      XCTAssertTrue(grammar.contains("\"\(symbol.rawValue)\""), "symbol \(symbol.rawValue)")
    }
    XCTAssertTrue(grammar.contains("maxParseDepth (\(maxParseDepth))"))
  }
}

/// docs/tensors.md is the tensor reference: every tensor op a script can call
/// has an entry (a `### \`name(...)\`` heading), and every entry names an op
/// that exists.
final class TensorReferenceTests: XCTestCase {
  private var reference: String {
    get throws {
      let root = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
      return try String(contentsOf: root.appendingPathComponent("docs/tensors.md"), encoding: .utf8)
    }
  }

  /// The op names the headings document: `### \`name(...)\``, `### \`t.name(...)\``,
  /// and several per heading (`zeros(...)`, `ones(...)`).
  private func documentedNames() throws -> Set<String> {
    var names = Set<String>()
    for line in try reference.split(separator: "\n") where line.hasPrefix("### ") {
      for piece in line.split(separator: "`").enumerated() where piece.offset % 2 == 1 {
        var text = Substring(piece.element)
        if let dot = text.firstIndex(of: "."), let paren = text.firstIndex(of: "("), dot < paren {
          text = text[text.index(after: dot)...]  // t.name(...) and d.name(...)
        }
        if let paren = text.firstIndex(of: "(") { names.insert(String(text[..<paren])) }
      }
    }
    return names
  }

  func testEveryTensorOpIsDocumented() throws {
    let documented = try documentedNames()
    let missing = Set(TensorOps.all.map(\.name)).subtracting(documented).sorted()
    XCTAssertEqual(missing, [], "tensor ops without an entry in docs/tensors.md")
  }

  func testEveryEntryNamesAnOp() throws {
    let interpreter = Interpreter()
    // Methods of distributions (`d.sample(...)`) are not globals; distributions.meta runs them.
    let distributionMethods: Set = ["sample", "rsample", "log_prob", "entropy"]
    var unknown: [String] = []
    for name in try documentedNames().sorted() where TensorOps.methods[name] == nil && !distributionMethods.contains(name) {
      if (try? interpreter.evaluate(name)) == nil { unknown.append(name) }
    }
    XCTAssertEqual(unknown, [], "entries in docs/tensors.md that name no op")
  }
}
