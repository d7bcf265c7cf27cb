// "Did you mean ...?": the one place error messages find the name the user
// probably meant (an argument label, a global, a field or method).

enum NearestName {
  /// Names longer than this get no suggestion: the distance is quadratic in the
  /// length, and a hostile script may use very long names in a loop of errors.
  static let maxLength = 40

  /// The candidate closest to `name`, if one is close: at most 2 edits (an adjacent
  /// transposition counts as one, so `mpl` finds `mlp`) and at most a third of
  /// `name`'s length (so names under 3 characters get none). Ties go to the name
  /// first in alphabetical order, so the candidates' order does not matter; `name`
  /// itself never matches.
  static func find(_ name: String, among candidates: some Sequence<String>) -> String? {
    let a = Array(name.unicodeScalars)
    guard a.count <= maxLength else { return nil }
    let limit = min(2, a.count / 3)
    guard limit > 0 else { return nil }
    var best: (name: String, distance: Int)?
    for candidate in candidates where candidate != name {
      // Most candidates differ in length by more than the limit: skipped unconverted.
      let n = candidate.unicodeScalars.count
      guard abs(a.count - n) <= limit else { continue }
      let d = distance(a, Array(candidate.unicodeScalars))
      guard d <= limit else { continue }
      if let b = best, d > b.distance || (d == b.distance && candidate >= b.name) { continue }
      best = (candidate, d)
    }
    return best?.name
  }

  /// " (did you mean 'x'?)", or "" when nothing is close: appended to a message.
  static func hint(_ name: String, among candidates: some Sequence<String>) -> String {
    find(name, among: candidates).map { " (did you mean '\($0)'?)" } ?? ""
  }

  /// What to tell about an undefined global `name`: the stdlib module to import
  /// (`nn.mlp` without `import nn`), else the nearest of `globals`, else nil.
  static func forGlobal(_ name: String, among globals: some Sequence<String>) -> String? {
    if StdlibSources.files[name] != nil { return "a stdlib module: add 'import \(name)'" }
    return find(name, among: globals).map { "did you mean '\($0)'?" }
  }

  /// Edits (insert, delete, substitute, swap two neighbours) turning `a` into `b`:
  /// the optimal-string-alignment distance.
  static func distance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var before = [Int](repeating: 0, count: b.count + 1)  // row i - 2
    var previous = Array(0...b.count)  // row i - 1
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
      current[0] = i
      for j in 1...b.count {
        let cost = a[i - 1] == b[j - 1] ? 0 : 1
        var d = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d = min(d, before[j - 2] + 1) }
        current[j] = d
      }
      (before, previous, current) = (previous, current, before)
    }
    return previous[b.count]
  }
}

extension Value {
  /// The names `value.name` can read or call (record keys, then the methods of its
  /// type, sorted): for the REPL's completion and "did you mean" in messages.
  var memberNames: [String] {
    switch self {
    case .record(let r): r.keys + RecordMethods.table.keys.sorted()
    case .list: (Array(ListMethods.table.keys) + Array(ListMethods.mutating.keys)).sorted()
    case .string: StringMethods.table.keys.sorted()
    case .native(let o): o.fieldNames.sorted()
    default: []
    }
  }
}
