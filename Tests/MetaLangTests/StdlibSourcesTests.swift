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
    XCTAssertEqual(interp.preludeErrors.map(\.message), [])
    XCTAssertNotNil(interp[global: "identity"])
  }

  func testEveryStdlibModuleImports() throws {
    for name in StdlibSources.files.keys where name != "prelude" {
      let interp = Interpreter(output: { _ in })
      XCTAssertNoThrow(try interp.evaluate("import \(name)"), "import \(name)")
    }
  }
}
