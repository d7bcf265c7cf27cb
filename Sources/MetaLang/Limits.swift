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
  /// Stops the running evaluation with an `interrupt` error.
  public func raise() { raised.store(true, ordering: .relaxed) }
  /// Reads and clears the flag.
  func take() -> Bool { raised.exchange(false, ordering: .relaxed) }
  func clear() { raised.store(false, ordering: .relaxed) }
}
