// Tasks, task sets and datasets (spec §6): the builtins that make them.
// The values themselves live in Task.swift, TaskSet.swift and Dataset.swift.

import MetaTensor

extension Builtins {
  /// `Task`, `sine_tasks`, `fewshot`, `tasks_from`, `dataset`, `load_csv`.
  static func taskBuiltins() -> [Builtin] {
    [
      Builtin("Task", labels: ["support", "query", "ways", "labels", "info"]) { args in
        try args.expect(0...2)
        func set(_ i: Int, _ label: String) throws -> (x: Tensor, y: Tensor) {
          guard let v = i < args.count ? args[i] : args.named(label) else {
            throw BuiltinError("Task: missing argument '\(label)' (a record {x: Tensor, y: Tensor})")
          }
          return try exampleSet(v, label)
        }
        let support = try set(0, "support"), query = try set(1, "query")
        let ways = try optionalInt(args.named("ways"), "ways", "Task")
        var labels: [Int]?
        switch args.named("labels") {
        case nil, .nil_?: break
        case .list(let items)?:
          labels = try items.map { item in
            guard case .int(let n) = item else { throw BuiltinError("Task: labels must be a List of Ints") }
            return n
          }
        case let v?: throw badNamed("labels", "Task", "List", v)
        }
        var info = Record()
        if let v = args.named("info") {
          guard case .record(let r) = v else { throw badNamed("info", "Task", "Record", v) }
          info = r
        }
        return .native(try MetaTask(support: support, query: query, ways: ways, labels: labels, info: info))
      },
      Builtin("sine_tasks", labels: ["amplitude", "phase", "x", "shots", "queries"]) { args in
        try args.expect(0)
        let name = "sine_tasks"
        let sine = SineTasks(
          amplitude: try range(args.named("amplitude"), "amplitude", name, default: 0.1...5.0),
          phase: try range(args.named("phase"), "phase", name, default: 0...Double.pi),
          x: try range(args.named("x"), "x", name, default: SineTasks.defaultX),
          shots: try count(args.named("shots"), "shots", name, default: 10),
          queries: try count(args.named("queries"), "queries", name, default: 10))
        let random = args.rt.random
        return .native(
          MetaTaskSet(name: "sine", ways: nil, shots: sine.shots, queries: sine.queries, details: sine.details, stream: random) {
            try sine.sample(random)
          })
      },
      Builtin("fewshot", labels: ["ways", "shots", "queries"]) { args in
        try args.expect(1)
        guard case .native(let o) = args[0], let ds = o as? MetaDataset else { throw args.bad(0, "Dataset") }
        let name = "fewshot"
        let few = try FewShotTasks(
          ds, ways: try count(args.named("ways"), "ways", name, default: 5, positive: false),
          shots: try count(args.named("shots"), "shots", name, default: 1, positive: false),
          queries: try count(args.named("queries"), "queries", name, default: 15, positive: false))
        let random = args.rt.random
        return .native(
          MetaTaskSet(name: "fewshot", ways: few.ways, shots: few.shots, queries: few.queries, details: few.details, stream: random) {
            try few.sample(random)
          })
      },
      Builtin("tasks_from") { args in
        try args.expect(1)
        let f = try args.callable(0)
        // Weak: the runtime's globals may hold this task set.
        return .native(
          MetaTaskSet(name: "custom", ways: nil, shots: nil, queries: nil, details: [("fn", f.repr)], stream: args.rt.random) {
            [weak rt = args.rt] in
            guard let rt else { throw BuiltinError("tasks_from: the interpreter is gone") }
            let out = try rt.call(f, [], at: rt.nativeCallLoc)
            guard case .native(let o) = out, let task = o as? any TaskObject else {
              let got = isNil(out) ? "nil" : withArticle(out.typeName)
              throw BuiltinError("tasks_from: the function must return a Task (got \(got))")
            }
            return task
          })
      },
      Builtin("dataset") { args in
        try args.expect(1...2)
        return .native(try datasetValue(args))
      },
      Builtin("load_csv", labels: ["label", "header"]) { args in
        try args.expect(1)
        let table = try CSVTable(path: try args.string(0), header: try args.named("header")?.truthValue() ?? true)
        guard let label = args.named("label"), !isNil(label) else { return .tensor(try table.tensor()) }
        return .native(try table.dataset(labelColumn: try table.column(label)))
      },
    ]
  }

