// The embedding facade: everything a host program needs, and nothing else.
// The interpreter never prints on its own (`print` output goes to `output`, progress
// to `diagnostics`) and reads no environment variable: the host hands it a module loader.
// Every evaluation runs on a thread with a large stack (see Limits.swift), so deep
// recursion ends in a catchable `stack overflow` error, never a crash.

import Foundation
import MetaKernels

/// Runs Meta programs. One interpreter holds one global environment, one
/// random stream and one set of loaded modules.
///
/// The host decides how modules are found and read: `import nn` and
/// `import "lib/util.meta" as util` ask the `ModuleLoader` given to `init`
/// (`FileModuleLoader` by default: files relative to the importing one, no
/// search paths). The stdlib embedded in the binary answers `import name` when
/// the loader has no module of that name, whatever the loader.
public final class Interpreter {
  /// Bounds that stop a runaway script with a catchable `limit` error.
  public struct Limits: Sendable {
    /// Evaluation steps per top-level call: Meta function calls and loop iterations, and
    /// costly builtins' work (`workPerStep` bytes or elements scanned or built make a
    /// step); nil for none.
    public var maxSteps: Int?
    /// Wall-clock seconds per top-level call, compiling included; nil for none.
    public var maxSeconds: Double?
    /// Bytes of tensor storage alive at once, over the interpreter's life (tensors the
    /// host holds count until freed); nil for none. A tensor that would pass it is
    /// refused with "out of memory: ..." (a catchable `limit` error), as is one the
    /// system cannot allocate. Lists and strings are bounded one by one instead
    /// (`maxCollectionSize`).
    public var maxMemory: Int?
    public init(maxSteps: Int? = nil, maxSeconds: Double? = nil, maxMemory: Int? = nil) {
      self.maxSteps = maxSteps; self.maxSeconds = maxSeconds; self.maxMemory = maxMemory
    }
  }

  /// The stdlib files whose names are every interpreter's globals (spec §6: the
  /// meta-learning names need no import; `nn` does). Each runs on the first read
  /// of one of its names (Eval/Prelude.swift), not at start-up.
  static let preludeModules = ["prelude", "optim", "learner", "metaopt", "fit", "algorithms", "memory", "evaluate", "rl", "maml_rl", "trpo"]

  let rt: Runtime
  /// Evaluations running on the evaluation thread (a host callback may evaluate again).
  private var running = 0
  private let hostProto = FunctionProto(name: "<host>", file: "<host>", directory: nil)

  /// Receives everything `print` writes, exactly as written (newlines included),
  /// and nothing else: a script's results, never its progress.
  public var output: (String) -> Void {
    get { rt.output }
    set { rt.output = newValue }
  }
  /// Receives what the run says about itself rather than its results: progress
  /// bars (`progress`, `fit`) and `eprint`. The `meta` program sends it to
  /// standard error, so `meta train.meta > results.txt` keeps only what the
  /// script printed. Discarded unless the host sets it.
  public var diagnostics: (String) -> Void {
    get { rt.diagnostics }
    set { rt.diagnostics = newValue }
  }
  /// Whether `diagnostics` reaches a terminal: progress bars then redraw one line
  /// with `\r` instead of writing plain lines. False unless the host says so.
  public var diagnosticsIsTerminal: Bool {
    get { rt.diagnosticsIsTerminal }
    set { rt.diagnosticsIsTerminal = newValue }
  }
  /// False silences every progress bar, `fit`'s included (`meta --quiet`); other
  /// diagnostics still reach `diagnostics`. True by default.
  public var showsProgress: Bool {
    get { rt.showsProgress }
    set { rt.showsProgress = newValue }
  }
  /// The ranks the script runs on (spec §8: `world()`, `all_reduce`, `broadcast`,
  /// `barrier`, and `fit`/`evaluate` splitting their batches); nil (the default) is
  /// one process, rank 0 of 1. The `meta` program sets an Open MPI one (MetaMPI)
  /// when an MPI launcher started it; the interpreter never starts one itself.
  public var communicator: (any Communicator)? {
    get { rt.communicator }
    set { rt.communicator = newValue }
  }
  public var limits = Limits()
  /// Bytes of tensor storage alive now, counted against `limits.maxMemory`.
  public var tensorBytesInUse: Int { rt.memory.bytesInUse }
  /// The script's `args` list.
  public var arguments: [String] = [] {
    didSet { rt.base.define("args", .list(arguments.map { .string($0) })) }
  }
  /// The interpreter's random stream (`seed`, `random`, tensors' initializers).
  public var random: RandomStream { rt.random }

