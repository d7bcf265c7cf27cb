// The state of a running program: the value stack with its frames, the call
// records behind stack traces, the step counter and the error constructor.

import Foundation
import MetaTensor

/// How a statement finished.
enum Flow {
  case normal, breakLoop, continueLoop, returnValue
}

/// `break`, `continue` or `return` leaving an expression (`let x = if c { return 1 } else { 2 }`);
/// statements use `Flow` instead, which costs nothing.
enum ControlSignal: Error {
  case breakLoop, continueLoop, returnValue
}

/// Who is running at one depth of the call stack and where it was called from.
struct CallRecord {
  unowned(unsafe) var proto: FunctionProto
  var callLoc: SourceLoc
}

/// Everything the evaluator needs while running. One per interpreter; used by one
/// thread at a time. The hot fields skip Swift's dynamic exclusivity checks: they
/// are only ever read and written in place, never passed `inout` across a call that
/// could touch them again, and the checks cost a tenth of a function call.
final class Runtime {
  // Frames: locals of every active call live in one contiguous stack.
  let stackBase: UnsafeMutablePointer<Value>
  let stackEnd: UnsafeMutablePointer<Value>
  /// The current frame's first slot.
  @exclusivity(unchecked) var fp: UnsafeMutablePointer<Value>
  /// The first free slot.
  @exclusivity(unchecked) var sp: UnsafeMutablePointer<Value>
  /// The running closure's captured variables.
  @exclusivity(unchecked) var captures: [Box] = []
  /// Where `return` (and a function's final expression) leaves its value.
  @exclusivity(unchecked) var returnValue: Value = .nil_

  // Call records for stack traces; records[0] is the top-level program or module.
  let records: UnsafeMutablePointer<CallRecord>
  @exclusivity(unchecked) var depth = 0
  /// The call site of the builtin running now (so a callback's frame says where it came from).
  @exclusivity(unchecked) var nativeCallLoc = SourceLoc(line: 0, column: 0)

  // Limits.
  @exclusivity(unchecked) var steps = 0
  var maxSteps: Int?
  var maxSeconds: Double?
  var deadline: UInt64 = 0
  /// Ctrl-C, and the step count of the next limit check (see `tick`).
  let interruptFlag = InterruptFlag()
  /// Whether `on_interrupt` returns its handler's value (an interactive session)
  /// instead of letting the interrupt end the run (see Interpreter.interruptReturns).
  var interruptReturns = false
  /// Pokes the check schedule when the deadline passes (see `startBudget`).
  private var watchdog: DispatchWorkItem?
  /// The tensor storage alive, against `Limits.maxMemory` (installed on the evaluation thread).
  let memory = MemoryBudget()
  /// Where long strings keep their Character positions (see StringLayout).
  let stringLayouts = StringLayouts()

  let undefinedMarker = UndefinedMarker()
  /// Enforces `Interpreter.maxNestingDepth` where data gets deeper.
  let nesting = NestingGauge()
  /// The objects scripts made, for collecting their reference cycles.
  let objects = ObjectRegistry()
  let base: Env
  let main: Env
  var output: (String) -> Void
  /// Progress lines and other messages about the run, kept apart from `output`.
  var diagnostics: (String) -> Void
  /// Whether `diagnostics` reaches a terminal (progress bars redraw in place there).
  var diagnosticsIsTerminal = false
  /// False silences every progress bar (`meta --quiet`).
  var showsProgress = true
  /// The ranks this script runs on (spec §8); nil: one process, rank 0 of 1.
  var communicator: (any Communicator)?
  let random: RandomStream
  let modules = ModuleCache()
  /// Source text by file name, to attach the offending line to errors.
  var sources: [String: String] = [:]
  /// The builtin `range`, so `for i in range(n)` can skip building a list.
  var rangeFunction: Function?
  /// Top-level programs running now: the main one, modules it imports, and programs a
  /// host callback evaluates. Non-zero means "we are on the evaluation thread".
  var activeTopLevels = 0

