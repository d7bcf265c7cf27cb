// The embedded stdlib must match stdlib/*.meta: run scripts/embed-stdlib after editing.

import Foundation
import XCTest

@testable import MetaLang

final class StdlibSourcesTests: XCTestCase {
  func testEmbeddedStdlibIsUpToDate() throws {
    let dir = ScriptTests.root.appendingPathComponent("stdlib")
    let files = try FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
      .filter { $0.pathExtension == "meta" }
    XCTAssertFalse(files.isEmpty, "no stdlib files in \(dir.path)")
    var onDisk: [String: String] = [:]
    for url in files {
      onDisk[url.deletingPathExtension().lastPathComponent] = try String(contentsOf: url, encoding: .utf8)
    }
    XCTAssertEqual(
      Set(StdlibSources.files.keys), Set(onDisk.keys), "stdlib changed: run scripts/embed-stdlib")
    for (name, text) in onDisk {
      XCTAssertEqual(StdlibSources.files[name], text, "stdlib/\(name).meta changed: run scripts/embed-stdlib")
    }
  }

  func testPreludeLoadsCleanly() {
    let interp = Interpreter(output: { _ in })
    XCTAssertEqual(interp.loadPrelude().map(\.message), [])
    XCTAssertNotNil(interp[global: "identity"])
  }

  /// The generated name lists are what the parser sees, and prelude modules hold
  /// only `fn` declarations, so running one lazily is invisible to programs.
  func testTopLevelNamesMatchTheParser() {
    XCTAssertEqual(Set(StdlibSources.topLevelNames.keys), Set(StdlibSources.files.keys))
    for (module, text) in StdlibSources.files {
      let (program, errors) = Parser.parse(text, file: module)
      XCTAssertTrue(errors.isEmpty, "\(module): \(errors.map(\.message))")
      var declared: [String] = []
      for statement in program.statements {
        switch statement {
        case .function(let f): declared.append(f.name ?? "")
        case .binding(_, .name(let name, _), _, _):
          declared.append(name)
          XCTAssertFalse(Interpreter.preludeModules.contains(module), "\(module): `let`/`var` in a prelude module")
        default: XCTFail("\(module):\(statement.loc.line): a statement that is not a declaration")
        }
      }
      XCTAssertEqual(StdlibSources.topLevelNames[module], declared, "\(module): run scripts/embed-stdlib")
    }
  }

  func testPreludeModulesRunOnFirstUse() throws {
    let interp = Interpreter()
    XCTAssertEqual(interp.rt.pendingPreludeModules, Interpreter.preludeModules.sorted())
    // Completion lists the names before their module has run.
    XCTAssertTrue(interp.globalNames.contains("maml") && interp.globalNames.contains("identity"))
    XCTAssertEqual(try interp.evaluate("identity(7)").description, "7")
    XCTAssertFalse(interp.rt.pendingPreludeModules.contains("prelude"))
    XCTAssertTrue(interp.rt.pendingPreludeModules.contains("metaopt"))
    // Reading through the host loads as well.
    XCTAssertEqual(interp[global: "maml"]?.description, "<fn maml>")
    XCTAssertFalse(interp.rt.pendingPreludeModules.contains("metaopt"))
    // A function's own module runs when it is first called inside another one.
    XCTAssertEqual(try interp.evaluate("type(Learner(nil))").description, "Learner")
    XCTAssertEqual(try interp.evaluate("fn f() { [either(nil, 1), either(2, 1)] }\nf()").description, "[1, 2]")
  }

  /// A name the host defines before its prelude module runs keeps the host's value,
  /// as it would had the module run at start-up.
  func testHostDefinitionsOutliveLazyModules() throws {
    let interp = Interpreter()
    interp.define("sgd", .int(5))
    XCTAssertEqual(try interp.evaluate("type(adam())").description, "Optimizer")
    XCTAssertEqual(try interp.evaluate("sgd").description, "5")
    XCTAssertEqual(interp[global: "sgd"]?.description, "5")
    // A builtin defined at start-up beside a prelude name wins the same way.
    XCTAssertEqual(try interp.evaluate("clamp(15, 0, 10)").description, "10")
  }

  /// Errors inside the stdlib point at the embedded file, line and column.
  func testStdlibErrorsPointAtTheStdlibFile() {
    let interp = Interpreter()
    XCTAssertThrowsError(try interp.evaluate("Learner(nil, steps: -1)")) { error in
      let e = error as? MetaError
      XCTAssertEqual(e?.file, "<stdlib>/learner.meta")
      XCTAssertEqual(e?.message, "assertion failed: Learner: steps must not be negative (got -1)")
      XCTAssertEqual(e?.sourceLine?.trimmingCharacters(in: .whitespaces).hasPrefix("assert steps >= 0"), true)
      XCTAssertEqual(e?.stack.map(\.function), ["Learner", "<script>"])
    }
    XCTAssertThrowsError(try interp.evaluate("nothing_here + 1")) { error in
      XCTAssertEqual((error as? MetaError)?.message, "attempt to read undefined variable 'nothing_here'")
    }
  }

  func testEveryStdlibModuleImports() throws {
    for name in StdlibSources.files.keys where name != "prelude" {
      let interp = Interpreter(output: { _ in })
      XCTAssertNoThrow(try interp.evaluate("import \(name)"), "import \(name)")
    }
  }
}
