// An environment task (spec §6.2): a Task whose episodes are played rather than
// read. `type(task)` is "Task" like a few-shot task's, so code that takes Lists
// of Tasks takes these too; `rollout(task, policy, params)` samples its episodes.

import Foundation
import MetaTensor

/// One environment: its dynamics with the parameters this task drew (a nav2d goal,
/// a bandit's arm probabilities), the horizon, and the stream its randomness comes from.
public final class EnvironmentTask: TaskObject, NativeMethods {
  enum Kind {
    case nav2d(Nav2D)
    case bandit(Bandit)
  }

  let kind: Kind
  /// Steps per episode (1...maxHorizon).
  public let horizon: Int
  /// Where a bandit's rewards come from: the interpreter's stream.
  let random: RandomStream

  init(_ kind: Kind, horizon: Int, random: RandomStream) {
    self.kind = kind; self.horizon = horizon; self.random = random
  }

  /// "nav2d" or "bandit".
  public var env: String {
    switch kind {
    case .nav2d: "nav2d"
    case .bandit: "bandit"
    }
  }

  /// Floats per observation: nav2d's position, a bandit's constant 1.
  public var obsSize: Int {
    switch kind {
    case .nav2d: 2
    case .bandit: 1
    }
  }

  /// Floats per continuous action (nav2d), or the number of arms (bandit).
  public var actionSize: Int {
    switch kind {
    case .nav2d: 2
    case .bandit(let b): b.probs.count
    }
  }

  /// Whether an action is one index (a bandit's arm) rather than a vector of Floats.
  public var discrete: Bool {
    if case .bandit = kind { return true }
    return false
  }

  /// Floats per recorded action: nav2d's 2, a bandit's 1 (the arm index).
  var actionWidth: Int { discrete ? 1 : actionSize }

  /// What the task drew, as `goal` or `probs`.
  private var parameters: (name: String, values: [Float]) {
    switch kind {
    case .nav2d(let n): ("goal", [n.goal.x, n.goal.y])
    case .bandit(let b): ("probs", b.probs)
    }
  }

  /// Initial observations of `episodes` episodes, row-major [episodes, obsSize].
  func reset(_ episodes: Int) -> [Float] {
    [Float](repeating: discrete ? 1 : 0, count: episodes * obsSize)
  }

  /// Steps episode `e`: `state` holds every episode's observation [E, obsSize] and is
  /// updated in place; `actions` holds every episode's action [E, actionWidth], checked
  /// by `checkedActions`. Returns the reward and whether the episode is done.
  func step(_ state: inout [Float], _ e: Int, _ actions: [Double]) -> (reward: Float, done: Bool) {
    switch kind {
    case .nav2d(let n):
      var x = state[2 * e], y = state[2 * e + 1]
      let out = n.step(&x, &y, Float(actions[2 * e]), Float(actions[2 * e + 1]))
      state[2 * e] = x; state[2 * e + 1] = y
      return out
    case .bandit(let b):
      return (b.pull(Int(actions[e]), random), false)
    }
  }

  /// The actions of `episodes` episodes as Doubles, after checking the shape ([E, 2]
  /// for nav2d, [E] for a bandit) and each value of an episode in `live` (all when
  /// nil): finite for nav2d, an arm index for a bandit. Messages start with `whose`
  /// ("rollout: the policy's"); `position(e)` says where episode e's action came from;
  /// `hint` ends the message for a non-finite action.
  func checkedActions(
    _ t: Tensor, episodes: Int, live: [Bool]? = nil, whose: String, hint: String = "", position: (Int) -> String
  ) throws -> [Double] {
    let want = discrete ? [episodes] : [episodes, actionSize]
    guard t.shape == want else {
      throw BuiltinError("\(whose) actions have shape \(t.shape), expected \(want) (\(discrete ? "one arm index per episode" : "episodes, action_size"))")
    }
    let values = t.elements(as: Double.self)
    let width = actionWidth, arms = actionSize
    for e in 0..<episodes where live?[e] ?? true {
      for v in values[(e * width)..<((e + 1) * width)] {
        if discrete {
          guard v.rounded() == v, v >= 0, v < Double(arms) else {
            throw BuiltinError("\(whose) action \(position(e)) is \(EnvironmentTask.shown(v)), not an arm index in 0..<\(arms)")
          }
        } else if !v.isFinite {
          throw BuiltinError("\(whose) action \(position(e)) is \(EnvironmentTask.shown(v)), not a finite number\(hint)")
        }
      }
    }
    return values
  }

