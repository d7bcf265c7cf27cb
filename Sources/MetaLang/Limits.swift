// The language's limits, in one table. Each bounds what a runaway or hostile
// script (or file) can make the interpreter do, so that it ends in a clean,
// catchable error instead of a crash or an unbounded allocation; each is tested
// at and over its bound (LimitTests.swift and Tests/programs/limits/ for most;
// the nesting cap's save/load in LearningIOTests, its comparison in EvaluatorTests).
// The tensor runtime's own limits (elements, rank, file headers) are in
// MetaTensor's Limits.swift.

import Synchronization

extension Interpreter {
  /// Deepest nesting of Meta function calls. Deeper recursion raises a catchable
  /// `stack overflow` limit error long before the native stack runs out: a Meta call
  /// uses 3.5-5 KB of native stack in a debug build (measured by
  /// `LimitTests.testNativeStackPerCall`), so this depth fits in `evaluationStackSize`
  /// with a wide margin even with deeply nested expressions in each frame.
  public static let maxCallDepth = 5_000

  /// Bytes of native stack for the thread every evaluation runs on.
  public static let evaluationStackSize = 512 << 20

  /// Slots in the value stack that holds every active frame's locals; a program
  /// whose frames need more raises `stack overflow`.
  public static let valueStackSize = 1 << 18

  /// Largest list (in elements) or string (in UTF-8 bytes) a script may build:
  /// by repetition (`*`), `range`, concatenation, `append`, `join`, `tolist`,
  /// interpolation, `str`/`repr`/`print` of any value; also the most values
  /// (counted per path) one `save`, `grad` or `tensor(nested lists)` walks.
  /// A one-line script cannot exhaust memory this way (10 million values are
  /// 240 MB), and sizes are checked before allocating.
  public static let maxCollectionSize = 10_000_000

  /// Deepest nesting of lists and records (`[[1]]` is 2 deep), the one cap for
  /// building, comparing, printing, tree arithmetic, `grad`, `save` and `load`.
  /// Freeing a list inside a list inside ... recurses once per level in Swift's
  /// runtime, so data nested deeply enough would overflow the stack of whichever
  /// thread drops it (a host's 8 MB main thread at around 50,000 levels); half
  /// of that leaves a margin. Comparing and the tree walks recurse on the
  /// evaluation thread's large stack; printing does not recurse.
  public static let maxNestingDepth = 25_000

  /// Steps (loop iterations and calls) between two reads of the clock and the interrupt flag.
  static let checkInterval = 1024
}

/// Deepest nesting the parser accepts: every bracket, block, operator
/// application and postfix `()`/`[]`/`.` opens one level. Deeper input is the
/// syntax error "expression nested too deeply" instead of a native stack
/// overflow. 200 is the bound Lua (LUAI_MAXCCALLS) and CPython's tokenizer use
/// for nesting: far beyond hand-written code. Measured: an optimized build parses
/// the deepest accepted input (200 nested `fn() { ... }`) within a 512 KiB
/// thread stack; a debug build needs about 2 MiB.
let maxParseDepth = 200

/// Width and precision in a format spec (`"{x:1000.3f}"`) above this are
/// refused, so a spec cannot exhaust memory.
let maxFormatWidth = 1000

extension MetaDataset {
  /// Largest label accepted: labels are also exposed as a Float32 tensor, which
  /// holds every integer exactly only up to 2^24.
  public static let maxLabel = 1 << 24
}

extension EnvironmentTask {
  /// Longest episode `nav2d_tasks` and `bandit_tasks` accept: far beyond the
  /// benchmarks' horizons (100 and 10 to 500), and a typo cannot make `rollout`'s
  /// padded [episodes, horizon, ...] tensors huge before the size check reads it.
  public static let maxHorizon = 100_000
  /// Most arms a bandit may have: its arm indices stay exact in a Float32 (below 2^24).
  public static let maxArms = 1_000_000
}

extension PlotData {
  /// Series longer than this are thinned to the extremes of each pixel-wide
  /// bucket: a 720-pixel plot shows no more, and the SVG stays small.
  static let maxPointsPerSeries = 4000
}

/// The Ctrl-C flag: raised from any thread (it is Sendable, unlike the interpreter),
/// read by the evaluating thread at its next step check.
public final class InterruptFlag: Sendable {
  private let raised = Atomic<Bool>(false)
  /// The step count past which the evaluating thread next checks its limits (see
  /// `Runtime.tick`); `poke` makes the very next step check, however long steps take.
  let checkpoint = Atomic<Int>(Int.max)
  /// Stops the running evaluation with an `interrupt` error.
  public func raise() {
    raised.store(true, ordering: .sequentiallyConsistent)
    poke()
  }
  /// Makes the evaluating thread check its limits at its next step (Ctrl-C, the deadline).
  func poke() { checkpoint.store(Int.min, ordering: .sequentiallyConsistent) }
  /// Whether a poke is pending: a long builtin asks, from any thread, whether to stop.
  var isPoked: Bool { checkpoint.load(ordering: .relaxed) == Int.min }
  /// Reads and clears the flag.
  func take() -> Bool { raised.exchange(false, ordering: .sequentiallyConsistent) }
  func clear() { raised.store(false, ordering: .relaxed) }
}

extension Interpreter {
  /// Units of a builtin's work (bytes or elements it scans, builds or copies) counted
  /// as one step (`Runtime.charge`): about what a loop iteration costs, so a 10 MB
  /// string scan counts as 156,250 steps and the step limit bounds costly builtins.
  static let workPerStep = 64

  /// Strings at least this long (UTF-8 bytes) keep their Character positions after the
  /// first `len`, index or slice (`StringLayouts`); shorter ones are cheap to walk.
  static let stringLayoutMinBytes = 256

  /// Long strings whose Character positions are kept at once (the most recently indexed).
  static let stringLayoutSlots = 4
}
