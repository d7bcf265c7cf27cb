// The fixtures written by Tests/differential/generate.py: each group's cases with
// their inputs and PyTorch's outputs and gradients (docs/differential-testing.md).

import Foundation

/// One value of a fixture: an input, an expected output or a gradient.
enum FixtureValue {
  /// A tensor; `data` holds every element (a `fill` is expanded), NaN and ±inf included.
  case tensor(dtype: String, shape: [Int], data: [Double])
  case float(Double)
  case int(Int)
  case bool(Bool)
  case string(String)
  case list([FixtureValue])
  /// PyTorch refused the computation (its message): Meta must refuse it too.
  case error(String)

  init(json: Any, where path: String) throws {
    guard let o = json as? [String: Any] else { throw FixtureError("\(path): expected an object") }
    if let dtype = o["dtype"] as? String {
      guard let shape = (o["shape"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }) else {
        throw FixtureError("\(path): tensor without a shape")
      }
      let count = shape.reduce(1, *)
      if let fill = o["fill"] {
        self = .tensor(dtype: dtype, shape: shape, data: Array(repeating: try Self.number(fill, path), count: count))
      } else {
        let data = try (o["data"] as? [Any] ?? []).map { try Self.number($0, path) }
        guard data.count == count else { throw FixtureError("\(path): \(data.count) elements for shape \(shape)") }
        self = .tensor(dtype: dtype, shape: shape, data: data)
      }
    } else if let x = o["float"] {
      self = .float(try Self.number(x, path))
    } else if let n = o["int"] as? NSNumber {
      self = .int(n.intValue)
    } else if let b = o["bool"] {
      self = .bool((b as? Bool) ?? ((b as? NSNumber)?.boolValue ?? false))
    } else if let s = o["string"] as? String {
      self = .string(s)
    } else if let xs = o["list"] as? [Any] {
      // A list input holds plain numbers (`of`: "int" or "float"); an expected list, encoded values.
      let of = o["of"] as? String
      self = .list(try xs.enumerated().map { i, x in
        if of == "int" { return .int(Int(try Self.number(x, path))) }
        if of == "float" { return .float(try Self.number(x, path)) }
        return try FixtureValue(json: x, where: "\(path)[\(i)]")
      })
    } else if let e = o["error"] as? String {
      self = .error(e)
    } else {
      throw FixtureError("\(path): unknown value \(o.keys.sorted())")
    }
  }

  /// A number as written by the generator: a JSON number, or "nan", "inf", "-inf".
  static func number(_ x: Any, _ path: String) throws -> Double {
    if let s = x as? String {
      switch s {
      case "nan": return .nan
      case "inf": return .infinity
      case "-inf": return -.infinity
      default: throw FixtureError("\(path): bad number \(s)")
      }
    }
    // NSNumber first: `as? Bool` would also take 0.0 and -0.0 (and lose the sign of zero).
    if let n = x as? NSNumber { return n.doubleValue }
    if let b = x as? Bool { return b ? 1 : 0 }
    throw FixtureError("\(path): not a number: \(x)")
  }
}

struct FixtureError: Error, CustomStringConvertible {
  let description: String
  init(_ message: String) { description = message }
}

/// One case: a Meta expression over named inputs and what PyTorch made of it.
struct DifferentialCase {
  let name: String
  let expr: String
  let inputs: [String: FixtureValue]
  let output: FixtureValue
  let rtol: Double
  let atol: Double
  /// The inputs differentiated, in order (the parameters of the function around `expr`).
  let wrt: [String]
  let w: FixtureValue?
  let grad: [String: FixtureValue]
  let v: [String: FixtureValue]
  let grad2: [String: FixtureValue]

  init(json: Any) throws {
    guard let o = json as? [String: Any], let name = o["name"] as? String, let expr = o["expr"] as? String else {
      throw FixtureError("a case without a name or expression")
    }
    self.name = name
    self.expr = expr
    func values(_ key: String) throws -> [String: FixtureValue] {
      try (o[key] as? [String: Any] ?? [:]).reduce(into: [:]) { r, kv in
        r[kv.key] = try FixtureValue(json: kv.value, where: "\(name).\(key).\(kv.key)")
      }
    }
    inputs = try values("inputs")
    guard let out = o["output"] else { throw FixtureError("\(name): no output") }
    output = try FixtureValue(json: out, where: "\(name).output")
    let tol = o["tol"] as? [String: Any]
    rtol = (tol?["rtol"] as? NSNumber)?.doubleValue ?? 0
    atol = (tol?["atol"] as? NSNumber)?.doubleValue ?? 0
    wrt = o["wrt"] as? [String] ?? []
    w = try o["w"].map { try FixtureValue(json: $0, where: "\(name).w") }
    grad = try values("grad")
    v = try values("v")
    grad2 = try values("grad2")
  }
}

enum Fixtures {
  /// Tests/differential, beside this target's folder.
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("differential")

  static func groupNames() throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("fixtures").path)
      .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
  }

  static func load(_ group: String) throws -> [DifferentialCase] {
    let url = directory.appendingPathComponent("fixtures/\(group).json")
    let data = try Data(contentsOf: url)
    guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any], let cases = root["cases"] as? [Any]
    else { throw FixtureError("\(url.path): no cases") }
    return try cases.map { try DifferentialCase(json: $0) }
  }

  /// known_failures.txt: case name -> reason. Lines are `name reason...`; `#` starts a comment.
  static func knownFailures() throws -> [String: String] {
    let text = try String(contentsOf: directory.appendingPathComponent("known_failures.txt"), encoding: .utf8)
    var out: [String: String] = [:]
    for raw in text.split(separator: "\n") {
      let line = raw.trimmingCharacters(in: .whitespaces)
      if line.isEmpty || line.hasPrefix("#") { continue }
      let parts = line.split(separator: " ", maxSplits: 1)
      out[String(parts[0])] = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
    }
    return out
  }
}
