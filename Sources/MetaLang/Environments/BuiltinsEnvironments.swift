// The environment builtins (spec §6.2): `nav2d_tasks`, `bandit_tasks` and `rollout`.

import MetaTensor

extension Builtins {
  static func environmentBuiltins() -> [Builtin] { [
    Builtin("nav2d_tasks", labels: ["horizon"]) { args in
      try args.expect(0)
      let horizon = try bound(args, "horizon", "nav2d_tasks", default: 100, max: EnvironmentTask.maxHorizon, meaning: "the steps per episode")
      let random = args.rt.random
      return .native(MetaTaskSet(
        name: "nav2d", ways: nil, shots: nil, queries: nil, details: [("horizon", "\(horizon)")], stream: random
      ) { EnvironmentTask(.nav2d(Nav2D.sample(random)), horizon: horizon, random: random) })
    },
    Builtin("bandit_tasks", labels: ["arms", "horizon"]) { args in
      try args.expect(0)
      let arms = try bound(args, "arms", "bandit_tasks", default: 5, max: EnvironmentTask.maxArms, meaning: "the number of arms")
      let horizon = try bound(args, "horizon", "bandit_tasks", default: 10, max: EnvironmentTask.maxHorizon, meaning: "the pulls per episode")
      let random = args.rt.random
      return .native(MetaTaskSet(
        name: "bandit", ways: nil, shots: nil, queries: nil,
        details: [("arms", "\(arms)"), ("horizon", "\(horizon)")], stream: random
      ) { EnvironmentTask(.bandit(Bandit.sample(arms: arms, random)), horizon: horizon, random: random) })
    },
    Builtin("rollout", labels: ["episodes"]) { args in
      try args.expect(3)
      guard case .native(let o) = args[0], let task = o as? EnvironmentTask else {
        let what = if case .native(let o) = args[0], o is MetaTask { "a few-shot Task (support and query sets)" } else { withArticle(args[0].typeName) }
        throw BuiltinError("rollout: the task must be an environment Task from nav2d_tasks(...) or bandit_tasks(...) (got \(what))")
      }
      let policy = args[1]
      guard isCallable(policy) else {
        throw BuiltinError("rollout: the policy must be a Model or a function (params, obs) -> distribution (got \(withArticle(policy.typeName)))")
      }
      let n = try bound(args, "episodes", "rollout", default: 20, max: Int.max, meaning: "the number of episodes")
      let episodes = try EnvironmentTask.episodes(n, "rollout", task.obsSize)
      return .record(try Rollout(task: task, policy: policy, params: args[2], episodes: episodes).run(args.rt))
    },
  ] }

  /// A named Int argument in 1...max (`default` when absent).
  private static func bound(_ args: Arguments, _ label: String, _ function: String, default d: Int, max: Int, meaning: String) throws -> Int {
    let n: Int
    switch args.named(label) {
    case nil: n = d
    case .int(let v)?: n = v
    case let v?: throw BuiltinError("\(function): \(label) must be a positive Int, \(meaning) (got \(withArticle(v.typeName)) \(v.repr))")
    }
    guard n >= 1 else { throw BuiltinError("\(function): \(label) must be a positive Int, \(meaning) (got \(n))") }
    guard n <= max else { throw BuiltinError("\(function): \(label) must be at most \(max) (got \(n))") }
    return n
  }

  /// Whether a call `v(...)` can succeed: a function, a Model (an object with `apply`), a callable native.
  private static func isCallable(_ v: Value) -> Bool {
    switch v {
    case .function: return true
    case .native(let o as MetaObject): return o.callTarget != nil
    case .native(let o): return o is NativeCallable
    default: return false
    }
  }
}