  init(seed: UInt64, output: @escaping (String) -> Void, diagnostics: @escaping (String) -> Void = { _ in }) {
    let size = Interpreter.valueStackSize
    stackBase = ValueStack.allocate(size)
    stackEnd = stackBase + size
    fp = stackBase; sp = stackBase
    records = UnsafeMutablePointer<CallRecord>.allocate(capacity: Interpreter.maxCallDepth + 2)
    let undefined = Value.native(undefinedMarker)
    base = Env(undefined: undefined)
    main = Env(undefined: undefined)
    random = RandomStream(seed: seed)
    self.output = output
    self.diagnostics = diagnostics
  }

  deinit {
    watchdog?.cancel()
    base.clear(); main.clear(); modules.clear()
    ValueStack.deallocate(stackBase, live: sp - stackBase)
    records.deallocate()
    returnValue = .nil_
    captures = []
    objects.collect()
  }

  // MARK: Errors

  /// The function running now.
  var currentProto: FunctionProto { records[depth].proto }

  /// A condition's truth value (`Value.truthValue`): only nil and false are
  /// falsy, except that a `NativeTruth` object (a tensor) decides for itself
  /// and may refuse.
  @inline(__always) func truth(_ value: Value, at loc: SourceLoc) throws -> Bool {
    guard case .native = value else { return value.isTruthy }
    do { return try value.truthValue() } catch let e as MetaError { throw e } catch let e as BuiltinError {
      throw self.error(e.message, at: loc, kind: e.kind)
    } catch {
      throw self.error("\(error)", at: loc)
    }
  }

  /// A runtime error at `loc` in the running function, with the Meta call stack.
  func error(_ message: String, at loc: SourceLoc, kind: MetaError.Kind = .runtime) -> MetaError {
    var err = MetaError(kind, message, file: currentProto.file, loc: loc, stack: callStack(at: loc))
    if let source = sources[err.file] { err.attachSource(source) }
    if let call = err.userCall, let source = sources[call.file] { err.attachUserCallSource(source) }
    return err
  }

  /// Innermost first; empty at top level, where the headline says it all.
  func callStack(at loc: SourceLoc) -> [StackFrame] {
    guard depth > 0 else { return [] }
    var frames: [StackFrame] = []
    var where_ = loc
    var d = depth
    while d >= 0 {
      let proto = records[d].proto
      frames.append(StackFrame(function: proto.name, file: proto.file, loc: where_))
      where_ = records[d].callLoc
      d -= 1
    }
    return frames
  }

  /// Turns an error from operator or builtin code into a MetaError at `loc`;
  /// MetaErrors and control signals pass through.
  func locate(_ error: any Error, at loc: SourceLoc) -> any Error {
    switch error {
    case let e as BuiltinError: return self.error(e.message, at: loc, kind: e.kind)
    case let e as TensorError: return self.error(e.message, at: loc, kind: e.isOutOfMemory ? .limit : .runtime)
    case is MetaError, is ControlSignal: return error
    default: return self.error(String(describing: error), at: loc)
    }
  }

  /// Like `locate`, for a function the host registered: a MetaError it throws itself is
  /// placed at the call site (keeping its message); one from Meta code it called back
  /// (it has a stack), a limit and an interrupt keep their own place.
  func locateHostError(_ error: any Error, at loc: SourceLoc) -> any Error {
    if let e = error as? MetaError {
      if e.kind == .interrupt || e.kind == .limit || !e.stack.isEmpty { return e }
      return self.error(e.message, at: loc, kind: .runtime)
    }
    return locate(error, at: loc)
  }

  // MARK: Limits

  /// Counts one step (a call or a loop iteration); cheap unless a check is due. Checks
  /// come every `checkInterval` steps, and at the very next step after Ctrl-C or the
  /// deadline (they poke the schedule from another thread), however long steps take.
  @inline(__always) func tick(_ loc: SourceLoc) throws {
    steps &+= 1
    if steps > interruptFlag.checkpoint.load(ordering: .relaxed) { try checkLimits(loc) }
  }

