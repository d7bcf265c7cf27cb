// A Dataset value (spec §6): labelled examples with the rows of each class
// found once, so few-shot sampling never scans the whole dataset.

import MetaTensor

/// N labelled examples: inputs `x` [N, ...] and one non-negative integer class
/// label per row.
public final class MetaDataset: NativeObject, NativeSized {
  /// The inputs, [N, ...].
  public let x: Tensor
  /// The class label of each row.
  public let labels: [Int]
  /// The distinct labels, ascending.
  public let classIDs: [Int]
  /// The rows of each class, in `classIDs` order (rows ascending within a class).
  public let rowsByClass: [[Int]]

  /// Checks x has one row per label and every label is in 0...`maxLabel`.
  public init(x: Tensor, labels: [Int]) throws {
    guard x.rank >= 1 else { throw BuiltinError("dataset: x must have at least one dimension (got a 0-d tensor)") }
    guard x.shape[0] == labels.count else {
      throw BuiltinError("dataset: x has \(x.shape[0]) rows but there are \(labels.count) labels")
    }
    guard !labels.isEmpty else { throw BuiltinError("dataset: there are no examples") }
    var rows: [Int: [Int]] = [:]
    for (row, label) in labels.enumerated() {
      guard label >= 0, label <= MetaDataset.maxLabel else {
        throw BuiltinError("dataset: label \(label) at position \(row) is not a class id in 0...\(MetaDataset.maxLabel)")
      }
      rows[label, default: []].append(row)
    }
    // Sampling copies rows straight out of the buffer, so keep it dense,
    // and detached, so sampling never records a graph.
    self.x = x.isContiguous ? x.detached() : try Tensor(shape: x.shape, scalars: x.scalars)
    self.labels = labels
    classIDs = rows.keys.sorted()
    rowsByClass = classIDs.map { rows[$0] ?? [] }
  }

  /// Labels read from a tensor or a List: whole, non-negative numbers.
  static func labels(from value: Value, function: String) throws -> [Int] {
    let numbers: [Double]
    if let t = value.tensor {
      guard t.rank == 1 else { throw BuiltinError("\(function): labels must be a 1-d tensor (got shape \(t.shape))") }
      numbers = t.elements(as: Double.self)  // exact for int64 labels (float32 is not past 2^24)
    } else if case .list(let items) = value {
      numbers = try items.enumerated().map { i, item in
        switch item {
        case .int(let n): return Double(n)
        case .float(let x): return x
        default: throw BuiltinError("\(function): label at position \(i) is \(withArticle(item.typeName)), not a number")
        }
      }
    } else {
      throw BuiltinError("\(function): labels must be a Tensor or a List (got \(withArticle(value.typeName)))")
    }
    return try numbers.enumerated().map { i, v in
      guard v == v.rounded(), v >= 0, v <= Double(maxLabel) else {
        throw BuiltinError("\(function): label \(formatFloat(v)) at position \(i) is not a class id in 0...\(maxLabel)")
      }
      return Int(v)
    }
  }

  public var count: Int { labels.count }

  public var typeName: String { "Dataset" }

  public var fieldNames: [String] { ["x", "labels", "classes", "count"] }

  public func field(_ name: String) throws -> Value? {
    switch name {
    case "x": return .tensor(x)
    case "labels": return .tensor(try Tensor(shape: [labels.count], elements: labels.map(Int64.init)))
    case "classes": return .int(classIDs.count)
    case "count": return .int(labels.count)
    default: return nil
    }
  }

  /// `Dataset(1623 classes, 32460 examples, x: [32460, 1, 28, 28])`.
  public var description: String {
    let c = classIDs.count, n = labels.count
    return "Dataset(\(c) class\(c == 1 ? "" : "es"), \(n) example\(n == 1 ? "" : "s"), x: \(x.shape))"
  }
}
