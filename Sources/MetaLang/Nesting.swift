// The nesting cap: freeing a list inside a list inside ... recurses once per level
// in Swift's runtime, so data nested deeply enough would overflow the stack of
// whichever thread drops it (a host's 8 MB main thread at around 50,000 levels).
// Literals, `append`/`insert`, assignments into a place and the builtins that
// wrap values (`enumerate`, `zip`, `map`, `items`) refuse to go deeper.

extension Interpreter {
  /// Deepest nesting of lists and records a script can build (`[[1]]` is 2 deep).
  public static let maxNestingDepth = 25_000
}

/// Measures nesting depth. It remembers the last few containers it measured, so loops
/// that wrap values one more level per step (`x = [x]`, or several such at once) cost
/// a step each, not a walk of everything below.
final class NestingGauge {
  private static let cacheSize = 8
  /// Kept alive so that their storage addresses, the cache keys, cannot be reused.
  private var recent = [[Value]](repeating: [], count: NestingGauge.cacheSize)
  private var recentDepths = [Int](repeating: 0, count: NestingGauge.cacheSize)
  private var next = 0

  /// Throws when storing `v` `levels` below the top of a container would exceed the cap.
  @inline(__always) func check(_ v: Value, levels: Int = 1) throws {
    switch v {
    case .list, .record: try checkContainer(v, levels: levels)
    default: return
    }
  }

  /// Throws when `result`, a container `levels` deeper than `input` (as
  /// `enumerate` builds from a list), would exceed the cap; otherwise
  /// remembers it as that deep, so a loop that feeds it back in costs a step.
  func check(_ result: [Value], deeperThan input: Value, by levels: Int) throws {
    let d = depth(input) + levels
    if d > Interpreter.maxNestingDepth {
      throw BuiltinError("data nested too deeply (more than \(Interpreter.maxNestingDepth) levels)")
    }
    if d > 1, !result.isEmpty { remember(result, d) }
  }

  @inline(never) private func checkContainer(_ v: Value, levels: Int) throws {
    let d = depth(v)
    if d + levels > Interpreter.maxNestingDepth {
      throw BuiltinError("data nested too deeply (more than \(Interpreter.maxNestingDepth) levels)")
    }
    switch v {
    case .list(let xs) where d > 1: remember(xs, d)
    case .record(let r) where d > 1: remember(r.values, d)
    default: break
    }
  }

  /// Levels of lists and records in `v`: 0 for a number, 1 for `[1, 2]`. Data a script
  /// built is never deeper than the cap, so this recursion is bounded by it.
  func depth(_ v: Value) -> Int {
    switch v {
    case .list(let xs): return depth(of: xs)
    case .record(let r): return depth(of: r.values)
    default: return 0
    }
  }

  private func depth(of values: [Value]) -> Int {
    if !values.isEmpty {
      let key = address(values)
      for i in 0..<Self.cacheSize where !recent[i].isEmpty && address(recent[i]) == key {
        return recentDepths[i]
      }
    }
    var d = 0
    for x in values {
      switch x {
      case .list, .record: d = max(d, depth(x))
      default: continue
      }
    }
    return d + 1
  }

  private func remember(_ values: [Value], _ d: Int) {
    recent[next] = values
    recentDepths[next] = d
    next = (next + 1) % Self.cacheSize
  }

  /// Arrays are copy-on-write: while `recent` holds a storage, an array with the same
  /// storage address has the same elements.
  private func address(_ values: [Value]) -> UnsafeRawPointer? {
    values.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
  }
}
