// Python's format-spec mini-language, for `"{x:.4f}"` in interpolated strings:
// [[fill]align][sign][#][0][width][,|_][.precision][type]

import Foundation

/// Formats `value` by `spec` as Python's `format(value, spec)` does, for Int, Float,
/// String and Bool (Bool prints `true`/`false`, or 1/0 under a numeric type); other
/// values format their printed text like a String. Types: `d x X o b` (Int),
/// `e E f F g G %` (Int or Float), `s` (String), none.
/// - Throws: a `.runtime` `MetaError` (file "<format>", loc 0:0: there is no source
///   here) naming the spec and the value's type when the spec is malformed or does
///   not fit the value. Interpolation reports it at the formatted value.
public func applyFormatSpec(_ value: Value, _ spec: String) throws -> String {
  do { return try FormatSpec.apply(value, spec) } catch let e as BuiltinError {
    throw MetaError(.runtime, e.message, file: "<format>", loc: SourceLoc(line: 0, column: 0))
  }
}

/// A parsed format spec.
struct FormatSpec {
  struct Problem: Error { var detail: String? }

  var fill: Character?
  var align: Character?
  var sign: Character?
  var alternate = false
  var zero = false
  var width = 0
  var grouping: Character?
  var precision: Int?
  var type: Character?

  /// `applyFormatSpec`'s work; a BuiltinError, which the caller places at its source.
  static func apply(_ value: Value, _ spec: String) throws -> String {
    let fail = { (detail: String?) in
      BuiltinError("invalid format spec '\(spec)' for \(value.typeName)" + (detail.map { " (\($0))" } ?? ""))
    }
    if spec.isEmpty { return value.description }
    let parsed: FormatSpec
    do { parsed = try FormatSpec(spec) } catch let error as Problem { throw fail(error.detail) }
    do {
      switch value {
      case .int(let n): return try parsed.format(int: n)
      case .float(let x): return try parsed.format(float: x)
      case .bool(let b) where parsed.type != nil && parsed.type != "s": return try parsed.format(int: b ? 1 : 0)
      default: return try parsed.format(string: value.description)
      }
    } catch let error as Problem {
      throw fail(error.detail)
    }
  }

  init(_ spec: String) throws {
    let c = Array(spec)
    var i = 0
    let isAlign = { (ch: Character) in ch == "<" || ch == ">" || ch == "=" || ch == "^" }
    if c.count >= 2, isAlign(c[1]) {
      (fill, align, i) = (c[0], c[1], 2)
    } else if let first = c.first, isAlign(first) {
      (align, i) = (first, 1)
    }
    if i < c.count, c[i] == "+" || c[i] == "-" || c[i] == " " { (sign, i) = (c[i], i + 1) }
    if i < c.count, c[i] == "#" { (alternate, i) = (true, i + 1) }
    if i < c.count, c[i] == "0" { (zero, i) = (true, i + 1) }
    func number() throws -> Int? {
      var digits = 0
      var value = 0
      while i < c.count, let d = c[i].wholeNumberValue, c[i].isASCII {
        digits += 1
        i += 1
        // Checked before it could overflow: more than four digits is over the bound anyway.
        if digits > 4 { throw Problem(detail: "width and precision are at most \(maxFormatWidth)") }
        value = value * 10 + d
      }
      if digits > 0, value > maxFormatWidth {
        throw Problem(detail: "width and precision are at most \(maxFormatWidth)")
      }
      return digits > 0 ? value : nil
    }
    width = try number() ?? 0
    if i < c.count, c[i] == "," || c[i] == "_" { (grouping, i) = (c[i], i + 1) }
    if i < c.count, c[i] == "," || c[i] == "_" { throw Problem(detail: "only one of ',' and '_'") }
    if i < c.count, c[i] == "." {
      i += 1
      guard let p = try number() else { throw Problem(detail: "missing precision after '.'") }
      precision = p
    }
    if i < c.count { (type, i) = (c[i], i + 1) }
    if let type, !"dxXobeEfFgG%s".contains(type) { throw Problem(detail: "unknown type '\(type)'") }
    if i < c.count { throw Problem(detail: nil) }
  }

  // MARK: - By kind

  func format(string: String) throws -> String {
    if let type, type != "s" { throw Problem(detail: "'\(type)' needs a number") }
    if sign != nil { throw Problem(detail: "a sign needs a number") }
    if alternate { throw Problem(detail: "'#' needs a number") }
    if grouping != nil { throw Problem(detail: "'\(grouping ?? ",")' needs a number") }
    if align == "=" { throw Problem(detail: "'=' alignment needs a number") }
    var text = string
    if let precision, text.unicodeScalars.count > precision {
      text = String(String.UnicodeScalarView(text.unicodeScalars.prefix(precision)))
    }
    return pad(text, fill: fill ?? (zero ? "0" : " "), align: align ?? "<")
  }

