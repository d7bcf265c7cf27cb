// Modules: `import nn` (search paths, then META_PATH, then the stdlib embedded
// in the binary) and `import "lib/util.meta" as util` (relative to the importing
// file). Each module runs once per interpreter in its own global environment;
// its value is the record of its top-level bindings.

import Foundation

/// Loaded modules by canonical path (or `<stdlib>/name.meta`), and the ones loading now.
final class ModuleCache {
  enum Entry {
    case loading
    case loaded(Value)
  }
  var entries: [String: Entry] = [:]
  var envs: [Env] = []

  func clear() {
    for env in envs { env.clear() }
    entries = [:]
  }
}

/// `import name` / `import "path" as name`.
final class ImportStmt: StmtNode {
  enum Source {
    case module(String)
    case file(String)
  }
  let source: Source
  let target: BindTarget
  let loc: SourceLoc

  init(source: Source, target: BindTarget, loc: SourceLoc) {
    self.source = source; self.target = target; self.loc = loc
  }

  override func exec(_ rt: Runtime) throws -> Flow {
    try target.bind(rt, try rt.importModule(source, at: loc))
    return .normal
  }
}

/// Where a module's text comes from.
struct ModuleLocation {
  /// The cache key: a canonical path, or `<stdlib>/name.meta` for embedded ones.
  let key: String
  /// The name errors show.
  let file: String
  /// The module as the import wrote it (a name or a relative path), for messages.
  let written: String
  let directory: String?
  let source: String
}

extension Runtime {
  func importModule(_ source: ImportStmt.Source, at loc: SourceLoc) throws -> Value {
    let location = try locateModule(source, at: loc)
    switch modules.entries[location.key] {
    case .loaded(let value)?: return value
    case .loading?:
      throw error("circular import of '\(location.written)'", at: loc)
    case nil: break
    }
    modules.entries[location.key] = .loading
    var done = false
    defer { if !done { modules.entries[location.key] = nil } }
    let env = Env(undefined: .native(undefinedMarker))
    modules.envs.append(env)
    let name = location.file
    let (proto, _) = try compile(
      location.source, file: location.file, directory: location.directory, env: env, name: "<module \(name)>")
    _ = try runTopLevel(proto, at: loc)
    var record = Record()
    for (slot, key) in env.names.enumerated() where env.declared[slot] && env.isDefined(slot) {
      record[key] = env.values[slot]
    }
    let value = Value.record(record)
    modules.entries[location.key] = .loaded(value)
    done = true
    return value
  }

  func locateModule(_ source: ImportStmt.Source, at loc: SourceLoc) throws -> ModuleLocation {
    let fm = FileManager.default
    switch source {
    case .module(let name):
      let envPaths = (ProcessInfo.processInfo.environment["META_PATH"] ?? "")
        .split(separator: ":").map(String.init)
      for dir in searchPaths + envPaths {
        let path = (dir as NSString).appendingPathComponent(name + ".meta")
        if fm.fileExists(atPath: path) { return try readModule(path, written: name, at: loc) }
      }
      if let text = StdlibSources.files[name] {
        let file = "<stdlib>/\(name).meta"
        return ModuleLocation(key: file, file: file, written: name, directory: nil, source: text)
      }
      throw error("module '\(name)' not found", at: loc)
    case .file(let relative):
      let base = currentProto.directory ?? fm.currentDirectoryPath
      let path = relative.hasPrefix("/") ? relative : (base as NSString).appendingPathComponent(relative)
      guard fm.fileExists(atPath: path) else { throw error("cannot import '\(relative)': file not found", at: loc) }
      return try readModule(path, written: relative, at: loc)
    }
  }

  private func readModule(_ path: String, written: String, at loc: SourceLoc) throws -> ModuleLocation {
    let canonical = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
      throw error("cannot read '\(written)'", at: loc)
    }
    let file = (path as NSString).standardizingPath
    return ModuleLocation(
      key: canonical, file: file, written: written, directory: (file as NSString).deletingLastPathComponent,
      source: text)
  }
}
