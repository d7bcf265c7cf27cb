// How `import` finds modules: the host decides (as Wren's `loadModuleFn` and
// `resolveModuleFn`). The library ships one loader, for files; it reads no
// environment variable: the `meta` program hands it the directories of META_PATH.

import Foundation

/// A module's text, as a `ModuleLoader` found it.
public struct ModuleSource: Sendable {
  /// Identifies the module: imports that find the same key share one evaluation
  /// (`FileModuleLoader` uses the file's canonical path).
  public var key: String
  /// The name error messages and stack traces show (a path, for files).
  public var name: String
  /// The module's source text.
  public var text: String
  /// What `import "path"` inside this module resolves against: handed back to
  /// `ModuleLoader.module(atPath:from:)` (the file's directory, for files).
  public var directory: String?

  public init(key: String, name: String, text: String, directory: String? = nil) {
    self.key = key; self.name = name; self.text = text; self.directory = directory
  }
}

/// Finds the modules `import` asks for. Return nil for "no such module" (the
/// interpreter reports it at the import); throw to report why one cannot be read
/// (the error's description becomes the message). Either way the import is a
/// catchable Meta error.
public protocol ModuleLoader {
  /// The module `import name` means, or nil when the loader has none of that
  /// name. The stdlib embedded in the binary (`nn`, ...) is tried after the
  /// loader, so it is there whatever the loader does, and a loader can shadow it.
  func module(named name: String) throws -> ModuleSource?

  /// The module `import "path" as x` means, written in a module or script whose
  /// `directory` is `directory` (`Interpreter.run(file:)` gives the script's
  /// directory; nil for `evaluate`d source).
  func module(atPath path: String, from directory: String?) throws -> ModuleSource?
}

/// Modules from the file system: `import name` reads `name.meta` from the first
/// of `searchPaths` holding one; `import "path"` reads `path` relative to the
/// importing file's directory (the working directory for `evaluate`d source).
/// The interpreter's default, with no search paths; the `meta` program adds the
/// directories of `META_PATH`.
public struct FileModuleLoader: ModuleLoader {
  /// Directories searched, in order, for `import name`.
  public var searchPaths: [String]

  public init(searchPaths: [String] = []) { self.searchPaths = searchPaths }

  public func module(named name: String) throws -> ModuleSource? {
    for dir in searchPaths {
      let path = (dir as NSString).appendingPathComponent(name + ".meta")
      if FileManager.default.fileExists(atPath: path) { return try read(path, written: name) }
    }
    return nil
  }

  public func module(atPath path: String, from directory: String?) throws -> ModuleSource? {
    let base = directory ?? FileManager.default.currentDirectoryPath
    let full = path.hasPrefix("/") ? path : (base as NSString).appendingPathComponent(path)
    guard FileManager.default.fileExists(atPath: full) else { return nil }
    return try read(full, written: path)
  }

  private func read(_ path: String, written: String) throws -> ModuleSource {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
      throw BuiltinError("cannot read '\(written)'")
    }
    let canonical = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    let name = (path as NSString).standardizingPath
    return ModuleSource(
      key: canonical, name: name, text: text, directory: (name as NSString).deletingLastPathComponent)
  }
}
