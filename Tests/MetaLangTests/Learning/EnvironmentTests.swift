// The environments of spec §6.2 from the Swift side: the dynamics against
// hand-computed steps, the bandit's reward statistics, what a host sees of an
// environment task, and that rollout calls the policy once per step and no more.
// The script side (shapes, errors, determinism) is Tests/programs/rl/.

import Foundation
@testable import MetaLang
import MetaTensor
import XCTest

final class EnvironmentTests: XCTestCase {
  private func quiet(seed: UInt64 = 1) -> Interpreter { Interpreter(seed: seed, output: { _ in }) }

  func testNav2DStepClipsMovesAndRewardsMinusTheDistanceAfterTheMove() {
    let env = Nav2D(goal: (0.25, -0.1))
    var x: Float = 0, y: Float = 0
    // (0.5, -0.03) clips to (0.1, -0.03): the point is at (0.1, -0.03), 0.15 + 0.07 from the goal.
    var out = env.step(&x, &y, 0.5, -0.03)
    XCTAssertEqual(x, 0.1); XCTAssertEqual(y, -0.03)
    XCTAssertEqual(Double(out.reward), -(0.15 * 0.15 + 0.07 * 0.07).squareRoot(), accuracy: 1e-6)
    XCTAssertFalse(out.done)
    out = env.step(&x, &y, -3, -0.2)
    XCTAssertEqual(x, 0, accuracy: 1e-7); XCTAssertEqual(y, -0.13, accuracy: 1e-7)
    XCTAssertEqual(Double(out.reward), -(0.25 * 0.25 + 0.03 * 0.03).squareRoot(), accuracy: 1e-6)
    // Within 0.01 (Euclidean, not per coordinate) is done; the reward is still minus the distance.
    var a: Float = 0.25 - 0.006, b: Float = -0.1 + 0.006
    out = env.step(&a, &b, 0, 0)
    XCTAssertTrue(out.done)
    XCTAssertEqual(Double(out.reward), -(2 * 0.006 * 0.006).squareRoot(), accuracy: 1e-6)
    a = 0.25 - 0.008; b = -0.1 + 0.008   // 0.0113 away: each coordinate within 0.01, the distance not
    XCTAssertFalse(env.step(&a, &b, 0, 0).done)
    XCTAssertEqual(Nav2D.clip(.nan).isNaN, true, "rollout and step refuse non-finite actions before they get here")
  }

  func testBanditPaysEachArmItsProbabilityOnAverage() {
    let random = RandomStream(seed: 5)
    let bandit = Bandit(probs: [0, 0.2, 0.9, 1])
    let pulls = 20_000
    for (arm, p) in bandit.probs.enumerated() {
      var total: Float = 0
      for _ in 0..<pulls { total += bandit.pull(arm, random) }
      // The standard error is at most 0.0036: 0.02 is more than 5 of them.
      XCTAssertEqual(Double(total) / Double(pulls), Double(p), accuracy: 0.02, "arm \(arm)")
    }
    XCTAssertEqual((0..<100).map { _ in bandit.pull(0, random) }, [Float](repeating: 0, count: 100))
    XCTAssertEqual((0..<100).map { _ in bandit.pull(3, random) }, [Float](repeating: 1, count: 100))
  }

  func testATaskSetOfEnvironmentsGivesEnvironmentTasksToTheHost() throws {
    let interp = quiet()
    guard case .native(let set as MetaTaskSet) = try interp.evaluate("nav2d_tasks(horizon: 7)") else {
      return XCTFail("nav2d_tasks gives a TaskSet")
    }
    let drawn = try set.sample(3)
    let tasks = drawn.compactMap { $0 as? EnvironmentTask }
    XCTAssertEqual(tasks.count, 3)
    for task in tasks {
      XCTAssertEqual(task.env, "nav2d"); XCTAssertEqual(task.horizon, 7)
      XCTAssertEqual(task.obsSize, 2); XCTAssertEqual(task.actionSize, 2); XCTAssertFalse(task.discrete)
      XCTAssertEqual(task.typeName, "Task")
      guard case .nav2d(let n) = task.kind else { return XCTFail("a nav2d task") }
      XCTAssertTrue(abs(n.goal.x) <= 0.5 && abs(n.goal.y) <= 0.5)
    }
    let again = try set.fixed(2, seed: 3).compactMap { $0 as? EnvironmentTask }.map(\.description)
    XCTAssertEqual(again, try set.fixed(2, seed: 3).compactMap { $0 as? EnvironmentTask }.map(\.description))
    XCTAssertTrue(again[0].hasPrefix("Task(nav2d, goal: ["), again[0])
  }

  func testRolloutCallsThePolicyOncePerStepUntilEveryEpisodeHasEnded() throws {
    let interp = quiet()
    _ = try interp.evaluate("""
      var calls = 0
      let t = nav2d_tasks(horizon: 100).fixed(1, seed: 2)[0]
      fn wander(p, obs) { calls = calls + 1; Normal(zeros(obs.shape), 0.05) }
      fn seek(p, obs) { calls = calls + 1; Normal(t.goal.unsqueeze(0) - obs, 0.000001) }
      """)
    // Never reaching the goal: 100 steps, one call of the policy each, for 20 episodes at once.
    XCTAssertEqual(try interp.evaluate("let r = rollout(t, wander, nil, episodes: 20); [calls, r.obs.shape]").description, "[100, [20, 100, 2]]")
    // Walking straight there: every episode ends within 6 steps (|goal| <= 0.5 per coordinate),
    // and then the policy is no longer called.
    let seek = try interp.evaluate("calls = 0; let s = rollout(t, seek, nil, episodes: 20); [calls, s.mask.sum(axis: 1).max().item()]")
    guard case .list(let pair) = seek, case .int(let calls) = pair[0], case .float(let longest) = pair[1] else {
      return XCTFail("\(seek)")
    }
    XCTAssertEqual(Double(calls), longest, "one call per step taken, none for the padding")
    XCTAssertLessThanOrEqual(calls, 6)
  }

  func testRolloutIsBoundedByTheStepLimit() throws {
    let interp = quiet()
    interp.limits.maxSteps = 50_000
    XCTAssertThrowsError(try interp.evaluate("""
      let t = nav2d_tasks(horizon: 100000).sample()
      rollout(t, fn(p, obs) { Normal(zeros(obs.shape), 0.01) }, nil, episodes: 40)
      """)) { error in
      XCTAssertTrue("\(error)".contains("step"), "\(error)")
    }
  }
}
