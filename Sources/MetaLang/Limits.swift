// Bounds that keep a runaway or hostile script from crashing the host: each is
// a named constant, checked cheaply on the hot path.

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

  /// Largest list (in elements) or string (in UTF-8 bytes) that repetition (`*`),
  /// `range`, concatenation, `append` and interpolation may build, so that a one-line
  /// script cannot exhaust memory (10 million values are 240 MB).
  public static let maxCollectionSize = 10_000_000

  /// Steps (loop iterations and calls) between two reads of the clock and the interrupt flag.
  static let checkInterval = 1024
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