  /// Threads (the evaluating one included) the tensor kernels may use while this
  /// interpreter evaluates; clamped to 1...256. Per interpreter: the worker
  /// threads come from one pool the process shares, but each evaluation is
  /// capped by its own interpreter's setting (`ThreadPool.withThreadLimit`), so
  /// other interpreters and the rest of the process keep theirs. Default: all
  /// online cores.
  public var threads: Int = ThreadPool.coreCount {
    didSet { threads = min(max(threads, 1), ThreadPool.threadCap) }
  }

  /// - Parameters:
  ///   - seed: seeds the interpreter's random stream (`--seed`); nil picks a fixed default.
  ///   - loader: finds the modules `import` names (see `ModuleLoader`); by default
  ///     files, relative to the importing file, with no search paths.
  ///   - output: where `print` writes; by default nowhere (the library prints nothing itself).
  ///   - diagnostics: where progress bars and `eprint` write (see `diagnostics`); by
  ///     default nowhere, so a host capturing `output` gets exactly what was printed.
  public init(
    seed: UInt64? = nil, loader: any ModuleLoader = FileModuleLoader(),
    output: @escaping (String) -> Void = { _ in },
    diagnostics: @escaping (String) -> Void = { _ in }
  ) {
    rt = Runtime(seed: seed ?? RandomStream.defaultSeed, output: output, diagnostics: diagnostics)
    rt.modules.loader = loader
    for b in Builtins.all() + Builtins.clampBuiltins() {
      let f = Function(builtin: b)
      if b.name == "range" { rt.rangeFunction = f }
      rt.base.define(b.name, .function(f))
    }
    for (name, value) in Builtins.constants { rt.base.define(name, value) }
    rt.base.define("args", .list([]))
    rt.declarePrelude(Interpreter.preludeModules)
  }

  /// Runs every prelude module not run yet; the errors (none unless the stdlib is broken).
  func loadPrelude() -> [MetaError] {
    var errors: [MetaError] = []
    for module in rt.pendingPreludeModules {
      do {
        try onEvaluationThread { try rt.loadPreludeModule(module, at: SourceLoc(line: 1, column: 1)) }
      } catch let error as MetaError {
        errors.append(error)
      } catch {
        let file = MetaError.stdlibPrefix + "\(module).meta"
        errors.append(MetaError(.runtime, "\(error)", file: file, loc: SourceLoc(line: 1, column: 1)))
      }
    }
    return errors
  }

  /// Evaluates `source` (named `name` in error messages) in the global environment and
  /// returns the value of its last statement if that is an expression, else nil.
  @discardableResult
  public func evaluate(_ source: String, name: String = "<string>") throws -> Value {
    try evaluateProgram(source, name: name, directory: nil) ?? .nil_
  }

  /// Like `evaluate`, for the REPL: returns the value of the input when it ends in an
  /// expression statement, and nil when it ends in any other statement.
  public func evaluateInteractive(_ source: String, name: String = "<repl>") throws -> Value? {
    try evaluateProgram(source, name: name, directory: nil)
  }

  /// Runs the script at `path` (relative imports resolve against its directory).
  @discardableResult
  public func run(file path: String) throws -> Value {
    guard let source = try? String(contentsOfFile: path, encoding: .utf8) else {
      throw MetaError(.runtime, "cannot read file '\(path)'", file: path, loc: SourceLoc(line: 1, column: 1))
    }
    let dir = (path as NSString).deletingLastPathComponent
    return try evaluateProgram(source, name: path, directory: dir.isEmpty ? nil : dir) ?? .nil_
  }

