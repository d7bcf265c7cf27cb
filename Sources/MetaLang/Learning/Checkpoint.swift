// `save(tree, path)` / `load(path)`: parameter trees and whole checkpoints as
// .safetensors files. Tensors are stored under their tree paths ("layers.1.b"),
// each in its own dtype (F32, F64, I64, BOOL), so a load restores them exactly;
// everything else about the tree (list or record, key order, numbers, strings)
// goes into the `__metadata__` entry "meta.tree", so a load gives back an equal tree.
// A load restores the tree as stored: it has no model to compare it with.

import Foundation
import MetaTensor

enum Checkpoint {
  /// The `__metadata__` key holding the tree's shape (see `CheckpointTree`).
  static let treeKey = "meta.tree"
  /// The name of a tree that is a lone tensor.
  static let loneTensorName = "value"

  /// Writes `tree` to `path` atomically (`.safetensors`, or `.npy` for a lone tensor).
  static func save(_ tree: Value, to path: String) throws {
    switch TensorIO.format(forPath: path) {
    case .npy?:
      guard let t = tree.tensor else {
        throw BuiltinError("save: a .npy file holds one Tensor, not \(withArticle(tree.typeName)) (use .safetensors for trees)")
      }
      try wrap("save", path) { try TensorIO.save([("", t)], to: path) }
    case .safetensors?:
      let flat = try CheckpointTree.flatten(tree)
      let metadata = [treeKey: try CheckpointTree.encode(flat.tokens)]
      try wrap("save", path) { try SafetensorsFile.write(flat.tensors, to: path, metadata: metadata) }
    case nil:
      throw BuiltinError("save: '\(path)' must end in .safetensors (or .npy for a single tensor)")
    }
  }

  /// Reads a file written by `save`; a `.safetensors` file without our metadata
  /// gives a Record of its tensors in file order, a `.npy` file its tensor.
  static func load(_ path: String) throws -> Value {
    switch TensorIO.format(forPath: path) {
    case .npy?:
      let tensors = try wrap("load", path) { try TensorIO.load(path) }
      guard tensors.count == 1, let only = tensors.first else {
        throw BuiltinError("load: '\(path)' holds \(tensors.count) tensors, expected one")
      }
      return .tensor(only.tensor)
    case .safetensors?:
      let contents = try wrap("load", path) { try SafetensorsFile.readContents(path) }
      guard let text = contents.metadata[treeKey] else {
        return .record(Record(contents.tensors.map { ($0.name, Value.tensor($0.tensor)) }))
      }
      do {
        return try CheckpointTree.rebuild(tokens: CheckpointTree.decode(text), tensors: contents.tensors)
      } catch let e as CheckpointTree.Mismatch {
        throw BuiltinError("load: '\(path)': metadata does not match the tensors (\(e.detail))")
      }
    case nil:
      throw BuiltinError("load: '\(path)' must end in .safetensors or .npy")
    }
  }

  /// Runs file IO, turning MetaTensor's `path: problem` errors into `function: ...` ones.
  private static func wrap<T>(_ function: String, _ path: String, _ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as TensorError {
      var detail = e.message
      if detail.hasPrefix(path + ": ") { detail.removeFirst(path.count + 2) }
      if detail.hasPrefix("truncated: ") {
        throw BuiltinError("\(function): '\(path)' is truncated (\(detail.dropFirst("truncated: ".count)))")
      }
      if detail.hasPrefix("cannot open: ") {
        throw BuiltinError("\(function): cannot open '\(path)' (\(detail.dropFirst("cannot open: ".count)))")
      }
      throw BuiltinError("\(function): '\(path)': \(detail)")
    }
  }
}

/// A tree flattened for storage: its tensors by path name, and a preorder list of
/// tokens describing every node. The tokens are a flat JSON array of strings, so
/// reading them back never recurses into untrusted JSON:
///
///     "t:<tensor name>"  "i:<Int>"  "f:<Float>"  "b:true"  "s:<text>"  "n"
///     "l:<count>" then the elements;  "r:<count>" then, per field, the key and the value.
enum CheckpointTree {
  struct Flat {
    var tensors: [(name: String, tensor: Tensor)] = []
    var tokens: [String] = []
  }

  /// A file whose metadata disagrees with its tensors.
  struct Mismatch: Error { let detail: String }

