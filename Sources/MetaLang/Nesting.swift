// Enforcing the nesting cap (`Interpreter.maxNestingDepth`, in Limits.swift)
// where data gets deeper: literals, `append`/`insert`, assignments into a place
// and the builtins that wrap values (`enumerate`, `zip`, `map`, `items`) refuse
// to go deeper, so everything that walks data (comparing, printing, the tree
// walks, `save`) can rely on it.

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
    if d > Interpreter.maxNestingDepth { throw nestedTooDeeply() }
    if d > 1, !result.isEmpty { remember(result, d) }
  }

  @inline(never) private func checkContainer(_ v: Value, levels: Int) throws {
    let d = depth(v)
    if d + levels > Interpreter.maxNestingDepth { throw nestedTooDeeply() }
    switch v {
    case .list(let xs) where d > 1: remember(xs, d)
    case .record(let r) where d > 1: remember(r.values, d)
    default: break
    }
  }

  /// Levels of lists and records in `v`: 0 for a number, 1 for `[1, 2]`. Data a script
  /// built is never deeper than the cap, so this recursion is bounded by it.
  func depth(_ v: Value) -> Int {
    var walk = Measure()
    return depth(v, &walk)
  }

  /// One measurement: past its first containers it remembers each storage's depth,
  /// so shared sub-lists (`x = [x, x]` sixty times spells 2^60 paths) cost one visit.
  private struct Measure {
    var visits = 0
    var shared: [StorageKey: Int] = [:]
  }

  private func depth(_ v: Value, _ walk: inout Measure) -> Int {
    let values: [Value]
    switch v {
    case .list(let xs): values = xs
    case .record(let r): values = r.values
    default: return 0
    }
    guard !values.isEmpty else { return 1 }
    let key = storageAddress(values)
    for i in 0..<Self.cacheSize where !recent[i].isEmpty && storageAddress(recent[i]) == key {
      return recentDepths[i]
    }
    walk.visits += 1
    if !walk.shared.isEmpty, let k = v.storageKey, let known = walk.shared[k] { return known }
    var d = 0
    for x in values {
      switch x {
      case .list, .record: d = max(d, depth(x, &walk))
      default: continue
      }
    }
    if walk.visits > 64, let k = v.storageKey { walk.shared[k] = d + 1 }
    return d + 1
  }

  private func remember(_ values: [Value], _ d: Int) {
    recent[next] = values
    recentDepths[next] = d
    next = (next + 1) % Self.cacheSize
  }
}
