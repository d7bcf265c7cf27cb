// `omniglot(...)` (spec §6): the Omniglot few-shot dataset from the upstream
// archives, as a Dataset. The loading itself lives in MetaData.

import MetaData
import MetaTensor

extension Builtins {
  /// `omniglot(root: dir, split: "train", size: 28, rotations: true, protocol: "vinyals", seed: 0, cache: nil)`.
  static func omniglotBuiltins() -> [Builtin] {
    [
      Builtin("omniglot", labels: ["root", "split", "size", "rotations", "protocol", "seed", "cache"]) { args in
        try args.expect(0...1)
        let name = "omniglot"
        guard let rootValue = args.count == 1 ? args[0] : args.named("root") else {
          throw BuiltinError("omniglot: missing argument 'root' (the directory holding images_background.zip and images_evaluation.zip)")
        }
        guard case .string(let root) = rootValue else { throw omniglotBad("root", "String", rootValue) }
        var options = OmniglotOptions(root: OmniglotFiles.expandingHome(root))
        options.split = try choice(args.named("split"), "split", default: .train)
        options.scheme = try choice(args.named("protocol"), "protocol", default: .vinyals)
        switch args.named("size") {
        case nil: break
        case .int(let n)?:
          guard (1...Omniglot.maxSize).contains(n) else {
            throw BuiltinError("\(name): size must be in 1...\(Omniglot.maxSize) (got \(n))")
          }
          options.size = n
        case let v?: throw omniglotBad("size", "Int", v)
        }
        switch args.named("rotations") {
        case nil: break
        case .bool(let b)?: options.rotations = b
        case let v?: throw omniglotBad("rotations", "Bool", v)
        }
        switch args.named("seed") {
        case nil: break
        case .int(let n)?: options.seed = UInt64(bitPattern: Int64(n))
        case let v?: throw omniglotBad("seed", "Int", v)
        }
        // nil: the user cache directory, best effort; a path: that directory,
        // where failing to write is an error; false: no cache.
        var cacheErrors = true
        switch args.named("cache") {
        case nil, .nil_?:
          options.cacheDirectory = OmniglotFiles.defaultCacheDirectory()
          cacheErrors = false
        case .bool(false)?: options.cacheDirectory = nil
        case .string(let dir)?: options.cacheDirectory = OmniglotFiles.expandingHome(dir)
        case let v?: throw omniglotBad("cache", "String, false or nil", v)
        }
        // Decoding both archives takes seconds: Ctrl-C and the deadline poke the
        // step schedule, and the decoder stops between images when they have.
        let flag = args.rt.interruptFlag
        options.isCancelled = { flag.isPoked }
        let data: OmniglotData
        do { data = try Omniglot.load(options, cacheErrors: cacheErrors) } catch let error as DataError {
          throw BuiltinError(error.message.hasPrefix("omniglot:") ? error.message : "omniglot: \(error.message)")
        } catch is DataCancelled {
          try args.rt.charge(0)  // raises the limit or interrupt that stopped it
          throw BuiltinError("omniglot: loading was interrupted")
        }
        return .native(try MetaDataset(x: data.x, labels: data.labels))
      }
    ]
  }

  private static func omniglotBad(_ label: String, _ expected: String, _ v: Value) -> BuiltinError {
    BuiltinError(ArgumentMessage.badNamed(label, "omniglot", expected: expected, got: v))
  }

  /// A string option naming one case of `T`.
  private static func choice<T: RawRepresentable & CaseIterable>(_ v: Value?, _ label: String, default d: T) throws -> T
  where T.RawValue == String {
    guard let v else { return d }
    guard case .string(let s) = v else { throw omniglotBad(label, "String", v) }
    guard let value = T(rawValue: s) else {
      let names = T.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
      throw BuiltinError("omniglot: \(label) must be one of \(names) (got \"\(s)\")")
    }
    return value
  }
}
