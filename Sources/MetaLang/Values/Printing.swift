// How values print: `print`, `str` and string interpolation all use these.

/// The shortest text that reads back as `x`, always with a `.` or an exponent,
/// exactly as Python's `repr(float)`: `1.0`, `0.1`, `2.5e-05`, `1e+16`, `inf`, `nan`.
public func formatFloat(_ x: Double) -> String {
  if x.isNaN { return "nan" }
  if x.isInfinite { return x < 0 ? "-inf" : "inf" }
  let sign = x.sign == .minus ? "-" : ""
  if x == 0 { return sign + "0.0" }
  let (digits, point) = shortestDigits(x.magnitude)
  // Python writes 0.DIGITS x 10^point positionally while -4 < point <= 16.
  if point > -4, point <= 16 {
    if point <= 0 { return sign + "0." + String(repeating: "0", count: -point) + digits }
    if point >= digits.count {
      return sign + digits + String(repeating: "0", count: point - digits.count) + ".0"
    }
    let split = digits.index(digits.startIndex, offsetBy: point)
    return sign + digits[..<split] + "." + digits[split...]
  }
  let mantissa = digits.count == 1 ? digits : "\(digits.prefix(1)).\(digits.dropFirst())"
  return sign + mantissa + exponentSuffix(point - 1)
}

/// `e+05`, `e-324`: a sign and at least two digits, as C and Python write exponents.
func exponentSuffix(_ exponent: Int) -> String {
  let magnitude = String(exponent.magnitude)
  return "e" + (exponent < 0 ? "-" : "+") + (magnitude.count < 2 ? "0" : "") + magnitude
}

/// The shortest round-trip decimal digits of a positive finite `x` (no leading or
/// trailing zeros) and the position of the decimal point: x = 0.DIGITS x 10^point.
/// Swift's `description` already finds the shortest digits; only its layout differs.
private func shortestDigits(_ x: Double) -> (digits: String, point: Int) {
  let text = x.description
  let parts = text.split(separator: "e", maxSplits: 1)
  let exponent = parts.count == 2 ? Int(parts[1]) ?? 0 : 0
  let mantissa = parts.first ?? ""
  let pieces = mantissa.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
  let integerPart = pieces.first ?? ""
  var digits = Substring(integerPart + (pieces.count == 2 ? pieces[1] : ""))
  var point = integerPart.count + exponent
  while digits.first == "0" {
    digits = digits.dropFirst()
    point -= 1
  }
  while digits.last == "0" { digits = digits.dropLast() }
  return (digits.isEmpty ? "0" : String(digits), point)
}

extension Value: CustomStringConvertible {
  /// The text `print` and `str` produce: a String is its raw text, containers
  /// show their strings quoted. Text past `Interpreter.maxCollectionSize` bytes
  /// is cut off with `...`.
  public var description: String {
    if case .string(let s) = self { return s }
    return repr
  }

  /// The quoted form used inside containers: strings in double quotes with
  /// escapes. Cut off with `...` as `description` is.
  public var repr: String {
    var writer = TextWriter()
    writer.write(self, quoted: true)
    return writer.overflowed ? writer.text + "..." : writer.text
  }

  /// `description` for `str`, `print` and interpolation: throws where the text
  /// would pass `Interpreter.maxCollectionSize` bytes, before building it.
  func printed(quoted: Bool = false) throws -> String {
    var writer = TextWriter()
    writer.write(self, quoted: quoted)
    return try writer.finished()
  }
}

/// Writes values as text into a budget of `Interpreter.maxCollectionSize` bytes,
/// without recursion (a host may print deep data on a small stack): containers
/// nested deeper than `Interpreter.maxNestingDepth` print as `...`. Past the
/// budget it stops writing. A sizeable container met again (the same storage at
/// the same depth) copies its text instead of walking it again, so shared
/// sub-lists that spell 2^60 paths cost no more than the text they fill.
struct TextWriter {
  private(set) var text = ""
  /// Set when the next piece would have passed the budget; nothing more is written.
  private(set) var overflowed = false
  /// Where the text of containers already written lies (UTF-8 offsets).
  private var written: [Written: Range<Int>] = [:]

  private struct Written: Hashable {
    let storage: StorageKey
    let depth: Int
  }

  /// Containers whose text is shorter are written again rather than remembered.
  private static let rememberedLength = 64