  private func evaluateProgram(_ source: String, name: String, directory: String?) throws -> Value? {
    try onEvaluationThread {
      // Compiling counts against the budget too.
      let (proto, endsInExpression) = try rt.compile(
        source, file: name, directory: directory, env: rt.main, name: "<script>")
      let value = try rt.runTopLevel(proto, at: SourceLoc(line: 1, column: 1))
      return endsInExpression ? (value ?? .nil_) : nil
    }
  }

  private func startBudget() {
    rt.interruptFlag.clear()
    rt.maxSteps = limits.maxSteps
    rt.maxSeconds = limits.maxSeconds
    rt.memory.limit = limits.maxMemory ?? .max
    rt.startBudget()
  }

  /// Parses and resolves without running: every error found (empty when clean).
  public func check(_ source: String, name: String) -> [MetaError] {
    let (program, parseErrors) = Parser.parse(source, file: name)
    var errors = parseErrors
    if errors.isEmpty {
      let resolver = Resolver(rt: rt, env: Env(declarationsOf: rt.main), file: name, directory: nil)
      _ = resolver.compile(program, name: "<script>")
      errors = resolver.errors
      // Names read but declared nowhere fail when reached; say so now.
      var reported = Set<String>()
      let known = Array(resolver.programGlobals.keys) + rt.globalNames(seenFrom: rt.main)
      for read in resolver.undeclaredReads where reported.insert(read.name).inserted {
        let guess = NearestName.forGlobal(read.name, among: known).map { "\($0); " } ?? ""
        errors.append(MetaError(.resolve, "undefined name '\(read.name)' (\(guess)no let, var, fn or import declares it)",
                                file: name, loc: read.loc))
      }
      errors.sort { (a: MetaError, b: MetaError) -> Bool in (a.loc.line, a.loc.column) < (b.loc.line, b.loc.column) }
    }
    return MetaError.attachingSource(errors, source)
  }

  /// True when `source` ends inside an unfinished construct (open bracket, trailing
  /// binary operator or comma, unterminated block): the REPL asks for another line.
  public static func isIncomplete(_ source: String) -> Bool { Parser.isIncomplete(source) }

  /// Reads or defines a global variable (`nil` removes it).
  public subscript(global name: String) -> Value? {
    get {
      if let value = rt.main.value(name) ?? rt.base.value(name) { return value }
      guard let module = rt.modules.pendingPrelude[name] else { return nil }
      try? onEvaluationThread { try rt.loadPreludeModule(module, at: SourceLoc(line: 1, column: 1)) }
      return rt.base.value(name)
    }
    set {
      if let newValue {
        rt.main.define(name, newValue)
      } else if let s = rt.main.slot(name) {
        rt.main.undefine(s)
      }
    }
  }

  /// Names of all globals and builtins (prelude ones included, run or not), for completion.
  public var globalNames: [String] {
    Array(Set(rt.globalNames(seenFrom: rt.main))).sorted()
  }

  /// Field names of a value (record keys, native fields and methods), for completion.
  public func fieldNames(of value: Value) -> [String] {
    value.memberNames
  }

  /// The names a call of `value` takes as `name:` arguments, for completion: a
  /// builtin's labels, a Meta function's parameters (a method's `self` left
  /// out); none for other values.
  public func argumentNames(of value: Value) -> [String] {
    guard case .function(let f) = value else { return [] }
    if let builtin = f.builtin { return builtin.labels }
    let params = f.parameterNames
    return params.first == "self" ? Array(params.dropFirst()) : params
  }

  /// Registers a Swift function as the global `name`, visible to every program and
  /// module this interpreter runs. An error it throws surfaces as a Meta runtime error
  /// at the call site (catchable with `try`).
  public func register(_ name: String, _ body: @escaping (NativeArguments) throws -> Value) {
    rt.base.define(name, .function(Function(name: name, body: body)))
  }

  /// Defines a global visible to every program and module (like a builtin).
  public func define(_ name: String, _ value: Value) {
    rt.base.define(name, value)
  }