  func format(int n: Int) throws -> String {
    let radix: Int
    var prefix = ""
    switch type {
    case nil, "d": radix = 10
    case "x", "X": (radix, prefix) = (16, "0x")
    case "o": (radix, prefix) = (8, "0o")
    case "b": (radix, prefix) = (2, "0b")
    case "s": throw Problem(detail: "'s' needs a String")
    default: return try format(float: Double(n))
    }
    if precision != nil { throw Problem(detail: "precision not allowed for an integer type") }
    if radix != 10, grouping == "," { throw Problem(detail: "',' cannot be used with '\(type ?? "d")'") }
    var digits = String(n.magnitude, radix: radix, uppercase: type == "X")
    if type == "X" { prefix = "0X" }
    if !alternate { prefix = "" }
    if radix != 10, grouping != nil { digits = group(digits, by: "_", size: 4) }
    return assemble(negative: n < 0, prefix: prefix, digits: digits, rest: "", groupSize: radix == 10 ? 3 : 0)
  }

  func format(float x: Double) throws -> String {
    let magnitude = x.magnitude
    var body: String
    switch type {
    case nil: body = precision.map { general(magnitude, precision: $0) } ?? formatFloat(magnitude)
    case "f", "F": body = printf("f", magnitude, precision ?? 6)
    case "e", "E": body = printf("e", magnitude, precision ?? 6)
    case "g", "G": body = printf("g", magnitude, precision ?? 6)
    case "%": body = printf("f", magnitude * 100, precision ?? 6) + "%"
    default: throw Problem(detail: "'\(type ?? " ")' needs an Int")
    }
    if let type, type.isUppercase { body = body.uppercased() }
    let integerEnd = body.firstIndex { !$0.isASCII || !$0.isNumber } ?? body.endIndex
    return assemble(
      negative: x.sign == .minus && !x.isNaN, prefix: "", digits: String(body[..<integerEnd]),
      rest: String(body[integerEnd...]), groupSize: 3)
  }

  // MARK: - Pieces

  /// C's printf for one Double; `#` keeps the point and trailing zeros.
  private func printf(_ conversion: String, _ x: Double, _ precision: Int) -> String {
    String(format: "%\(alternate ? "#" : "").\(precision)\(conversion)", x)
  }

  /// No type with a precision: `g`, but a fixed result keeps one digit after the
  /// point, and scientific notation starts at exponent precision - 1 (Python's rule).
  private func general(_ x: Double, precision: Int) -> String {
    let p = max(precision, 1)
    guard x.isFinite else { return formatFloat(x) }
    // Round once to p significant digits, then lay those digits out.
    let scientific = String(format: "%.\(p - 1)e", x)
    let parts = scientific.split(separator: "e")
    guard parts.count == 2, let exponent = Int(parts[1]) else { return scientific }
    let digits = parts[0].filter { $0 != "." }
    var integer: String
    var fraction: String
    if exponent >= -4, exponent < p - 1 {
      if exponent >= 0 {
        integer = String(digits.prefix(exponent + 1))
        fraction = String(digits.dropFirst(exponent + 1))
      } else {
        integer = "0"
        fraction = String(repeating: "0", count: -exponent - 1) + digits
      }
      if !alternate { while fraction.hasSuffix("0") { fraction.removeLast() } }
      return integer + "." + (fraction.isEmpty ? "0" : fraction)
    }
    integer = String(digits.prefix(1))
    fraction = String(digits.dropFirst())
    if !alternate { while fraction.hasSuffix("0") { fraction.removeLast() } }
    let point = fraction.isEmpty && !alternate ? "" : "."
    return integer + point + fraction + exponentSuffix(exponent)
  }

  /// Sign, prefix, grouped digits, the rest, then padding. With fill `0` and
  /// alignment `=`, the zeros are part of the number and get separators too.
  private func assemble(negative: Bool, prefix: String, digits: String, rest: String, groupSize: Int) -> String {
    let signText = negative ? "-" : sign == "+" ? "+" : sign == " " ? " " : ""
    let fill = fill ?? (zero ? "0" : " ")
    let align = align ?? (zero ? "=" : ">")
    var number = digits
    if let separator = grouping, groupSize == 3, !digits.isEmpty {
      number = group(digits, by: separator, size: 3)
      if fill == "0", align == "=" {
        let needed = width - signText.count - prefix.count - rest.unicodeScalars.count
        var padded = digits
        while number.count < needed {
          padded = "0" + padded
          number = group(padded, by: separator, size: 3)
        }
      }
    }
    let body = number + rest
    if align == "=" {
      let padding = max(0, width - signText.count - prefix.count - body.unicodeScalars.count)
      return signText + prefix + String(repeating: fill, count: padding) + body
    }
    return pad(signText + prefix + body, fill: fill, align: align)
  }

  private func pad(_ text: String, fill: Character, align: Character) -> String {
    let padding = max(0, width - text.unicodeScalars.count)
    switch align {
    case "<": return text + String(repeating: fill, count: padding)
    case "^":
      return String(repeating: fill, count: padding / 2) + text + String(repeating: fill, count: padding - padding / 2)
    default: return String(repeating: fill, count: padding) + text
    }
  }

  /// `1234567` -> `1,234,567`: separators every `size` digits from the right.
  private func group(_ digits: String, by separator: Character, size: Int) -> String {
    var out: [Character] = []
    for (i, d) in digits.reversed().enumerated() {
      if i > 0, i % size == 0 { out.append(separator) }
      out.append(d)
    }
    return String(out.reversed())
  }
}
