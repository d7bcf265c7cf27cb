// A TaskSet value (spec §6): a distribution over tasks that `.sample()` draws
// from. The distribution is a Swift closure, so every kind (sine, fewshot,
// custom, and loaders added later) shares one object type.

/// A source of tasks: `.sample()` gives one Task, `.sample(n)` a List of n.
public final class MetaTaskSet: NativeObject, NativeMethods {
  /// The kind: "sine", "fewshot", "custom", ...
  public let name: String
  /// Classes per task, or nil for regression (or when unknown, as for "custom").
  public let ways: Int?
  /// Support examples per class (per task for regression), when fixed.
  public let shots: Int?
  /// Query examples per class (per task for regression), when fixed.
  public let queries: Int?
  /// Extra `label: text` parts shown when printing, e.g. the amplitude range.
  let details: [(String, String)]
  private let draw: () throws -> MetaTask

  /// A task set drawing each task with `sample`. The closure should take its
  /// randomness from the interpreter's stream, so `seed(n)` reproduces a run.
  public init(
    name: String, ways: Int?, shots: Int?, queries: Int?,
    details: [(String, String)] = [], sample: @escaping () throws -> MetaTask
  ) {
    self.name = name; self.ways = ways; self.shots = shots; self.queries = queries
    self.details = details
    self.draw = sample
  }

  /// One task.
  public func sample() throws -> MetaTask { try draw() }

  /// `n` tasks (n >= 1).
  public func sample(_ n: Int) throws -> [MetaTask] {
    guard n >= 1 else { throw BuiltinError("sample: the number of tasks must be positive (got \(n))") }
    try Operators.checkSize(n, "list")
    var tasks: [MetaTask] = []
    tasks.reserveCapacity(n)
    for _ in 0..<n { tasks.append(try draw()) }
    return tasks
  }

  public var typeName: String { "TaskSet" }

  public var fieldNames: [String] { ["name", "ways", "shots", "queries", "sample"] }

  public func field(_ name: String) throws -> Value? {
    switch name {
    case "name": return .string(self.name)
    case "ways": return ways.map { .int($0) } ?? .nil_
    case "shots": return shots.map { .int($0) } ?? .nil_
    case "queries": return queries.map { .int($0) } ?? .nil_
    case "sample":
      // `tasks.sample` without a call: a bound method value.
      return .function(Function(name: "sample") { [self] args in try self.sampleMethod(args) })
    default: return nil
    }
  }

  public func callMethod(_ name: String, _ arguments: NativeArguments) throws -> Value? {
    name == "sample" ? try sampleMethod(arguments) : nil
  }

  private func sampleMethod(_ arguments: NativeArguments) throws -> Value {
    var args = arguments
    args.function = "sample"
    try args.checkLabels([])
    try args.expect(0...1)
    if args.count == 0 { return .native(try sample()) }
    return .list(try sample(try args.int(0)).map { .native($0) })
  }

  /// `TaskSet(sine, shots: 10, queries: 10, amplitude: [0.1, 5.0], phase: [0.0, 3.14159])`.
  public var description: String {
    var parts = [name]
    if let ways { parts.append("ways: \(ways)") }
    if let shots { parts.append("shots: \(shots)") }
    if let queries { parts.append("queries: \(queries)") }
    for (label, text) in details { parts.append("\(label): \(text)") }
    return "TaskSet(\(parts.joined(separator: ", ")))"
  }
}
