/// The header of a `.npy` file: a Python dict literal such as
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`.
///
/// Only the literal subset NumPy writes is accepted (quoted strings, True/False,
/// tuples of non-negative integers, optionally with Python 2's `L` suffix);
/// anything else is an error, never evaluated.
struct NpyHeader {
  var type: ElementType
  var bigEndian: Bool
  var fortranOrder: Bool
  var shape: [Int]

  private enum Token: Equatable {
    case punctuation(Character)  // { } ( ) , :
    case string(String)
    case word(String)            // True, False, or digits
  }

  init(parsing text: String) throws {
    var tokens = try Self.tokenize(text)[...]
    func next() throws -> Token {
      guard let t = tokens.popFirst() else { throw TensorError("unexpected end of header") }
      return t
    }
    func expect(_ c: Character) throws {
      let t = try next()
      guard t == .punctuation(c) else { throw TensorError("expected '\(c)'") }
    }
    try expect("{")
    var fields = [String: Token]()
    var shape: [Int]?
    while true {
      let key = try next()
      if key == .punctuation("}") { break }
      guard case .string(let name) = key else { throw TensorError("expected a quoted key") }
      guard fields[name] == nil else {
        throw TensorError("key '\(name)' appears twice")
      }
      try expect(":")
      if name == "shape" {
        shape = try Self.parseShape(next)
        fields[name] = .word("")
      } else {
        fields[name] = try next()
      }
      let separator = try next()
      if separator == .punctuation("}") { break }
      guard separator == .punctuation(",") else { throw TensorError("expected ',' or '}'") }
    }
    guard tokens.isEmpty else { throw TensorError("unexpected text after the dict") }
    guard Set(fields.keys) == ["descr", "fortran_order", "shape"], let shape else {
      throw TensorError("keys must be exactly 'descr', 'fortran_order' and 'shape', got "
                        + fields.keys.sorted().map { "'\($0)'" }.joined(separator: ", "))
    }
    guard case .string(let descr)? = fields["descr"] else { throw TensorError("'descr' must be a string") }
    switch fields["fortran_order"] {
    case .word("True")?: fortranOrder = true
    case .word("False")?: fortranOrder = false
    default: throw TensorError("'fortran_order' must be True or False")
    }
    (type, bigEndian) = try Self.parseDescr(descr)
    self.shape = shape
  }

  /// `(2, 3)`, `(5,)` or `()`.
  private static func parseShape(_ next: () throws -> Token) throws -> [Int] {
    guard try next() == .punctuation("(") else { throw TensorError("'shape' must be a tuple") }
    var dims = [Int]()
    while true {
      var t = try next()
      if t == .punctuation(")") { return dims }
      guard case .word(var digits) = t else { throw TensorError("shape entries must be integers") }
      if digits.hasSuffix("L") { digits.removeLast() }
      guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let d = Int(digits) else {
        throw TensorError("bad shape entry '\(digits)'")
      }
      dims.append(d)
      t = try next()
      if t == .punctuation(")") { return dims }
      guard t == .punctuation(",") else { throw TensorError("expected ',' or ')' in shape") }
    }
  }

  /// `<f4`, `>i8`, `|u1`, `|b1`, ...
  private static func parseDescr(_ descr: String) throws -> (ElementType, Bool) {
    let chars = Array(descr)
    guard chars.count >= 3, let order = chars.first else { throw TensorError("unsupported dtype '\(descr)'") }
    let code = String(chars.dropFirst())
    let types: [String: ElementType] = [
      "b1": .bool, "i1": .int8, "u1": .uint8, "i2": .int16, "u2": .uint16, "i4": .int32,
      "u4": .uint32, "i8": .int64, "u8": .uint64, "f2": .float16, "f4": .float32, "f8": .float64,
    ]
    guard let type = types[code] else { throw TensorError("unsupported dtype '\(descr)'") }
    switch order {
    case "<", "=": return (type, false)  // "=" is native order: every supported host is little-endian
    case ">": return (type, true)
    case "|" where type.size == 1: return (type, false)
    default: throw TensorError("unsupported dtype '\(descr)'")
    }
  }

  private static func tokenize(_ text: String) throws -> [Token] {
    var tokens = [Token]()
    var chars = Substring(text)
    while let c = chars.first {
      if c == " " || c == "\t" || c == "\n" || c == "\r" {
        chars.removeFirst()
      } else if "{}(),:".contains(c) {
        tokens.append(.punctuation(c))
        chars.removeFirst()
      } else if c == "'" || c == "\"" {
        chars.removeFirst()
        // NumPy's keys and dtype strings never contain quotes or escapes.
        guard let end = chars.firstIndex(of: c) else { throw TensorError("unterminated string") }
        let body = chars[..<end]
        guard !body.contains("\\") else { throw TensorError("escapes in strings are not supported") }
        tokens.append(.string(String(body)))
        chars = chars[chars.index(after: end)...]
      } else if c.isASCII && (c.isLetter || c.isNumber) {
        let word = chars.prefix { $0.isASCII && ($0.isLetter || $0.isNumber) }
        tokens.append(.word(String(word)))
        chars = chars.dropFirst(word.count)
      } else {
        throw TensorError("unexpected character '\(c)'")
      }
      if tokens.count > 10_000 { throw TensorError("too many tokens") }
    }
    return tokens
  }
}
