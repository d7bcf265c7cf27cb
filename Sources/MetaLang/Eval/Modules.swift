// Modules: `import nn` (the host's loader, then the stdlib embedded in the
// binary) and `import "lib/util.meta" as util` (the loader, relative to the
// importing file). Each module runs once per interpreter in its own global
// environment; its value is the record of its top-level bindings.

/// Loaded modules by key (a canonical path, or `<stdlib>/name.meta`), the ones
/// loading now, and where modules come from.
final class ModuleCache {
  enum Entry {
    case loading
    case loaded(Value)
  }
  var entries: [String: Entry] = [:]
  var envs: [Env] = []
  /// The host's loader (`Interpreter.init(loader:)`).
  var loader: any ModuleLoader = FileModuleLoader()
  /// Prelude names whose module has not run yet, to the module (see Prelude.swift).
  var pendingPrelude: [String: String] = [:]

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

extension Runtime {
  func importModule(_ source: ImportStmt.Source, at loc: SourceLoc) throws -> Value {
    let (module, written) = try locateModule(source, at: loc)
    switch modules.entries[module.key] {
    case .loaded(let value)?: return value
    case .loading?:
      throw error("circular import of '\(written)'", at: loc)
    case nil: break
    }
    modules.entries[module.key] = .loading
    var done = false
    defer { if !done { modules.entries[module.key] = nil } }
    let env = Env(undefined: .native(undefinedMarker))
    modules.envs.append(env)
    let (proto, _) = try compile(
      module.text, file: module.name, directory: module.directory, env: env, name: "<module \(module.name)>")
    _ = try runTopLevel(proto, at: loc)
    var record = Record()
    for (slot, key) in env.names.enumerated() where env.declared[slot] && env.isDefined(slot) {
      record[key] = env.values[slot]
    }
    let value = Value.record(record)
    modules.entries[module.key] = .loaded(value)
    done = true
    return value
  }

  /// The module an import means (the host's loader first, then the embedded
  /// stdlib for `import name`) and the module as the import wrote it, for messages.
  private func locateModule(_ source: ImportStmt.Source, at loc: SourceLoc) throws -> (ModuleSource, String) {
    switch source {
    case .module(let name):
      if let module = try askLoader(at: loc, { try $0.module(named: name) }) { return (module, name) }
      if let text = StdlibSources.files[name] {
        let file = MetaError.stdlibPrefix + "\(name).meta"
        return (ModuleSource(key: file, name: file, text: text), name)
      }
      throw error("module '\(name)' not found", at: loc)
    case .file(let path):
      let directory = currentProto.directory
      if let module = try askLoader(at: loc, { try $0.module(atPath: path, from: directory) }) {
        return (module, path)
      }
      throw error("cannot import '\(path)': file not found", at: loc)
    }
  }

  /// A loader's error becomes a Meta error at the import, as a host function's does.
  private func askLoader(
    at loc: SourceLoc, _ body: (any ModuleLoader) throws -> ModuleSource?
  ) throws -> ModuleSource? {
    do { return try body(modules.loader) } catch { throw locateHostError(error, at: loc) }
  }
}
