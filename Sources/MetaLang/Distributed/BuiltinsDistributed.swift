// The distributed builtins (spec §8): world, all_reduce, broadcast, barrier. Without
// a communicator (no launcher) the world is {rank: 0, size: 1} and each is the identity.

extension Builtins {
  static func distributedBuiltins() -> [Builtin] { [
    Builtin("world") { args in
      try args.expect(0)
      let comm = args.rt.communicator
      return .record(Record([("rank", .int(comm?.rank ?? 0)), ("size", .int(comm?.size ?? 1))]))
    },
    Builtin("all_reduce", labels: ["op"]) { args in
      try args.expect(1)
      let how: Collectives.Reduction
      switch args.named("op") {
      case nil: how = .sum
      case .string(let s)?:
        guard let r = Collectives.Reduction(rawValue: s) else {
          throw BuiltinError("all_reduce: unknown op \"\(s)\" (valid: \"sum\", \"mean\", \"max\", \"min\")")
        }
        how = r
      case let v?: throw BuiltinError("all_reduce: op must be a String, \"sum\", \"mean\", \"max\" or \"min\" (got \(withArticle(v.typeName)))")
      }
      guard let comm = args.rt.communicator else {
        // One rank: the tree itself (checked as every rank would check it).
        let t = try CollectiveTree(args[0], function: "all_reduce")
        try Collectives.checkReducible(t, how, "all_reduce")
        if how == .mean { return try t.rebuilt(t.leaves.map { if case .int(let i) = $0.value { .float(Double(i)) } else { $0.value } }) }
        return args[0]
      }
      return try Collectives(comm: comm, function: "all_reduce").allReduce(args[0], how)
    },
    Builtin("broadcast", labels: ["root"]) { args in
      try args.expect(1)
      let size = args.rt.communicator?.size ?? 1
      let root = try args.namedInt("root") ?? 0
      guard (0..<size).contains(root) else {
        throw BuiltinError("broadcast: root must be a rank in 0..<\(size) (got \(root))")
      }
      guard let comm = args.rt.communicator else {
        _ = try CollectiveTree(args[0], function: "broadcast")
        return args[0]
      }
      return try Collectives(comm: comm, function: "broadcast").broadcast(args[0], root: root)
    },
    Builtin("barrier") { args in
      try args.expect(0)
      try args.rt.communicator?.barrier()
      return .nil_
    },
  ] }
}