  private enum Open {
    case list([Value], next: Int, start: Int)
    case record(Record, next: Int, start: Int)
  }

  /// Appends `value`: a String raw unless `quoted`, anything else as it reads in a container.
  mutating func write(_ value: Value, quoted: Bool) {
    if !quoted, case .string(let s) = value { return append(s) }
    var open: [Open] = []
    var pending: Value? = value
    while !overflowed {
      if let v = pending {
        pending = nil
        switch v {
        case .list, .record:
          if open.count >= Interpreter.maxNestingDepth {
            append("...")
          } else if !written.isEmpty, let key = v.storageKey, let range = written[Written(storage: key, depth: open.count)] {
            appendCopy(range)
          } else if case .list(let xs) = v {
            append("[")
            open.append(.list(xs, next: 0, start: text.utf8.count - 1))
          } else if case .record(let r) = v {
            append("{")
            open.append(.record(r, next: 0, start: text.utf8.count - 1))
          }
        case .string(let s):
          // Quoting only lengthens a string: refuse before copying it.
          guard text.utf8.count + s.utf8.count + 2 <= Interpreter.maxCollectionSize else { overflowed = true; return }
          append(quotedString(s))
        default: append(leafText(v))
        }
        continue
      }
      guard let top = open.popLast() else { return }
      switch top {
      case .list(let xs, let i, let start):
        guard i < xs.count else {
          append("]")
          remember(Value.list(xs), depth: open.count, from: start)
          continue
        }
        if i > 0 { append(", ") }
        open.append(.list(xs, next: i + 1, start: start))
        pending = xs[i]
      case .record(let r, let i, let start):
        guard i < r.count else {
          append("}")
          remember(Value.record(r), depth: open.count, from: start)
          continue
        }
        if i > 0 { append(", ") }
        let key = r.keys[i]
        append(isBareIdentifier(key) ? key : quotedString(key))
        append(": ")
        open.append(.record(r, next: i + 1, start: start))
        pending = r.values[i]
      }
    }
  }

  private mutating func remember(_ container: Value, depth: Int, from start: Int) {
    let end = text.utf8.count
    guard !overflowed, end - start >= Self.rememberedLength, let key = container.storageKey else { return }
    written[Written(storage: key, depth: depth)] = start..<end
  }

  /// Appends again the text at `range` (UTF-8 offsets of `text`).
  private mutating func appendCopy(_ range: Range<Int>) {
    guard text.utf8.count + range.count <= Interpreter.maxCollectionSize else { overflowed = true; return }
    let utf8 = text.utf8
    let lower = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
    let upper = utf8.index(lower, offsetBy: range.count)
    text += String(decoding: utf8[lower..<upper], as: UTF8.self)
  }

  mutating func append(_ piece: String) {
    guard !overflowed else { return }
    guard text.utf8.count + piece.utf8.count <= Interpreter.maxCollectionSize else {
      overflowed = true
      return
    }
    text += piece
  }

  /// The text, or the `string too large` error when it passed the budget.
  func finished() throws -> String {
    if overflowed { throw BuiltinError("string too large (more than \(Interpreter.maxCollectionSize) bytes)") }
    return text
  }

  private func leafText(_ value: Value) -> String {
    switch value {
    case .nil_: "nil"
    case .bool(let b): b ? "true" : "false"
    case .int(let i): String(i)
    case .float(let x): formatFloat(x)
    case .string(let s): quotedString(s)
    case .function(let f): f.name.isEmpty || f.name == "<fn>" ? "<fn>" : "<fn \(f.name)>"
    case .native(let object): object.description
    case .list, .record: "..."
    }
  }
}

/// A string as a Meta literal: `"a\"b"`.
func quotedString(_ s: String) -> String {
  var out = "\""
  for c in s.unicodeScalars {
    switch c {
    case "\"": out += "\\\""
    case "\\": out += "\\\\"
    case "\n": out += "\\n"
    case "\t": out += "\\t"
    case "\r": out += "\\r"
    case "\0": out += "\\0"
    default: out.unicodeScalars.append(c)
    }
  }
  return out + "\""
}

/// `[A-Za-z_][A-Za-z0-9_]*`: record keys that print without quotes.
func isBareIdentifier(_ s: String) -> Bool {
  guard let first = s.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic)
  else { return false }
  return s.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
}
