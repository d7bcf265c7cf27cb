// The resolver: scopes and names. It walks the syntax tree once, gives every
// variable a slot (frame, box or global), reports every scope error before the
// program runs, and builds the executable node tree (ResolverStmt/ResolverExpr).

/// A local variable of one function (or of the top-level program's inner blocks).
final class VarInfo {
  let name: String
  let slot: Int
  let isConst: Bool
  /// Bound by `let` to a list literal: a mutating list method on it is refused
  /// before running (other `let` values are judged by the method, at run time).
  var isLetList = false
  var captured = false
  /// Nodes that must treat the slot as a box if a closure captures the variable.
  var users: [SlotUser] = []
  init(name: String, slot: Int, isConst: Bool) { self.name = name; self.slot = slot; self.isConst = isConst }
}

/// The resolver's view of one function being compiled.
final class FunctionScope {
  let proto: FunctionProto
  /// The top-level program: its outermost block holds globals, not locals.
  let isScript: Bool
  var blocks: [[String: VarInfo]] = [[:]]
  var vars: [VarInfo] = []
  var loopDepth = 0
  /// Captured variables, by capture index.
  var captures: [VarInfo] = []
  /// Capture index by variable: a closure may capture thousands (a scan each is quadratic).
  private var captureIndex: [ObjectIdentifier: Int] = [:]
  /// A local `fn name` refers to itself through a hidden local, bound to the running
  /// function on entry, instead of capturing its own binding: a closure holding the
  /// box that holds the closure would be a reference cycle, never freed.
  var selfName: String?
  var selfVar: VarInfo?

  init(proto: FunctionProto, isScript: Bool) { self.proto = proto; self.isScript = isScript }

  func findLocal(_ name: String) -> VarInfo? {
    for (depth, block) in blocks.enumerated().reversed() {
      if isScript && depth == 0 { break }
      if let v = block[name] { return v }
    }
    guard name == selfName else { return nil }
    if let selfVar { return selfVar }
    // Made on first use, so functions that never name themselves pay nothing.
    let v = VarInfo(name: name, slot: vars.count, isConst: true)
    vars.append(v)
    selfVar = v
    return v
  }

  func addCapture(_ v: VarInfo, source: FunctionProto.CaptureSource) -> Int {
    if let i = captureIndex[ObjectIdentifier(v)] { return i }
    captureIndex[ObjectIdentifier(v)] = captures.count
    captures.append(v)
    proto.captureSources.append(source)
    return captures.count - 1
  }
}

/// What a name refers to.
enum NameRef {
  case local(VarInfo)
  case capture(Int, VarInfo)
  /// A global slot; `constant` when it cannot be assigned; `declared` false when no
  /// program has declared it (reading it may fail at run time, assigning is an error).
  case global(Env, Int, constant: Bool, declared: Bool)
}

final class Resolver {
  let rt: Runtime
  let env: Env
  let file: String
  let directory: String?
  var errors: [MetaError] = []
  var functions: [FunctionScope] = []
  /// Top-level names this program declares (collected first so functions can
  /// assign globals declared further down): name to constness.
  var programGlobals: [String: Bool] = [:]
  /// Those of `programGlobals` first declared by `let` to a list literal.
  var programLetLists: Set<String> = []
  /// Top-level names declared so far, to report duplicates.
  var seenGlobals: Set<String> = []
  /// Stops a long compilation (see CompilePoll).
  var poll: CompilePoll?
  /// Reads of globals that nothing declares (not the program, not an earlier
  /// run, not the builtins or the prelude): errors when it runs, which
  /// `meta check` reports beforehand, as pyflakes does.
  var undeclaredReads: [(name: String, loc: SourceLoc)] = []

  init(rt: Runtime, env: Env, file: String, directory: String?) {
    self.rt = rt; self.env = env; self.file = file; self.directory = directory
  }

  var current: FunctionScope {
    // `functions` is never empty while resolving: compile() pushes the script scope first.
    functions[functions.count - 1]
  }

  func fail(_ message: String, _ loc: SourceLoc) {
    errors.append(MetaError(.resolve, message, file: file, loc: loc))
  }

  /// Compiles a whole program; the last expression statement's value is left in
  /// `returnValue` (with flow `.returnValue`).
  func compile(_ program: Program, name: String) -> FunctionProto {
    let proto = FunctionProto(name: name, file: file, directory: directory)
    collectGlobals(program)
    functions.append(FunctionScope(proto: proto, isScript: true))
    proto.body = SeqStmt(statements(program.statements, tail: true))
    finish(current)
    functions.removeLast()
    return proto
  }

  private func collectGlobals(_ program: Program) {
    func names(_ p: Pattern, _ constant: Bool, _ isLetList: Bool = false) {
      switch p {
      case .name(let n, _):
        if programGlobals[n] == nil, isLetList { programLetLists.insert(n) }
        programGlobals[n] = programGlobals[n] ?? constant
      case .list(let ps, _): for q in ps { names(q, constant) }
      }
    }
    for stmt in program.statements {
      switch stmt {
      case .binding(let mutable, let p, let value, _): names(p, !mutable, !mutable && Self.isListLiteral(value))
      case .function(let f): if let n = f.name { programGlobals[n] = programGlobals[n] ?? true }
      case .importModule(let n, _): programGlobals[n] = programGlobals[n] ?? true
      case .importFile(_, let alias, _): programGlobals[alias] = programGlobals[alias] ?? true
      default: break
      }
    }
  }

