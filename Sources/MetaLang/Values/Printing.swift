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

/// Values nested deeper than this print as `...`, so a pathological structure
/// cannot exhaust the stack.
let maxPrintDepth = 100

extension Value: CustomStringConvertible {
  /// The text `print` and `str` produce: a String is its raw text, containers
  /// show their strings quoted.
  public var description: String {
    if case .string(let s) = self { return s }
    return repr
  }

  /// The quoted form used inside containers: strings in double quotes with escapes.
  public var repr: String {
    var out = ""
    writeRepr(self, depth: 0, into: &out)
    return out
  }
}

private func writeRepr(_ value: Value, depth: Int, into out: inout String) {
  switch value {
  case .nil_: out += "nil"
  case .bool(let b): out += b ? "true" : "false"
  case .int(let i): out += String(i)
  case .float(let x): out += formatFloat(x)
  case .string(let s): out += quotedString(s)
  case .list(let items):
    guard depth < maxPrintDepth else { return out += "..." }
    out += "["
    for (i, item) in items.enumerated() {
      if i > 0 { out += ", " }
      writeRepr(item, depth: depth + 1, into: &out)
    }
    out += "]"
  case .record(let record):
    guard depth < maxPrintDepth else { return out += "..." }
    out += "{"
    for (i, (key, item)) in record.fields.enumerated() {
      if i > 0 { out += ", " }
      out += isBareIdentifier(key) ? key : quotedString(key)
      out += ": "
      writeRepr(item, depth: depth + 1, into: &out)
    }
    out += "}"
  case .function(let f):
    out += f.name.isEmpty || f.name == "<fn>" ? "<fn>" : "<fn \(f.name)>"
  case .native(let object):
    out += object.description
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
