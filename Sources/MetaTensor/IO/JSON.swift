/// A JSON value that keeps object members in file order (safetensors lists
/// tensors in its header object; a dictionary would lose that order).
enum JSONValue: Equatable {
  case object([(key: String, value: JSONValue)])
  case array([JSONValue])
  case string(String)
  /// The number's text as written, so integers are read exactly.
  case number(String)
  case bool(Bool)
  case null

  static func == (a: JSONValue, b: JSONValue) -> Bool {
    switch (a, b) {
    case (.object(let x), .object(let y)):
      return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    case (.array(let x), .array(let y)): return x == y
    case (.string(let x), .string(let y)), (.number(let x), .number(let y)): return x == y
    case (.bool(let x), .bool(let y)): return x == y
    case (.null, .null): return true
    default: return false
    }
  }

  /// The value as a non-negative integer, if it is written as one and fits.
  var nonNegativeInt: Int? {
    guard case .number(let text) = self, !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
      return nil
    }
    return Int(text)
  }

  /// Parses one JSON value filling `bytes` (surrounding whitespace allowed).
  /// Nesting is limited so hostile input cannot exhaust the stack.
  static func parse(_ bytes: ArraySlice<UInt8>, maxDepth: Int = 64) throws -> JSONValue {
    var parser = JSONParser(bytes: bytes, maxDepth: maxDepth)
    let value = try parser.value(depth: 0)
    parser.skipWhitespace()
    guard parser.position == bytes.endIndex else { throw parser.error("unexpected text after the JSON value") }
    return value
  }

  /// `s` as a JSON string literal, escaped as serde_json does (so headers match
  /// the reference implementation byte for byte).
  static func quoted(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case "\u{08}": out += "\\b"
      case "\u{0C}": out += "\\f"
      case _ where scalar.value < 0x20:
        let hex = String(scalar.value, radix: 16)
        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "\""
  }
}

private struct JSONParser {
  let bytes: ArraySlice<UInt8>
  let maxDepth: Int
  var position: Int

  init(bytes: ArraySlice<UInt8>, maxDepth: Int) {
    self.bytes = bytes
    self.maxDepth = maxDepth
    position = bytes.startIndex
  }

  func error(_ message: String) -> TensorError {
    TensorError("\(message) at byte \(position - bytes.startIndex)")
  }

  mutating func skipWhitespace() {
    while position < bytes.endIndex, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
  }

  private mutating func consume(_ literal: String) -> Bool {
    let expected = Array(literal.utf8)
    guard bytes.endIndex - position >= expected.count,
          bytes[position..<(position + expected.count)].elementsEqual(expected) else { return false }
    position += expected.count
    return true
  }

  mutating func value(depth: Int) throws -> JSONValue {
    guard depth < maxDepth else { throw error("JSON nested too deeply") }
    skipWhitespace()
    guard position < bytes.endIndex else { throw error("unexpected end of JSON") }
    switch bytes[position] {
    case UInt8(ascii: "{"):
      position += 1
      var members = [(key: String, value: JSONValue)]()
      skipWhitespace()
      if consume("}") { return .object(members) }
      while true {
        skipWhitespace()
        guard position < bytes.endIndex, bytes[position] == UInt8(ascii: "\"") else {
          throw error("expected a string key")
        }
        let key = try string()
        skipWhitespace()
        guard consume(":") else { throw error("expected ':'") }
        members.append((key, try value(depth: depth + 1)))
        skipWhitespace()
        if consume("}") { return .object(members) }
        guard consume(",") else { throw error("expected ',' or '}'") }
      }
    case UInt8(ascii: "["):
      position += 1
      var items = [JSONValue]()
      skipWhitespace()
      if consume("]") { return .array(items) }
      while true {
        items.append(try value(depth: depth + 1))
        skipWhitespace()
        if consume("]") { return .array(items) }
        guard consume(",") else { throw error("expected ',' or ']'") }
      }
    case UInt8(ascii: "\""):
      return .string(try string())
    case UInt8(ascii: "t"):
      if consume("true") { return .bool(true) }
    case UInt8(ascii: "f"):
      if consume("false") { return .bool(false) }
    case UInt8(ascii: "n"):
      if consume("null") { return .null }
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
      return .number(try number())
    default:
      break
    }
    throw error("invalid JSON value")
  }

  /// RFC 8259 number grammar; returns its text.
  private mutating func number() throws -> String {
    let start = position
    func digits() -> Int {
      let from = position
      while position < bytes.endIndex, (0x30...0x39).contains(bytes[position]) { position += 1 }
      return position - from
    }
    _ = consume("-")
    if !consume("0") && digits() == 0 { throw error("invalid number") }
    if consume(".") { guard digits() > 0 else { throw error("invalid number") } }
    if consume("e") || consume("E") {
      if !consume("+") { _ = consume("-") }
      guard digits() > 0 else { throw error("invalid number") }
    }
    return String(decoding: bytes[start..<position], as: UTF8.self)
  }

  private mutating func hex4() throws -> UInt32 {
    guard bytes.endIndex - position >= 4,
          let v = UInt32(String(decoding: bytes[position..<(position + 4)], as: UTF8.self), radix: 16) else {
      throw error("bad \\u escape")
    }
    position += 4
    return v
  }

  private mutating func string() throws -> String {
    position += 1  // opening quote
    var raw = [UInt8]()
    while true {
      guard position < bytes.endIndex else { throw error("unterminated string") }
      let b = bytes[position]
      position += 1
      switch b {
      case UInt8(ascii: "\""):
        guard let s = String(validating: raw, as: UTF8.self) else { throw error("string is not valid UTF-8") }
        return s
      case UInt8(ascii: "\\"):
        guard position < bytes.endIndex else { throw error("unterminated string") }
        let e = bytes[position]
        position += 1
        let simple: [UInt8: UInt8] = [0x22: 0x22, 0x5C: 0x5C, 0x2F: 0x2F, 0x62: 0x08,
                                      0x66: 0x0C, 0x6E: 0x0A, 0x72: 0x0D, 0x74: 0x09]
        if let c = simple[e] { raw.append(c); continue }
        guard e == UInt8(ascii: "u") else { throw error("bad escape") }
        var code = try hex4()
        if (0xD800..<0xDC00).contains(code) {
          // A high surrogate must be followed by an escaped low one.
          guard consume("\\u") else { throw error("unpaired surrogate") }
          let low = try hex4()
          guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired surrogate") }
          code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let scalar = Unicode.Scalar(code) else { throw error("unpaired surrogate") }
        raw.append(contentsOf: Array(String(scalar).utf8))
      case 0..<0x20:
        throw error("control character in string")
      default:
        raw.append(b)
      }
    }
  }
}