  /// The tree's tokens and tensors, one token per path (so the paths are counted first).
  static func flatten(_ tree: Value) throws -> Flat {
    if try TreeWalk.pathCount(tree, function: "save") > Interpreter.maxCollectionSize {
      throw BuiltinError("save: tree too large (more than \(Interpreter.maxCollectionSize) values)")
    }
    var flat = Flat()
    var names = Set<String>()
    var walk = TreeWalk(function: "save")
    try walk.visit(tree) { v, path in
      var at: String { path.isEmpty ? "the root" : path.dotted }  // only for tensors and errors
      if case .key(let key)? = path.last { flat.tokens.append(key) }
      switch v {
      case .nil_: flat.tokens.append("n")
      case .bool(let b): flat.tokens.append(b ? "b:true" : "b:false")
      case .int(let i): flat.tokens.append("i:\(i)")
      case .float(let d): flat.tokens.append("f:\(d)")
      case .string(let s): flat.tokens.append("s:" + s)
      case .list(let items): flat.tokens.append("l:\(items.count)")
      case .record(let r): flat.tokens.append("r:\(r.count)")
      case .native(let o as Tensor):
        let name = path.isEmpty ? Checkpoint.loneTensorName : at
        guard name != "__metadata__" else { throw BuiltinError("save: a tensor cannot be stored as '__metadata__' (at \(at))") }
        // Keys containing "." can make two paths spell the same name.
        guard names.insert(name).inserted else {
          throw BuiltinError("save: two tensors would both be stored as '\(name)' (rename a key containing '.')")
        }
        flat.tensors.append((name, o))
        flat.tokens.append("t:" + name)
      case .function, .native:
        throw BuiltinError("save: cannot save \(withArticle(v.typeName)) (at \(at))")
      }
    }
    return flat
  }

  /// The tokens as a JSON array of strings.
  static func encode(_ tokens: [String]) throws -> String {
    let data = try JSONSerialization.data(withJSONObject: tokens)
    return String(decoding: data, as: UTF8.self)
  }

  static func decode(_ text: String) throws -> [String] {
    let parsed = try? JSONSerialization.jsonObject(with: Data(text.utf8))
    guard let tokens = parsed as? [String] else { throw Mismatch(detail: "'\(Checkpoint.treeKey)' is not a JSON array of strings") }
    return tokens
  }

  /// The tree the tokens describe, with each tensor taken from `tensors` exactly once.
  static func rebuild(tokens: [String], tensors: [(name: String, tensor: Tensor)]) throws -> Value {
    var reader = Reader(tokens: tokens, tensors: Dictionary(tensors.map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a }))
    let tree = try reader.node(depth: 0)
    guard reader.position == tokens.count else { throw Mismatch(detail: "\(tokens.count - reader.position) extra tokens after the tree") }
    if let unused = tensors.first(where: { !reader.used.contains($0.name) }) {
      throw Mismatch(detail: "tensor '\(unused.name)' is not part of the tree")
    }
    return tree
  }

  private struct Reader {
    let tokens: [String]
    let tensors: [String: Tensor]
    var position = 0
    var used = Set<String>()

    init(tokens: [String], tensors: [String: Tensor]) { self.tokens = tokens; self.tensors = tensors }

    mutating func next() throws -> String {
      guard position < tokens.count else { throw Mismatch(detail: "the tree description ends early") }
      defer { position += 1 }
      return tokens[position]
    }

    /// A container at `depth` nests `depth + 1` deep.
    func checkDepth(_ depth: Int) throws {
      guard depth < Interpreter.maxNestingDepth else { throw Mismatch(detail: "tree nested too deeply") }
    }

    /// A container's element count; it can never exceed the tokens left.
    func count(_ text: Substring, _ token: String) throws -> Int {
      guard let n = Int(text), n >= 0, n <= tokens.count - position else { throw Mismatch(detail: "bad count in '\(token)'") }
      return n
    }

    /// The node at `depth` (the root's is 0), a container at most `maxNestingDepth - 1`.
    mutating func node(depth: Int) throws -> Value {
      let token = try next()
      if token == "n" { return .nil_ }
      guard token.count >= 2, let colon = token.firstIndex(of: ":") else { throw Mismatch(detail: "bad token '\(token)'") }
      let body = token[token.index(after: colon)...]
      switch token[..<colon] {
      case "t":
        let name = String(body)
        guard let t = tensors[name] else { throw Mismatch(detail: "tensor '\(name)' is missing") }
        guard used.insert(name).inserted else { throw Mismatch(detail: "tensor '\(name)' is used twice") }
        return .tensor(t)
      case "i":
        guard let i = Int(body) else { throw Mismatch(detail: "bad Int '\(body)'") }
        return .int(i)
      case "f":
        guard let d = Double(body) else { throw Mismatch(detail: "bad Float '\(body)'") }
        return .float(d)
      case "b":
        guard body == "true" || body == "false" else { throw Mismatch(detail: "bad Bool '\(body)'") }
        return .bool(body == "true")
      case "s": return .string(String(body))
      case "l":
        try checkDepth(depth)
        let n = try count(body, token)
        var items = [Value]()
        items.reserveCapacity(n)
        for _ in 0..<n { items.append(try node(depth: depth + 1)) }
        return .list(items)
      case "r":
        try checkDepth(depth)
        let n = try count(body, token)
        var record = Record()
        for _ in 0..<n {
          let key = try next()
          guard record[key] == nil else { throw Mismatch(detail: "field '\(key)' appears twice") }
          record[key] = try node(depth: depth + 1)
        }
        return .record(record)
      default:
        throw Mismatch(detail: "bad token '\(token)'")
      }
    }
  }
}
