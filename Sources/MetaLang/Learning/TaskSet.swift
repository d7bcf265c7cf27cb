// A TaskSet value (spec §6): a distribution over tasks that `.sample()` draws
// from. The distribution is a Swift closure, so every kind (sine, fewshot,
// custom, the environments of §6.2, and loaders added later) shares one object type.

/// A value whose `type` is "Task": a few-shot task (`MetaTask`) or an
/// environment (`EnvironmentTask`, spec §6.2).
public protocol TaskObject: NativeObject {}

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
  private let draw: () throws -> any TaskObject
  /// The stream `draw` takes its randomness from, which `fixed` reseeds for a
  /// moment; nil when unknown (a host's task set), and then `fixed` refuses.
  let stream: RandomStream?

  /// A task set drawing each task with `sample`. The closure should take its
  /// randomness from the interpreter's stream, so `seed(n)` reproduces a run.
  public init(
    name: String, ways: Int?, shots: Int?, queries: Int?,
    details: [(String, String)] = [], stream: RandomStream? = nil, sample: @escaping () throws -> any TaskObject
  ) {
    self.name = name; self.ways = ways; self.shots = shots; self.queries = queries
    self.details = details
    self.stream = stream
    self.draw = sample
  }

  /// One task.
  public func sample() throws -> any TaskObject { try draw() }

  /// `n` tasks (n >= 1).
  public func sample(_ n: Int) throws -> [any TaskObject] {
    guard n >= 1 else { throw BuiltinError("sample: the number of tasks must be positive (got \(n))") }
    try Operators.checkSize(n, "list")
    var tasks: [any TaskObject] = []
    tasks.reserveCapacity(n)
    for _ in 0..<n { tasks.append(try draw()) }
    return tasks
  }

  /// `n` tasks drawn with their own `seed`: the same seed gives the same tasks,
  /// and the interpreter's stream continues afterwards exactly where it was
  /// (learn2learn's `num_tasks`: a fixed evaluation set).
  public func fixed(_ n: Int, seed: UInt64) throws -> [any TaskObject] {
    guard let stream else {
      throw BuiltinError("fixed: this TaskSet does not say which random stream it draws from; sample it after seed(...) instead")
    }
    let saved = stream.state
    defer { stream.state = saved }
    stream.seed(seed)
    return try sample(n)
  }

  public var typeName: String { "TaskSet" }

  public var fieldNames: [String] { ["name", "ways", "shots", "queries", "sample", "fixed"] }

  public func field(_ name: String) throws -> Value? {
    switch name {
    case "name": return .string(self.name)
    case "ways": return ways.map { .int($0) } ?? .nil_
    case "shots": return shots.map { .int($0) } ?? .nil_
    case "queries": return queries.map { .int($0) } ?? .nil_
    case "sample":
      // `tasks.sample` without a call: a bound method value.
      return .function(Function(name: "sample") { [self] args in try self.sampleMethod(args) })
    case "fixed":
      return .function(Function(name: "fixed") { [self] args in try self.fixedMethod(args) })
    default: return nil
    }
  }

  public func callMethod(_ name: String, _ arguments: NativeArguments) throws -> Value? {
    switch name {
    case "sample": return try sampleMethod(arguments)
    case "fixed": return try fixedMethod(arguments)
    default: return nil
    }
  }

  /// `tasks.fixed(n, seed: s)`: a List of n Tasks, the same for the same seed.
  private func fixedMethod(_ arguments: NativeArguments) throws -> Value {
    var args = arguments
    args.function = "fixed"
    try args.checkLabels(["seed"])
    try args.expect(1)
    guard let s = args.named("seed") else {
      throw BuiltinError("fixed: missing argument 'seed' (tasks.fixed(n, seed: 1): the same seed gives the same tasks)")
    }
    guard case .int(let seed) = s else {
      throw BuiltinError(ArgumentMessage.badNamed("seed", "fixed", expected: "Int", got: s))
    }
    let n = try args.int(0)
    guard n >= 1 else { throw BuiltinError("fixed: the number of tasks must be positive (got \(n))") }
    return .list(try fixed(n, seed: UInt64(bitPattern: Int64(seed))).map { .native($0) })
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