  /// Calls a Meta function value from Swift.
  public func call(_ function: Value, _ arguments: [Value]) throws -> Value {
    try onEvaluationThread {
      if running == 1 { rt.records[0] = CallRecord(proto: hostProto, callLoc: SourceLoc(line: 0, column: 0)) }
      return try rt.call(function, arguments, at: rt.nativeCallLoc)
    }
  }

  /// Stops the running evaluation with an `interrupt` error. Safe to call from any
  /// thread or a signal handler's dispatch source.
  public func interrupt() { rt.interruptFlag.raise() }

  /// What an interrupted long loop does after its `on_interrupt` handler (for
  /// `fit`: saving its checkpoint): false (scripts), the interrupt goes on and
  /// ends the evaluation; true (an interactive session), the loop's call returns
  /// the handler's value (`fit`: the history so far) and the session goes on.
  public var interruptReturns: Bool {
    get { rt.interruptReturns }
    set { rt.interruptReturns = newValue }
  }

  /// The flag `interrupt()` raises, to hand to another thread or a signal handler
  /// (the interpreter itself is not Sendable).
  public var interruptFlag: InterruptFlag { rt.interruptFlag }

  /// Runs `body` on the evaluation thread: inline when already there (a host
  /// callback, which spends its caller's budget), otherwise with a fresh budget on a
  /// new thread with `evaluationStackSize` bytes of stack.
  private func onEvaluationThread<T>(_ body: () throws -> T) throws -> T {
    running += 1
    defer { running -= 1 }
    if running > 1 { return try body() }
    startBudget()
    let threads = self.threads
    return try withoutActuallyEscaping(body) { escaping in
      let memory = rt.memory  // counts the tensors made on the evaluation thread
      let job = EvaluationJob { try memory.whileInstalled { try ThreadPool.withThreadLimit(threads, escaping) } }
      try startThread(stackSize: Interpreter.evaluationStackSize) { job.run() }
      job.done.wait()
      guard let result = job.result else {
        throw MetaError(.runtime, "evaluation thread did not finish", file: "<host>", loc: SourceLoc(line: 0, column: 0))
      }
      return try result.get()
    }
  }
}

/// Runs `body` on a new detached thread with `stackSize` bytes of stack. Throws when the
/// system refuses the thread (under a tight `ulimit -v` the stack does not fit), where
/// Foundation's `Thread.start()` fails silently and its caller would wait forever.
private func startThread(stackSize: Int, _ body: @escaping () -> Void) throws {
  var attributes = pthread_attr_t()
  pthread_attr_init(&attributes)
  defer { pthread_attr_destroy(&attributes) }
  pthread_attr_setstacksize(&attributes, stackSize)
  pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
  let start = Unmanaged.passRetained(ThreadStart(body)).toOpaque()
  var thread = pthread_t()
  let status = pthread_create(&thread, &attributes, { raw in
    if let raw { Unmanaged<ThreadStart>.fromOpaque(raw).takeRetainedValue().body() }
    return nil
  }, start)
  guard status == 0 else {
    Unmanaged<ThreadStart>.fromOpaque(start).release()
    throw MetaError(
      .runtime, "cannot start the evaluation thread (\(String(cString: strerror(status))))",
      file: "<host>", loc: SourceLoc(line: 0, column: 0))
  }
}

/// What a new thread runs, passed through pthread_create's untyped argument.
private final class ThreadStart {
  let body: () -> Void
  init(_ body: @escaping () -> Void) { self.body = body }
}

/// Hands a body to the evaluation thread and its result back; the caller waits on
/// `done`, so the two threads never touch it at the same time.
private final class EvaluationJob<T>: @unchecked Sendable {
  /// Dropped as soon as it has run: the body must not outlive the waiting caller.
  var body: (() throws -> T)?
  var result: Result<T, any Error>?
  let done = DispatchSemaphore(value: 0)
  init(_ body: @escaping () throws -> T) { self.body = body }
  func run() {
    if let body { result = Result { try body() } }
    body = nil
    done.signal()
  }
}