  /// An action in a message: whole numbers without a fraction (arm indices read as such).
  private static func shown(_ v: Double) -> String {
    v.rounded() == v && abs(v) < 1e15 ? String(Int(v)) : formatFloat(v)
  }

  // MARK: The value

  public var typeName: String { "Task" }

  static let methods = ["reset", "step"]
  public var fieldNames: [String] {
    ["env", parameters.name, "horizon", "obs_size", "action_size", "discrete", "info"] + EnvironmentTask.methods
  }

  public func field(_ name: String) throws -> Value? {
    switch name {
    case "env": return .string(env)
    case parameters.name: return .tensor(try Tensor(shape: [parameters.values.count], scalars: parameters.values))
    case "horizon": return .int(horizon)
    case "obs_size": return .int(obsSize)
    case "action_size": return .int(actionSize)
    case "discrete": return .bool(discrete)
    case "info": return .record(Record([(parameters.name, .list(parameters.values.map { .float(TensorConvert.double($0)) }))]))
    case "support", "query":
      throw BuiltinError("this Task is an environment (\(env)): it has no \(name) set; rollout(task, policy, params) samples its episodes")
    case "reset", "step":
      // `task.step` without a call: a bound method value.
      return .function(Function(name: name) { [self] args in
        guard let r = try self.callMethod(name, args) else { throw BuiltinError("Task has no method '\(name)'") }
        return r
      })
    default: return nil
    }
  }

  public func callMethod(_ name: String, _ arguments: NativeArguments) throws -> Value? {
    var args = arguments
    args.function = name
    switch name {
    case "reset":
      try args.checkLabels([])
      try args.expect(1)
      let episodes = try EnvironmentTask.episodes(args.int(0), "reset", obsSize)
      return .tensor(try Tensor(shape: [episodes, obsSize], scalars: reset(episodes)))
    case "step":
      try args.checkLabels([])
      try args.expect(2)
      return try stepMethod(try args.tensor(0), try args.tensor(1))
    default:
      return nil
    }
  }

  /// `task.step(obs, actions)`: one step of every episode from the states `obs` [E, obsSize].
  private func stepMethod(_ obs: Tensor, _ actions: Tensor) throws -> Value {
    guard obs.rank == 2, obs.shape[1] == obsSize, obs.shape[0] >= 1 else {
      throw BuiltinError("step: obs must have shape [E, \(obsSize)] (the episodes' observations), got \(obs.shape)")
    }
    let episodes = obs.shape[0]
    var state = discrete ? reset(episodes) : obs.elements(as: Float.self)
    if !discrete, let bad = state.firstIndex(where: { !$0.isFinite }) {
      throw BuiltinError("step: obs holds \(formatFloat(Double(state[bad]))) for episode \(bad / obsSize) (observations must be finite)")
    }
    let values = try checkedActions(
      actions, episodes: episodes, whose: "step: the", position: { "for episode \($0)" })
    var rewards = [Float](repeating: 0, count: episodes), done = [Bool](repeating: false, count: episodes)
    for e in 0..<episodes { (rewards[e], done[e]) = step(&state, e, values) }
    return .record(Record([
      ("obs", .tensor(try Tensor(shape: [episodes, obsSize], scalars: state))),
      ("reward", .tensor(try Tensor(shape: [episodes], scalars: rewards))),
      ("done", .tensor(try Tensor(shape: [episodes], elements: done))),
    ]))
  }

  /// A count of episodes: at least 1, with `episodes × perEpisode` values within the size limit.
  static func episodes(_ n: Int, _ function: String, _ perEpisode: Int) throws -> Int {
    guard n >= 1 else {
      throw BuiltinError("\(function): episodes must be a positive Int, the number of episodes to run at once (got \(n))")
    }
    let (total, overflow) = n.multipliedReportingOverflow(by: perEpisode)
    try Operators.checkSize(overflow ? Int.max : total, "\(function): \(n) episodes")
    return n
  }

  /// `Task(nav2d, goal: [0.123, -0.301], horizon: 100)`.
  public var description: String {
    let (name, values) = parameters
    let shown = values.count <= 8
      ? "[" + values.map { String(format: "%.3f", Double($0)) }.joined(separator: ", ") + "]"
      : "[\(values.count) values]"
    return "Task(\(env), \(name): \(shown), horizon: \(horizon))"
  }
}