  /// Marks captured variables' nodes as boxed and sizes the frame.
  func finish(_ scope: FunctionScope) {
    for v in scope.vars where v.captured {
      for user in v.users { user.boxed = true }
    }
    scope.proto.frameSize = scope.vars.count
    scope.proto.boxedParams = scope.vars.prefix(scope.proto.params.count).filter(\.captured).map(\.slot)
    if let v = scope.selfVar { scope.proto.selfSlot = (v.slot, boxed: v.captured) }
  }

  // MARK: Scopes

  var atGlobalLevel: Bool { current.isScript && current.blocks.count == 1 }

  func pushBlock() { current.blocks.append([:]) }
  func popBlock() { current.blocks.removeLast() }

  /// Declares a name in the innermost scope and returns where its value goes.
  /// `isLetList`: bound by `let` to a list literal (see `VarInfo.isLetList`).
  func declare(
    _ name: String, constant: Bool, isLet: Bool = false, isLetList: Bool = false, _ loc: SourceLoc
  ) -> BindTarget {
    if atGlobalLevel {
      if seenGlobals.contains(name) { fail("'\(name)' is already declared in this scope", loc) }
      seenGlobals.insert(name)
      return GlobalBind(env: env, slot: env.declare(name, constant: constant, isLet: isLet))
    }
    let v = declareLocal(name, constant: constant, loc)
    v.isLetList = isLetList
    let target = LocalBind(slot: v.slot)
    v.users.append(target)
    return target
  }

  func declareLocal(_ name: String, constant: Bool, _ loc: SourceLoc) -> VarInfo {
    let scope = current
    if scope.blocks[scope.blocks.count - 1][name] != nil {
      fail("'\(name)' is already declared in this scope", loc)
    }
    let v = VarInfo(name: name, slot: scope.vars.count, isConst: constant)
    scope.vars.append(v)
    scope.blocks[scope.blocks.count - 1][name] = v
    return v
  }

  func declarePattern(_ p: Pattern, constant: Bool, isLet: Bool = false, isLetList: Bool = false) -> BindTarget {
    switch p {
    case .name(let n, let loc): return declare(n, constant: constant, isLet: isLet, isLetList: isLetList, loc)
    case .list(let ps, let loc):
      return ListBind(targets: ps.map { declarePattern($0, constant: constant, isLet: isLet) }, loc: loc)
    }
  }

  // MARK: Names

  func lookup(_ name: String) -> NameRef {
    if let v = current.findLocal(name) { return .local(v) }
    if let (i, v) = capture(name, in: functions.count - 1) { return .capture(i, v) }
    return global(name)
  }

  /// Finds `name` in an enclosing function and threads it through every function in between.
  private func capture(_ name: String, in index: Int) -> (Int, VarInfo)? {
    guard index > 0 else { return nil }
    let parent = functions[index - 1]
    if let v = parent.findLocal(name) {
      v.captured = true
      return (functions[index].addCapture(v, source: .local(v.slot)), v)
    }
    guard let (i, v) = capture(name, in: index - 1) else { return nil }
    return (functions[index].addCapture(v, source: .capture(i)), v)
  }

  private func global(_ name: String) -> NameRef {
    if let constant = programGlobals[name] {
      return .global(env, env.slotCreating(name), constant: constant, declared: true)
    }
    if let s = env.slot(name), env.declared[s] {
      return .global(env, s, constant: env.isConst[s], declared: true)
    }
    if env !== rt.base, let s = rt.base.slot(name), rt.base.declared[s] {
      // Builtins and the prelude: readable everywhere, shadowed by a declaration.
      return .global(rt.base, s, constant: true, declared: true)
    }
    return .global(env, env.slotCreating(name), constant: false, declared: false)
  }

  /// Whether `name` is known to be a `let`-bound list, so `name.append(v)` can be
  /// rejected before running: bound to a list literal, or (an earlier REPL input's
  /// `let`) holding a list now. Anything else is left to the run-time check, which
  /// refuses only mutating list methods on a list: a method is judged by what it does.
  func isLetList(_ name: String) -> Bool {
    switch lookup(name) {
    case .local(let v), .capture(_, let v): return v.isLetList
    case .global(let env, let slot, _, let declared):
      if programGlobals[name] != nil { return programLetLists.contains(name) }
      guard declared, env.letBound.contains(name), case .list = env.values[slot] else { return false }
      return true
    }
  }

  /// `[a, b]`: the one initializer the resolver knows makes a list.
  static func isListLiteral(_ e: Expr) -> Bool {
    if case .list = e { return true }
    return false
  }

  /// A node reading `name`.
  func read(_ name: String, _ loc: SourceLoc) -> ExprNode {
    switch lookup(name) {
    case .local(let v):
      let node = LocalGet(slot: v.slot, name: name, loc: loc)
      v.users.append(node)
      return node
    case .capture(let i, _): return CaptureGet(index: i, name: name, loc: loc)
    case .global(let env, let slot, _, let declared):
      if !declared { undeclaredReads.append((name, loc)) }
      return GlobalGet(env: env, slot: slot, name: name, loc: loc)
    }
  }
}
