// The prelude, loaded lazily. Parsing, resolving and running the whole stdlib
// at every start cost most of `meta`'s start-up, so an interpreter only declares
// the prelude's names (scripts/embed-stdlib lists them per module); the first
// read of one finds the undefined marker, runs its module into the builtins'
// environment and reads again. Prelude modules hold only `fn` declarations
// (StdlibSourcesTests checks), so when a module runs changes nothing a program
// can see, and the reads that already work never pay for the check.

extension Runtime {
  /// Declares the top-level names of `moduleNames` (constant, as `fn` makes
  /// them) in the builtins' environment, without running any module.
  func declarePrelude(_ moduleNames: [String]) {
    for module in moduleNames {
      for name in StdlibSources.topLevelNames[module] ?? [] {
        base.declare(name, constant: true)
        modules.pendingPrelude[name] = module
      }
    }
  }

  /// The value of the global `name`, whose slot in `env` holds the undefined
  /// marker: a prelude name loads its module and is read again; anything else is
  /// the usual error.
  func readUndefinedGlobal(_ env: Env, _ slot: Int, _ name: String, at loc: SourceLoc) throws -> Value {
    if env === base, let module = modules.pendingPrelude[name] {
      try loadPreludeModule(module, at: loc)
      if env.isDefined(slot) { return env.values[slot] }
    }
    let hint = NearestName.forGlobal(name, among: globalNames(seenFrom: env)).map { " (\($0))" } ?? ""
    throw error("attempt to read undefined variable '\(name)'" + hint, at: loc)
  }

  /// The globals a program running in `env` can read: its own, the builtins and the
  /// prelude's names not yet loaded (unsorted, possibly repeated).
  func globalNames(seenFrom env: Env) -> [String] {
    env.definedNames + base.definedNames + modules.pendingPrelude.keys
  }

  /// Runs the prelude module `module` into the builtins' environment, once.
  /// Names the host or a builtin defined in the meantime keep their value, as if
  /// the module had run at start-up and they had been defined after it.
  func loadPreludeModule(_ module: String, at loc: SourceLoc) throws {
    guard let source = StdlibSources.files[module] else { return }
    let names = StdlibSources.topLevelNames[module] ?? []
    let defined = names.compactMap { base.slot($0) }.filter { base.isDefined($0) }
    let kept = defined.map { ($0, base.values[$0]) }
    defer { for (slot, value) in kept { base.values[slot] = value } }
    for name in names { modules.pendingPrelude[name] = nil }
    do {
      let (proto, _) = try compile(
        source, file: "<stdlib>/\(module).meta", directory: nil, env: base, name: "<prelude>")
      _ = try runTopLevel(proto, at: loc)
    } catch {
      // Only a broken stdlib or a limit hit mid-load gets here: the next read tries again.
      for name in names { modules.pendingPrelude[name] = module }
      throw error
    }
  }

  /// Prelude modules that have not run yet.
  var pendingPreludeModules: [String] { Array(Set(modules.pendingPrelude.values)).sorted() }
}
