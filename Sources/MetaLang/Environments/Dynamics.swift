// The environments' dynamics (spec §6.2; the details are fixed by the notes
// shared with the PyTorch twin): plain Swift over Float arrays, one episode at a
// time, so `rollout` and `task.step` step E episodes without a Value per element.

import Foundation

/// Finn et al.'s 2-D navigation: a point starts at the origin; each step moves it by
/// the action clipped to [-0.1, 0.1] per coordinate; the reward is minus the
/// distance to the goal after the move; the episode ends within 0.01 of the goal.
struct Nav2D {
  let goal: (x: Float, y: Float)

  /// The largest move per coordinate and step.
  static let maxStep: Float = 0.1
  /// An episode ends when the point is closer than this to the goal (Euclidean).
  static let goalRadius: Double = 0.01
  /// Goals are drawn uniformly from this square.
  static let goalRange: ClosedRange<Double> = -0.5...0.5

  /// A goal uniform in `goalRange`², drawn from the interpreter's stream.
  static func sample(_ random: RandomStream) -> Nav2D {
    let x = Float(uniform(goalRange, random)), y = Float(uniform(goalRange, random))
    return Nav2D(goal: (x, y))
  }

  /// Moves the point (x, y) by the clipped action; the reward and whether it is done.
  func step(_ x: inout Float, _ y: inout Float, _ ax: Float, _ ay: Float) -> (reward: Float, done: Bool) {
    x += Nav2D.clip(ax)
    y += Nav2D.clip(ay)
    let dx = Double(x) - Double(goal.x), dy = Double(y) - Double(goal.y)
    let distance = (dx * dx + dy * dy).squareRoot()
    return (Float(-distance), distance < Nav2D.goalRadius)
  }

  static func clip(_ a: Float) -> Float { min(max(a, -maxStep), maxStep) }
}

/// Duan et al.'s (RL²) Bernoulli bandit: arm k pays 1 with probability `probs[k]`,
/// uniform in [0, 1] per task. The observation is the constant 1; episodes never end early.
struct Bandit {
  let probs: [Float]

  /// `arms` probabilities uniform in [0, 1], drawn from the interpreter's stream.
  static func sample(arms: Int, _ random: RandomStream) -> Bandit {
    Bandit(probs: (0..<arms).map { _ in Float(random.nextDouble()) })
  }

  /// The reward of pulling `arm` (in 0..<probs.count): 1 with probability probs[arm], else 0.
  func pull(_ arm: Int, _ random: RandomStream) -> Float {
    random.nextDouble() < Double(probs[arm]) ? 1 : 0
  }
}
