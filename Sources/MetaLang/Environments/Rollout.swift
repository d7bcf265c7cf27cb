// `rollout(task, policy, params, episodes: 20)` (spec §6.2): plays E episodes of an
// environment task at once. Each step costs one call of the policy on the
// observations [E, d]; the environment steps natively over the E episodes. The
// result holds plain tensors (no gradient flows through sampling or the dynamics).

import MetaTensor

struct Rollout {
  let task: EnvironmentTask
  let policy: Value
  let params: Value
  let episodes: Int

  /// Runs the episodes: `{obs [E, H, d], actions [E, H, a] (or [E, H] arm indices), rewards [E, H], mask [E, H]}`.
  /// obs[e, t] is the observation before action t; after an episode ends it keeps its
  /// last observation with mask, reward and action 0; once every episode has ended the
  /// policy is no longer called and the remaining steps are such padding.
  func run(_ rt: Runtime) throws -> Record {
    let E = episodes, H = task.horizon, d = task.obsSize, width = task.actionWidth
    try checkSize([E, H, d], "obs_size")
    try checkSize([E, H, width], task.discrete ? "1" : "action_size")
    let loc = rt.nativeCallLoc
    var state = task.reset(E)
    var obs = [Float](repeating: 0, count: E * H * d)
    // Float holds every arm index exactly (maxArms < 2^24).
    var actions = [Float](repeating: 0, count: E * H * width)
    var rewards = [Float](repeating: 0, count: E * H), mask = rewards
    var live = [Bool](repeating: true, count: E)
    var liveCount = E
    for t in 0..<H {
      // Padding is for the episodes that ended before step t: one ending at t keeps
      // the observation it acted on (the policy's log-prob is evaluated there).
      let endedBefore = live.map { !$0 }
      if liveCount > 0 {
        try rt.charge(E * (d + width))
        let out = try rt.call(policy, [params, .tensor(try Tensor(shape: [E, d], scalars: state))], at: loc)
        let sample = try distribution(out).sample([], reparameterized: false)
        let values = try task.checkedActions(
          sample, episodes: E, live: live, whose: "rollout: the policy's", hint: " (the policy's mean or std is not finite there)",
          position: { "for episode \($0) at step \(t)" })
        for e in 0..<E where live[e] {
          for k in 0..<d { obs[(e * H + t) * d + k] = state[e * d + k] }
          for k in 0..<width { actions[(e * H + t) * width + k] = Float(values[e * width + k]) }
          let (reward, done) = task.step(&state, e, values)
          rewards[e * H + t] = reward
          mask[e * H + t] = 1
          if done { live[e] = false; liveCount -= 1 }
        }
      }
      // Ended episodes keep their last observation.
      for e in 0..<E where endedBefore[e] {
        for k in 0..<d { obs[(e * H + t) * d + k] = state[e * d + k] }
      }
    }
    let recorded: Tensor = task.discrete
      ? try Tensor(shape: [E, H], elements: actions.map { Int64($0) })
      : try Tensor(shape: [E, H, width], scalars: actions)
    return Record([
      ("obs", .tensor(try Tensor(shape: [E, H, d], scalars: obs))),
      ("actions", .tensor(recorded)),
      ("rewards", .tensor(try Tensor(shape: [E, H], scalars: rewards))),
      ("mask", .tensor(try Tensor(shape: [E, H], scalars: mask))),
    ])
  }

  /// The policy's output as the distribution this task's actions come from.
  private func distribution(_ out: Value) throws -> MetaDistribution {
    let wanted = task.discrete ? "Categorical" : "Normal"
    guard case .native(let o) = out, let dist = o as? MetaDistribution else {
      throw BuiltinError("rollout: the policy returned \(withArticle(out.typeName)), expected a distribution over actions (Normal for nav2d, Categorical for bandit); nn.gaussian_policy(...) makes one")
    }
    guard dist.typeName == wanted else {
      throw BuiltinError("rollout: the policy returned a \(dist.typeName), but \(task.env) takes \(task.discrete ? "discrete" : "continuous") actions: return a \(wanted)")
    }
    if let c = dist as? CategoricalDistribution, let classes = c.probs.shape.last, classes != task.actionSize {
      throw BuiltinError("rollout: the policy's Categorical has \(classes) classes, but this bandit has \(task.actionSize) arms")
    }
    return dist
  }

  /// Checks a result tensor's element count against the size limit.
  private func checkSize(_ shape: [Int], _ last: String) throws {
    var total = 1
    for n in shape {
      let (p, overflow) = total.multipliedReportingOverflow(by: n)
      total = overflow ? Int.max : p
    }
    try Operators.checkSize(total, "rollout: episodes × horizon × \(last) = \(shape.map(String.init).joined(separator: " × "))")
  }
}