  /// Counts a builtin's `work` (bytes or elements it scans, builds or copies) as
  /// `work / workPerStep` steps, so the step limit bounds a loop of costly builtins as
  /// it bounds a loop of cheap ones; checks the limits when due. A limit reached here
  /// is a BuiltinError, which the caller places at its call site as usual.
  @inline(__always) func charge(_ work: Int) throws {
    steps &+= work / Interpreter.workPerStep
    if steps > interruptFlag.checkpoint.load(ordering: .relaxed), let (message, kind) = limitReached() {
      throw BuiltinError(message, kind: kind)
    }
  }

  func checkLimits(_ loc: SourceLoc) throws {
    if let (message, kind) = limitReached() { throw error(message, at: loc, kind: kind) }
  }

  /// The limit reached, if any, with the next check scheduled: `checkInterval` steps on,
  /// or the very next step when a limit was reached (a script that catches the error
  /// meets it again).
  private func limitReached() -> (message: String, kind: MetaError.Kind)? {
    // Taken first: a poke from now on survives the rescheduling below.
    let flag = interruptFlag
    flag.checkpoint.store(Int.max, ordering: .sequentiallyConsistent)
    let failure: (message: String, kind: MetaError.Kind)?
    if let maxSteps, steps > maxSteps {
      failure = ("step limit exceeded (\(maxSteps) steps)", .limit)
    } else {
      failure = clockOrInterrupt()
    }
    if failure != nil {
      flag.checkpoint.store(Int.min, ordering: .sequentiallyConsistent)
    } else {
      _ = flag.checkpoint.compareExchange(expected: Int.max, desired: nextCheck, ordering: .sequentiallyConsistent)
    }
    return failure
  }

  /// A pending Ctrl-C, or the clock past the deadline: the error to raise, else nil.
  private func clockOrInterrupt() -> (message: String, kind: MetaError.Kind)? {
    if interruptFlag.take() { return ("interrupted", .interrupt) }
    if let maxSeconds, DispatchTime.now().uptimeNanoseconds > deadline {
      return ("time limit exceeded (\(formatFloat(maxSeconds)) seconds)", .limit)
    }
    return nil
  }

  /// What stops compiling `file` (no frame runs yet, so the error has no stack).
  func compilePoll(file: String) -> CompilePoll {
    CompilePoll { [unowned self] loc in
      guard let (message, kind) = clockOrInterrupt() else { return }
      var err = MetaError(kind, message, file: file, loc: loc)
      if let source = sources[file] { err.attachSource(source) }
      throw err
    }
  }

  /// The step count of the next regular check: `checkInterval` on, or the step limit.
  private var nextCheck: Int {
    let next = steps &+ Interpreter.checkInterval &- 1
    return maxSteps.map { min($0, next) } ?? next
  }

  /// Resets the per-call budgets at the start of a top-level evaluation; with a time
  /// limit, a timer pokes the check schedule once the deadline has passed.
  func startBudget() {
    steps = 0
    stringLayouts.clear()  // nothing of an earlier evaluation stays alive through them
    watchdog?.cancel()
    watchdog = nil
    if let maxSeconds {
      let nanos = max(0, min(maxSeconds, 1e9)) * 1e9
      deadline = DispatchTime.now().uptimeNanoseconds &+ UInt64(nanos)
      let flag = interruptFlag
      let poke = DispatchWorkItem { flag.poke() }
      // A millisecond late, so the clock the check reads is surely past the deadline.
      DispatchQueue.global().asyncAfter(deadline: DispatchTime(uptimeNanoseconds: deadline &+ 1_000_000), execute: poke)
      watchdog = poke
    }
    interruptFlag.checkpoint.store(nextCheck, ordering: .sequentiallyConsistent)
  }

  @inline(__always) func isUndefined(_ v: Value) -> Bool {
    if case .native(let o) = v { return o === undefinedMarker }
    return false
  }
}
