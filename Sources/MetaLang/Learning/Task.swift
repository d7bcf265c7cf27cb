// A Task value (spec §6): one learning problem with a support set to adapt on
// and a query set to evaluate on. Immutable, so sharing one is always safe.

import Foundation
import MetaTensor

/// One few-shot task: `support` and `query` sets of inputs `x` and targets `y`,
/// plus what was sampled to make it (`ways`, `labels`, `info`).
public final class MetaTask: TaskObject {
  /// Support inputs [shots·ways, ...] and targets (first dimensions agree).
  public let supportX: Tensor, supportY: Tensor
  /// Query inputs and targets.
  public let queryX: Tensor, queryY: Tensor
  /// Number of classes, or nil for regression.
  public let ways: Int?
  /// Support examples per class (per task when `ways` is nil).
  public let shots: Int
  /// Query examples per class (per task when `ways` is nil).
  public let queries: Int
  /// Original class ids of remapped labels 0..<ways, when known.
  public let labels: [Int]?
  /// What the sampler drew, e.g. `{amplitude: 2.1, phase: 0.7}` for a sine task.
  public let info: Record

  /// Checks the shapes agree: x and y share their first dimension, each set is
  /// non-empty, and with `ways` each set holds the same number of examples per class.
  public init(
    support: (x: Tensor, y: Tensor), query: (x: Tensor, y: Tensor),
    ways: Int? = nil, labels: [Int]? = nil, info: Record = Record()
  ) throws {
    let n = try MetaTask.examples(support, "support")
    let m = try MetaTask.examples(query, "query")
    if let ways {
      guard ways >= 1 else { throw BuiltinError("Task: ways must be positive (got \(ways))") }
      for (set, count) in [("support", n), ("query", m)] where count % ways != 0 {
        throw BuiltinError("Task: \(set) has \(count) examples, not a multiple of ways (\(ways))")
      }
      if let labels, labels.count != ways {
        throw BuiltinError("Task: labels has \(labels.count) entries, expected one per way (\(ways))")
      }
    }
    supportX = support.x; supportY = support.y
    queryX = query.x; queryY = query.y
    self.ways = ways
    shots = n / (ways ?? 1)
    queries = m / (ways ?? 1)
    self.labels = labels
    self.info = info
  }

  /// The number of examples in one set, after checking x and y agree on it.
  private static func examples(_ set: (x: Tensor, y: Tensor), _ name: String) throws -> Int {
    guard set.x.rank >= 1, set.y.rank >= 1 else {
      throw BuiltinError("Task: \(name).x and \(name).y must have at least one dimension (got shapes \(set.x.shape) and \(set.y.shape))")
    }
    guard set.x.shape[0] == set.y.shape[0] else {
      throw BuiltinError("Task: \(name).x has \(set.x.shape[0]) examples but \(name).y has \(set.y.shape[0])")
    }
    guard set.x.shape[0] >= 1 else { throw BuiltinError("Task: \(name) has no examples") }
    return set.x.shape[0]
  }

  public var typeName: String { "Task" }

  static let fieldList = ["support", "query", "ways", "shots", "queries", "labels", "info"]
  public var fieldNames: [String] { MetaTask.fieldList }

  public func field(_ name: String) throws -> Value? {
    switch name {
    case "support": return MetaTask.set(supportX, supportY)
    case "query": return MetaTask.set(queryX, queryY)
    case "ways": return ways.map { .int($0) } ?? .nil_
    case "shots": return .int(shots)
    case "queries": return .int(queries)
    case "labels": return labels.map { .list($0.map { .int($0) }) } ?? .nil_
    case "info": return .record(info)
    default: return nil
    }
  }

  private static func set(_ x: Tensor, _ y: Tensor) -> Value {
    .record(Record([("x", .tensor(x)), ("y", .tensor(y))]))
  }

  /// `Task(support: x[10, 1] y[10, 1], query: ..., ways: 5, info: {...})`: shapes,
  /// never the data; `ways`, `labels` and `info` only when there is something to say.
  public var description: String {
    var parts = [
      "support: x\(supportX.shape) y\(supportY.shape)",
      "query: x\(queryX.shape) y\(queryY.shape)",
    ]
    if let ways { parts.append("ways: \(ways)") }
    if let labels { parts.append("labels: \(MetaObject.summary(.list(labels.map { .int($0) }), depth: 0))") }
    if info.count > 0 {
      let fields = info.fields.map { key, value in "\(key): \(shortText(value))" }
      parts.append("info: {\(fields.joined(separator: ", "))}")
    }
    return "Task(\(parts.joined(separator: ", ")))"
  }
}

/// A value for a one-line summary: Floats to 6 significant digits (`3.14159`),
/// everything else as `MetaObject.summary` shows it.
func shortText(_ value: Value) -> String {
  guard case .float(let x) = value, x.isFinite else { return MetaObject.summary(value, depth: 1) }
  return formatFloat(Double(String(format: "%.6g", x)) ?? x)
}