  /// `dataset(x, labels)`, `dataset("data.safetensors")` or `dataset("x.npy", "labels.npy")`.
  private static func datasetValue(_ args: Arguments) throws -> MetaDataset {
    if let x = args[0].tensor {
      guard args.count == 2 else { throw BuiltinError("dataset: labels are missing (dataset(x, labels))") }
      return try MetaDataset(x: x, labels: try MetaDataset.labels(from: args[1], function: "dataset"))
    }
    guard case .string(let path) = args[0] else { throw args.bad(0, "Tensor or String") }
    if args.count == 2 {
      let labelsPath = try args.string(1)
      let x = try onlyTensor(path), labels = try onlyTensor(labelsPath)
      return try MetaDataset(x: x, labels: try MetaDataset.labels(from: .tensor(labels), function: "dataset"))
    }
    let tensors = try load(path)
    func named(_ name: String) -> Tensor? { tensors.first { $0.name == name }?.tensor }
    let names = tensors.map(\.name).joined(separator: ", ")
    guard let x = named("x") else { throw BuiltinError("dataset: \(path) has no tensor named 'x' (it has: \(names))") }
    guard let labels = named("labels") ?? named("y") else {
      throw BuiltinError("dataset: \(path) has no tensor named 'labels' or 'y' (it has: \(names))")
    }
    return try MetaDataset(x: x, labels: try MetaDataset.labels(from: .tensor(labels), function: "dataset"))
  }

  /// The single tensor a file holds.
  private static func onlyTensor(_ path: String) throws -> Tensor {
    let tensors = try load(path)
    guard tensors.count == 1, let only = tensors.first else {
      throw BuiltinError("dataset: \(path) holds \(tensors.count) tensors, expected exactly one")
    }
    return only.tensor
  }

  /// Every tensor in a file, with read errors naming `dataset`.
  private static func load(_ path: String) throws -> [(name: String, tensor: Tensor)] {
    do { return try TensorIO.load(path) } catch let e as TensorError { throw BuiltinError("dataset: \(e.message)") }
  }

  /// A support or query set: a record {x: Tensor, y: Tensor}.
  private static func exampleSet(_ v: Value, _ label: String) throws -> (x: Tensor, y: Tensor) {
    guard case .record(let r) = v, let x = r["x"]?.tensor, let y = r["y"]?.tensor else {
      throw BuiltinError("Task: \(label) must be a record {x: Tensor, y: Tensor} (got \(MetaObject.summary(v, depth: 0)))")
    }
    return (x, y)
  }

  private static func isNil(_ v: Value) -> Bool {
    if case .nil_ = v { return true }
    return false
  }

  private static func badNamed(_ label: String, _ function: String, _ expected: String, _ v: Value) -> BuiltinError {
    BuiltinError(ArgumentMessage.badNamed(label, function, expected: expected, got: v))
  }

  /// An optional Int argument (nil when absent or nil).
  private static func optionalInt(_ v: Value?, _ label: String, _ function: String) throws -> Int? {
    switch v {
    case nil, .nil_?: return nil
    case .int(let n)?: return n
    case let other?: throw badNamed(label, function, "Int", other)
    }
  }

  /// A count argument. `positive` checks n >= 1 here; samplers that check it
  /// themselves pass false. Counts are capped so a typo cannot exhaust memory.
  private static func count(
    _ v: Value?, _ label: String, _ function: String, default d: Int, positive: Bool = true
  ) throws -> Int {
    let n = try optionalInt(v, label, function) ?? d
    if positive && n < 1 { throw BuiltinError("\(function): \(label) must be positive (got \(n))") }
    if n > Interpreter.maxCollectionSize {
      throw BuiltinError("\(function): \(label) must be at most \(Interpreter.maxCollectionSize) (got \(n))")
    }
    return n
  }

  /// A `[low, high]` argument: two finite numbers with low <= high.
  private static func range(
    _ v: Value?, _ label: String, _ function: String, default d: ClosedRange<Double>
  ) throws -> ClosedRange<Double> {
    guard let v else { return d }
    let problem = "\(function): \(label) must be a list [low, high] of two numbers"
    guard case .list(let items) = v, items.count == 2 else { throw BuiltinError("\(problem) (got \(v.repr))") }
    let ends = try items.map { item -> Double in
      switch item {
      case .int(let n): return Double(n)
      case .float(let x) where x.isFinite: return x
      default: throw BuiltinError("\(problem) (got \(v.repr))")
      }
    }
    guard ends[0] <= ends[1] else {
      throw BuiltinError("\(function): \(label) must have low <= high (got \(v.repr))")
    }
    return ends[0]...ends[1]
  }
}
