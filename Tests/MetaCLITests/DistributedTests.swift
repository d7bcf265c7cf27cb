// `mpirun -np N meta` (spec §8): the collectives across real processes, 1 rank
// against 2 giving the same meta-training, a failing rank ending the job with its
// rank named, and the same equality across two network namespaces (two "hosts").
// Needs Open MPI's mpirun: skipped without it unless META_REQUIRE_MPI=1, which
// scripts/test sets after installing it, so CI always runs these.

import Foundation
import XCTest

final class DistributedTests: XCTestCase {
  private static let scripts = MetaProcess.packageRoot.appendingPathComponent("Tests/distributed")
  /// Open MPI refuses root without these; 2 ranks on a 2-core machine need --oversubscribe.
  private static let environment = ["OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"]

  private func mpirun() throws -> URL {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
      let url = URL(fileURLWithPath: String(dir)).appendingPathComponent("mpirun")
      if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    }
    if ProcessInfo.processInfo.environment["META_REQUIRE_MPI"] == "1" {
      XCTFail("mpirun is missing but META_REQUIRE_MPI=1 (scripts/test installs openmpi-bin)")
    }
    throw XCTSkip("Open MPI's mpirun is not installed (apt-get install openmpi-bin libopenmpi-dev)")
  }

  /// `mpirun -np ranks meta script args...` from Tests/distributed.
  private func launch(_ ranks: Int, _ script: String, _ args: [String] = [], timeout: TimeInterval = 120) throws -> ProcessResult {
    let meta = try MetaProcess.executable("meta").path
    return try MetaProcess.run(
      executable: try mpirun(), ["--oversubscribe", "-np", "\(ranks)", meta, "--threads", "1", script] + args,
      environment: Self.environment, directory: Self.scripts, timeout: timeout)
  }

  func testCollectivesCombineEveryKindOfLeaf() throws {
    let r = try launch(2, "collectives.meta")
    XCTAssertEqual(r.status, 0, r.stderr)
    // Only rank 0 prints.
    XCTAssertEqual(r.stdout, """
      2
      {a: tensor([3., 6.]), n: 3, f: 1.0}
      tensor([1.5, 4.5])
      [tensor([1, 5], dtype=int64), 2.5]
      tensor([0., 4.])
      float64
      {x: tensor([1.]), k: 11, b: tensor([true])}
      [] {} []

      """)
  }

  /// The numbers of a line `label [x, y, ...]` of equality.meta's output.
  private func numbers(_ output: String, _ label: String) -> [Double] {
    guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix(label + " ") }) else { return [] }
    return line.dropFirst(label.count + 1).split(whereSeparator: { "[], ".contains($0) }).compactMap { Double($0) }
  }

  private func assertSameTraining(_ one: ProcessResult, _ two: ProcessResult, _ what: String) {
    XCTAssertEqual(one.status, 0, one.stderr)
    XCTAssertEqual(two.status, 0, two.stderr)
    for label in ["params", "history", "eval"] {
      let a = numbers(one.stdout, label), b = numbers(two.stdout, label)
      if label == "eval" && a.isEmpty && b.isEmpty { continue }
      XCTAssertFalse(a.isEmpty, "\(what): no \(label) in \(one.stdout)")
      XCTAssertEqual(a.count, b.count, "\(what) \(label)")
      for (x, y) in zip(a, b) {
        // Float rounding: the ranks' partial sums are added in another order.
        XCTAssertEqual(x, y, accuracy: 1e-5 * max(1, abs(x)), "\(what) \(label): 1 rank \(a) vs 2 ranks \(b)")
      }
    }
  }

  func testOneAndTwoRanksTrainAlike() throws {
    let meta = try MetaProcess.executable("meta")
    for kind in ["maml", "reptile", "learned", "metasgd", "anil", "hyper", "protonet"] {
      let one = try MetaProcess.run(executable: meta, ["--threads", "1", "equality.meta", kind], directory: Self.scripts)
      let two = try launch(2, "equality.meta", [kind])
      assertSameTraining(one, two, kind)
    }
    let one = try MetaProcess.run(executable: meta, ["--threads", "1", "policy.meta"], directory: Self.scripts)
    assertSameTraining(one, try launch(2, "policy.meta"), "policy maml")
  }

  func testAResumedRunContinuesOnAnotherRankCount() throws {
    let meta = try MetaProcess.executable("meta")
    let straight = try MetaProcess.run(executable: meta, ["--threads", "1", "resume.meta", "6"], directory: Self.scripts)
    for (first, second) in [(2, 1), (1, 2)] {
      let scratch = try TemporaryDirectory()
      let checkpoint = scratch.path("fit.safetensors")
      let stopped = try launch(first, "resume.meta", ["3", checkpoint])
      XCTAssertEqual(stopped.status, 0, stopped.stderr)
      let resumed = try launch(second, "resume.meta", ["6", checkpoint])
      assertSameTraining(straight, resumed, "\(first) ranks then \(second)")
    }
  }

  func testARankRaisingEndsTheJobNamingIt() throws {
    let r = try launch(2, "failure.meta", ["raise"], timeout: 60)
    XCTAssertNotEqual(r.status, 0)
    XCTAssertTrue(r.stderr.contains("[rank 1 of 2] failure.meta:5:27: error: rank 1 fails on purpose"), r.stderr)
    XCTAssertFalse(r.stdout.contains("not reached"))
  }

  func testMismatchedTreesAreAnErrorNamingTheDifference() throws {
    let r = try launch(2, "failure.meta", ["mismatch"], timeout: 60)
    XCTAssertNotEqual(r.status, 0)
    // Whichever rank reports first, the job ends; rank 1's report names the leaf.
    XCTAssertTrue(r.stderr.contains("all_reduce: the ranks passed different trees"), r.stderr)
  }

  func testABatchSmallerThanTheRanksIsAnError() throws {
    let r = try launch(2, "failure.meta", ["small-batch"], timeout: 60)
    XCTAssertNotEqual(r.status, 0)
    XCTAssertTrue(r.stderr.contains("a meta-batch of 1 tasks cannot be split over 2 ranks"), r.stderr)
  }

  func testTheREPLIsRefusedUnderALauncher() throws {
    let meta = try MetaProcess.executable("meta").path
    let r = try MetaProcess.run(executable: try mpirun(), ["-np", "1", meta], environment: Self.environment, timeout: 60)
    XCTAssertNotEqual(r.status, 0)
    XCTAssertTrue(r.stderr.contains("meta: error: the REPL cannot run under an MPI launcher; give a script"), r.stderr)
  }

  func testAKilledRankEndsTheJob() throws {
    let meta = try MetaProcess.executable("meta").path
    let marker = "stall-\(UUID().uuidString)"
    // Rank 1 spins, rank 0 waits in a barrier; killing one rank (not mpirun, whose
    // command line carries the marker too) must end the job.
    DispatchQueue.global().asyncAfter(deadline: .now() + 3) {
      let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
      for pid in pids where Int32(pid) != nil {
        guard let comm = try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8),
          comm.trimmingCharacters(in: .whitespacesAndNewlines) == "meta",
          let cmdline = try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8),
          cmdline.contains(marker), let p = Int32(pid)
        else { continue }
        kill(p, SIGKILL)
        break
      }
    }
    let r = try MetaProcess.run(
      executable: try mpirun(), ["--oversubscribe", "-np", "2", meta, "--threads", "1", "failure.meta", "stall", marker],
      environment: Self.environment, directory: Self.scripts, timeout: 60)
    XCTAssertNotEqual(r.status, 0)
    XCTAssertTrue(r.stderr.contains("signal 9") || r.stderr.contains("exited on signal"), r.stderr)
  }

  func testTwoNamespacesTrainLikeOneProcess() throws {
    _ = try mpirun()
    let meta = try MetaProcess.executable("meta")
    let harness = MetaProcess.packageRoot.appendingPathComponent("scripts/mpi-two-hosts")
    let one = try MetaProcess.run(executable: meta, ["--threads", "1", "equality.meta", "maml"], directory: Self.scripts)
    let two = try MetaProcess.run(
      executable: harness, ["--", meta.path, "--threads", "1", "equality.meta", "maml"],
      environment: Self.environment, directory: Self.scripts, timeout: 180)
    if two.status == 77 && ProcessInfo.processInfo.environment["META_REQUIRE_MPI"] != "1" {
      throw XCTSkip("network namespaces are not available here: \(two.stderr)")
    }
    assertSameTraining(one, two, "two namespaces")
  }
}
