import Foundation

/// The printed text of each element for every dtype, as NumPy prints arrays:
/// float32 with float32's shortest digits, float64 with float64's, integers
/// right-aligned, booleans as the language spells them (`true`, `false`).
func formatWords(_ values: [ScalarValue], dtype: DType) -> [String] {
  switch dtype {
  case .float32: return formatElements(values.map { Float($0.double) })
  case .float64: return formatElements(values.map(\.double))
  case .int64:
    let texts = values.map { v -> String in if case .int(let i) = v { return String(i) } else { return "?" } }
    return rightAligned(texts)
  case .bool:
    return rightAligned(values.map { $0.double != 0 ? "true" : "false" })
  }
}

private func rightAligned(_ texts: [String]) -> [String] {
  let width = texts.map(\.count).max() ?? 0
  return texts.map { String(repeating: " ", count: width - $0.count) + $0 }
}

/// A floating type whose values `formatElements` can print: it supplies the
/// shortest decimal digits that identify a value among its own type's values.
protocol PrintableFloat: BinaryFloatingPoint {
  func decimalDigits(_ limits: DigitLimits) -> DecimalDigits
}

extension Float: PrintableFloat {
  func decimalDigits(_ limits: DigitLimits) -> DecimalDigits { DecimalDigits(self, limits: limits) }
}

extension Double: PrintableFloat {
  /// The shortest round-trip digits (Swift's `description` is shortest-unique
  /// for Double), cut to `maxDigits` by C's correctly rounded `%.*f`/`%.*e`
  /// when longer, and extended to `minDigits` the same way.
  func decimalDigits(_ limits: DigitLimits) -> DecimalDigits {
    guard isFinite, self != 0 else { return DecimalDigits() }
    var shortest = DecimalDigits(parsing: Swift.abs(self).description)
    // Digits after the first significant one (scientific) or after the point.
    let places = Swift.max(0, shortest.digits.count - 1 - (limits.scientific ? 0 : shortest.exponent))
    if places > limits.maxDigits || (limits.minDigits.map { places < $0 } ?? false) {
      let target = places > limits.maxDigits ? limits.maxDigits : (limits.minDigits ?? places)
      let text = String(format: limits.scientific ? "%.*e" : "%.*f", Swift.max(target, 0), Swift.abs(self))
      shortest = DecimalDigits(parsing: text)
    }
    return shortest
  }
}

extension DecimalDigits {
  init() {}

  /// Digits and exponent of a non-negative decimal text such as "12.5",
  /// "1e-05", "1.25e+20" or "0.000" (trailing zeros dropped).
  init(parsing text: String) {
    var mantissa = Substring(text), exponentPart = 0
    if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
      mantissa = text[..<e]
      exponentPart = Int(text[text.index(after: e)...]) ?? 0
    }
    let point = mantissa.firstIndex(of: ".") ?? mantissa.endIndex
    let intCount = mantissa.distance(from: mantissa.startIndex, to: point)
    let all = mantissa.filter(\.isNumber).compactMap { $0.wholeNumberValue }.map(UInt8.init)
    guard let lead = all.firstIndex(where: { $0 != 0 }), let tail = all.lastIndex(where: { $0 != 0 }) else { return }
    digits = Array(all[lead...tail])
    exponent = intCount - 1 - lead + exponentPart
  }
}
