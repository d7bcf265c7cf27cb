// The Swift side of tasks, task sets and datasets: what a host (or a loader
// such as Omniglot's) builds in Swift must work as an ordinary Meta value.

import Foundation
import MetaLang
import MetaTensor
import XCTest

final class TaskTests: XCTestCase {
  private func quiet() -> Interpreter { Interpreter(output: { _ in }) }

  /// Rows whose first element is the row number, labels 7·(row / 4): 5 classes of 4.
  private func numberedDataset() throws -> MetaDataset {
    let n = 20
    let x = try Tensor(shape: [n, 1, 2], scalars: (0..<n).flatMap { [Float($0), -1] })
    return try MetaDataset(x: x, labels: (0..<n).map { 7 * ($0 / 4) })
  }

  func testHostDatasetWorksWithFewshot() throws {
    let interp = quiet()
    let ds = try numberedDataset()
    XCTAssertEqual(ds.classIDs, [0, 7, 14, 21, 28])
    XCTAssertEqual(ds.rowsByClass[1], [4, 5, 6, 7])
    interp[global: "ds"] = .native(ds)
    XCTAssertEqual(try interp.evaluate("str(ds)").description, "Dataset(5 classes, 20 examples, x: [20, 1, 2])")
    let value = try interp.evaluate("fewshot(ds, ways: 3, shots: 1, queries: 2).sample()")
    guard case .native(let object) = value, let task = object as? MetaTask else {
      return XCTFail("expected a Task, got \(value.typeName)")
    }
    XCTAssertEqual(task.supportX.shape, [3, 1, 2])
    XCTAssertEqual(task.queryX.shape, [6, 1, 2])
    XCTAssertEqual(task.queryY.scalars, [0, 0, 1, 1, 2, 2])
    let labels = try XCTUnwrap(task.labels)
    // Every row sits in the class task.labels names for it.
    for (set, y) in [(task.supportX, task.supportY), (task.queryX, task.queryY)] {
      let rows = set.scalars.enumerated().filter { $0.offset % 2 == 0 }.map { Int($0.element) }
      for (row, remapped) in zip(rows, y.scalars) {
        XCTAssertEqual(7 * (row / 4), labels[Int(remapped)], "row \(row)")
      }
    }
  }

  func testHostTaskSetDrawsFromTheInterpretersStream() throws {
    let interp = quiet()
    let random = interp.random
    let set = MetaTaskSet(name: "host", ways: nil, shots: 1, queries: 1) {
      let v = Float(random.nextDouble())
      let t = try Tensor(shape: [1, 1], scalars: [v])
      return try MetaTask(support: (t, t), query: (t, t), info: Record([("v", .float(Double(v)))]))
    }
    interp[global: "hs"] = .native(set)
    XCTAssertEqual(try interp.evaluate("str(hs)").description, "TaskSet(host, shots: 1, queries: 1)")
    let same = try interp.evaluate("seed(4); let a = hs.sample(); seed(4); let b = hs.sample(); a.info.v == b.info.v")
    XCTAssertEqual(same.description, "true")
    XCTAssertEqual(try interp.evaluate("len(hs.sample(5))").description, "5")
    XCTAssertEqual(try set.sample(2).count, 2)
    XCTAssertThrowsError(try set.sample(0))
  }

  func testFixedNeedsTheStreamTheTaskSetDrawsFrom() throws {
    let interp = quiet()
    let random = interp.random
    func draw() throws -> MetaTask {
      let t = try Tensor(shape: [1, 1], scalars: [Float(random.nextDouble())])
      return try MetaTask(support: (t, t), query: (t, t))
    }
    // Without `stream:` fixed cannot reseed what the closure draws from: refused, not wrong.
    let unknown = MetaTaskSet(name: "host", ways: nil, shots: 1, queries: 1, sample: draw)
    XCTAssertThrowsError(try unknown.fixed(2, seed: 1)) { error in
      XCTAssertTrue("\(error)".contains("does not say which random stream"), "\(error)")
    }
    let known = MetaTaskSet(name: "host", ways: nil, shots: 1, queries: 1, stream: random, sample: draw)
    let before = random.state.words
    let a = try known.fixed(3, seed: 9), b = try known.fixed(3, seed: 9)
    XCTAssertEqual(random.state.words, before, "the interpreter's stream is where it was")
    XCTAssertEqual(a.map { ($0 as? MetaTask)?.supportX.scalars }, b.map { ($0 as? MetaTask)?.supportX.scalars })
  }

  func testTaskInitRejectsMismatchedSets() throws {
    let two = try Tensor.zeros([2, 1]), three = try Tensor.zeros([3])
    XCTAssertThrowsError(try MetaTask(support: (two, three), query: (two, two)))
    XCTAssertThrowsError(try MetaTask(support: (two, two), query: (two, two), ways: 3))
    XCTAssertThrowsError(try MetaDataset(x: two, labels: [0]))
    XCTAssertThrowsError(try MetaDataset(x: two, labels: [0, -3]))
    let ok = try MetaTask(support: (two, two), query: (two, two), ways: 2, labels: [5, 9])
    XCTAssertEqual(ok.shots, 1)
    XCTAssertEqual(ok.description, "Task(support: x[2, 1] y[2, 1], query: x[2, 1] y[2, 1], ways: 2, labels: [5, 9])")
  }

  func testDatasetFromSafetensorsWrittenBySwift() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("meta-task-tests-\(getpid())")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("d.safetensors").path
    let x = try Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6])
    try TensorIO.save([("x", x), ("labels", try Tensor(shape: [3], scalars: [4, 4, 0]))], to: path)
    let interp = quiet()
    interp[global: "path"] = .string(path)
    XCTAssertEqual(try interp.evaluate("str(dataset(path))").description, "Dataset(2 classes, 3 examples, x: [3, 2])")
    XCTAssertEqual(try interp.evaluate("dataset(path).labels.tolist()").description, "[4, 4, 0]")
  }

  func testCustomTaskSetOutlivingItsInterpreterFailsCleanly() throws {
    var set: MetaTaskSet?
    do {
      let interp = quiet()
      let value = try interp.evaluate("tasks_from(fn() { nil })")
      guard case .native(let object) = value else { return XCTFail("expected a TaskSet") }
      set = object as? MetaTaskSet
    }
    let orphan = try XCTUnwrap(set)
    XCTAssertThrowsError(try orphan.sample()) { error in
      XCTAssertTrue(String(describing: error).contains("the interpreter is gone"), "\(error)")
    }
  }
}
