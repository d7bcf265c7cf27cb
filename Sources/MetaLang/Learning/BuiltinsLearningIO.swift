// Checkpoints, plots, progress and statistics for training loops (spec §6).
// The work is done in Checkpoint.swift, Plot*.swift, Progress.swift and Stats.swift.

extension Builtins {
  /// `save`, `load`, `plot`, `progress`, `ci95`.
  static func learningIOBuiltins() -> [Builtin] {
    [
      Builtin("save") { args in
        try args.expect(2)
        guard case .string(let path) = args[1] else { throw args.bad(1, "String (a file path)") }
        try Checkpoint.save(args[0], to: path)
        return .nil_
      },
      Builtin("load") { args in
        try args.expect(1)
        return try Checkpoint.load(try args.string(0))
      },
      plotBuiltin(),
      progressBuiltin(),
      Builtin("ci95") { args in
        try args.expect(1)
        return try Stats.ci95(args[0])
      },
    ]
  }
}
