// The task distributions behind `sine_tasks` and `fewshot`. Each draws all its
// randomness from the interpreter's stream, so `seed(n)` reproduces tasks.

import Foundation
import MetaTensor

/// Finn et al. (2017) sine regression: y = A·sin(x − φ) with A, φ and the
/// inputs uniform in their ranges.
struct SineTasks {
  let amplitude: ClosedRange<Double>
  let phase: ClosedRange<Double>
  let x: ClosedRange<Double>
  let shots: Int
  let queries: Int

  /// The default input range, left out when printing.
  static let defaultX: ClosedRange<Double> = -5...5

  func sample(_ random: RandomStream) throws -> MetaTask {
    let a = uniform(amplitude, random), p = uniform(phase, random)
    let support = try points(shots, a, p, random)
    let query = try points(queries, a, p, random)
    return try MetaTask(
      support: support, query: query,
      info: Record([("amplitude", .float(a)), ("phase", .float(p))]))
  }

  /// `n` inputs [n, 1] and their targets [n, 1]; y is computed from the stored
  /// Float32 x, so it matches `A * sin(x - phase)` evaluated on the tensor.
  private func points(_ n: Int, _ a: Double, _ p: Double, _ random: RandomStream) throws -> (x: Tensor, y: Tensor) {
    var xs = [Float](repeating: 0, count: n), ys = [Float](repeating: 0, count: n)
    for i in 0..<n {
      let xi = Float(uniform(x, random))
      xs[i] = xi
      ys[i] = Float(a * sin(Double(xi) - p))
    }
    return (try Tensor(shape: [n, 1], scalars: xs), try Tensor(shape: [n, 1], scalars: ys))
  }

  var details: [(String, String)] {
    var parts = [("amplitude", rangeText(amplitude)), ("phase", rangeText(phase))]
    if x != SineTasks.defaultX { parts.append(("x", rangeText(x))) }
    return parts
  }
}

/// Uniform in `range` (the upper end is reached only when the range is one point).
func uniform(_ range: ClosedRange<Double>, _ random: RandomStream) -> Double {
  range.lowerBound + (range.upperBound - range.lowerBound) * random.nextDouble()
}

/// `[0.1, 5.0]`, with each end to 6 significant digits.
func rangeText(_ range: ClosedRange<Double>) -> String {
  "[\(shortText(.float(range.lowerBound))), \(shortText(.float(range.upperBound)))]"
}

/// `k` distinct integers of 0..<n in random order (Floyd's algorithm, then a
/// shuffle): O(k) work however large n is. Requires 0 <= k <= n.
func distinctSample(_ k: Int, from n: Int, _ random: RandomStream) -> [Int] {
  var picked: [Int] = []
  picked.reserveCapacity(k)
  var seen = Set<Int>(minimumCapacity: k)
  for j in (n - k)..<n {
    let t = random.nextInt(in: 0...j)
    let choice = seen.contains(t) ? j : t
    seen.insert(choice)
    picked.append(choice)
  }
  // Floyd's order is not uniform (j tends to come late): shuffle it.
  for i in stride(from: k - 1, to: 0, by: -1) {
    picked.swapAt(i, random.nextInt(in: 0...i))
  }
  return picked
}

/// N-way K-shot classification tasks over a labelled dataset.
struct FewShotTasks {
  let dataset: MetaDataset
  let ways: Int
  let shots: Int
  let queries: Int
  /// Positions in `dataset.classIDs` of the classes with at least shots + queries examples.
  let eligible: [Int]
  /// Elements per example (the product of x's shape after the first axis).
  let rowSize: Int

  init(_ dataset: MetaDataset, ways: Int, shots: Int, queries: Int) throws {
    for (name, value) in [("ways", ways), ("shots", shots), ("queries", queries)] where value < 1 {
      throw BuiltinError("fewshot: \(name) must be positive (got \(value))")
    }
    let (perClass, overflow) = shots.addingReportingOverflow(queries)
    let need = overflow ? Int.max : perClass
    eligible = dataset.rowsByClass.indices.filter { dataset.rowsByClass[$0].count >= need }
    guard eligible.count >= ways else {
      let have = eligible.count
      throw BuiltinError(
        "fewshot: \(ways) ways need \(ways) classes with at least \(need) examples (shots + queries), "
          + "but the dataset has \(have) such class\(have == 1 ? "" : "es")")
    }
    self.dataset = dataset
    self.ways = ways; self.shots = shots; self.queries = queries
    rowSize = dataset.x.shape.dropFirst().reduce(1, *)
  }

  func sample(_ random: RandomStream) throws -> MetaTask {
    let classes = distinctSample(ways, from: eligible.count, random).map { eligible[$0] }
    var supportRows: [Int] = [], queryRows: [Int] = []
    supportRows.reserveCapacity(ways * shots)
    queryRows.reserveCapacity(ways * queries)
    for c in classes {
      let rows = dataset.rowsByClass[c]
      let picks = distinctSample(shots + queries, from: rows.count, random)
      for (i, p) in picks.enumerated() {
        if i < shots { supportRows.append(rows[p]) } else { queryRows.append(rows[p]) }
      }
    }
    return try MetaTask(
      support: (try gather(supportRows), try remappedLabels(shots)),
      query: (try gather(queryRows), try remappedLabels(queries)),
      ways: ways, labels: classes.map { dataset.classIDs[$0] })
  }

  /// The given rows of x stacked in order: [rows.count, ...feature shape]
  /// (one copy, straight into the result; int64 indices are exact at any size).
  private func gather(_ rows: [Int]) throws -> Tensor {
    try dataset.x.indexSelect(try Tensor(shape: [rows.count], elements: rows.map(Int64.init)), axis: 0)
  }

  /// 0 repeated `each` times, then 1, ..., up to ways − 1: int64 class labels [ways·each].
  private func remappedLabels(_ each: Int) throws -> Tensor {
    var ys = [Int64](repeating: 0, count: ways * each)
    for c in 0..<ways { for i in 0..<each { ys[c * each + i] = Int64(c) } }
    return try Tensor(shape: [ways * each], elements: ys)
  }

  var details: [(String, String)] { [("classes", "\(eligible.count)")] }
}
