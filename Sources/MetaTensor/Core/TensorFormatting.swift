/// NumPy-style text for a Float32 tensor, as `repr` of a NumPy 2 array with
/// `tensor(` for `array(` and no dtype: `tensor([[1., 2.],\n        [3., 4.]])`,
/// `tensor(3.5)` for a 0-d tensor, `tensor([], shape=[0, 3])` for an empty one.
///
/// Follows NumPy's defaults: shortest unique digits (at most 8 after the point),
/// scientific notation when the nonzero magnitudes span more than 1e3, go below
/// 1e-4 or reach 1e6, one common width per tensor, lines wrapped at 75
/// characters, and more than 1000 elements summarized by the 3 edge items
/// of each axis around `...` (then the shape is appended).
/// An inconsistent `shape`/`scalars` pair gives a descriptive text instead of trapping.
public func formatTensor(shape: [Int], scalars: [Float]) -> String {
  formatTensor(shape: shape, count: scalars.count, dtype: .float32) { .float(Double(scalars[$0])) }
}

/// As `formatTensor(shape:scalars:)`, reading only the printed elements (by row-major
/// position) from `element`: a summary of a billion elements copies none of them.
/// Dtypes other than float32 print as NumPy prints them (`[1, 2]`, `[ true, false]`,
/// float64 with float64's shortest digits) and are named after the elements:
/// `tensor([1, 2], dtype=int64)`.
func formatTensor(shape: [Int], count elementCount: Int, dtype: DType, element: (Int) -> ScalarValue) -> String {
  var count = 1
  for d in shape {
    let (p, overflow) = count.multipliedReportingOverflow(by: d)
    guard d >= 0, !overflow else { count = -1; break }
    count = p
  }
  // The layout recurses once per axis; NumPy itself stops at 64 axes.
  guard shape.count <= 64 else { return "tensor(<\(elementCount) elements in \(shape.count) dimensions>)" }
  let shapeText = "[" + shape.map(String.init).joined(separator: ", ") + "]"
  guard count == elementCount else {
    return "tensor(<invalid: shape \(shapeText) with \(elementCount) elements>)"
  }
  let prefix = "tensor("
  let summarize = count > TensorLayout.threshold
  var body = "[]"
  if count > 0 {
    let layout = TensorLayout(shape: shape, summarize: summarize)
    body = layout.render(formatWords(layout.shownValues(element), dtype: dtype),
                         lineWidth: TensorLayout.lineWidth - 1,  // minus ")"
                         prefix: String(repeating: " ", count: prefix.count + 1))
  }
  let dtypeText = dtype == .float32 || dtype == .bool ? "" : "dtype=\(dtype)"
  let showShape = (count == 0 && shape != [0]) || summarize
  guard showShape || !dtypeText.isEmpty else { return prefix + body + ")" }
  // Where the shape does not follow from the text, append it as NumPy does,
  // on a new line if it would overflow the last one; then the dtype.
  let head = prefix + body + ","
  let extra = [showShape ? "shape=" + shapeText : "", dtypeText].filter { !$0.isEmpty }
    .joined(separator: ", ") + ")"
  let lastLine = head.split(separator: "\n", omittingEmptySubsequences: false).last?.count ?? 0
  let spacer = lastLine + extra.count + 1 > TensorLayout.lineWidth
    ? "\n" + String(repeating: " ", count: prefix.count) : " "
  return head + spacer + extra
}

/// Walks the nested-bracket structure of a row-major tensor.
private struct TensorLayout {
  static let threshold = 1000
  static let edgeItems = 3
  static let lineWidth = 75
  let shape: [Int]
  let strides: [Int]
  let summarize: Bool

  init(shape: [Int], summarize: Bool) {
    self.shape = shape
    self.summarize = summarize
    var strides = [Int](repeating: 1, count: shape.count)
    var step = 1
    for axis in shape.indices.reversed() {
      strides[axis] = step
      step *= shape[axis]  // cannot overflow: the product was checked by the caller
    }
    self.strides = strides
  }

  /// Positions along `axis` that are printed: all, or the edges when summarizing.
  private func shownIndices(_ axis: Int) -> [Int] {
    let n = shape[axis]
    guard summarize && n > 2 * Self.edgeItems else { return Array(0..<n) }
    return Array(0..<Self.edgeItems) + Array((n - Self.edgeItems)..<n)
  }

  /// The printed elements; the column width is chosen from these alone, as NumPy does.
  func shownValues<T>(_ element: (Int) -> T) -> [T] {
    var out = [T]()
    func walk(_ axis: Int, _ offset: Int) {
      if axis == shape.count { out.append(element(offset)); return }
      for i in shownIndices(axis) { walk(axis + 1, offset + i * strides[axis]) }
    }
    walk(0, 0)
    return out
  }

  /// Mirrors NumPy's `_formatArray`: rows wrap at `lineWidth`, inner axes are
  /// separated by as many newlines as axes remain below them. `words` holds the
  /// printed elements in the order `shownValues()` lists them.
  func render(_ words: [String], lineWidth: Int, prefix: String) -> String {
    var nextWord = 0
    func extend(_ s: inout String, _ line: inout String, _ word: String, _ width: Int, _ indent: String) {
      // Wrapping cannot help when the line holds nothing but the indent.
      if line.count + word.count > width && line.count > indent.count {
        s += trimTrailingSpaces(line) + "\n"
        line = indent
      }
      line += word
    }
    func recurse(_ axis: Int, _ offset: Int, _ indent: String, _ width: Int) -> String {
      if axis == shape.count {
        defer { nextWord += 1 }
        return nextWord < words.count ? words[nextWord] : "?"
      }
      let nextIndent = indent + " "
      let nextWidth = width - 1
      let n = shape[axis]
      let showSummary = summarize && n > 2 * Self.edgeItems
      let leading = showSummary ? Self.edgeItems : 0
      let trailing = showSummary ? Self.edgeItems : n
      let axesLeft = shape.count - axis
      var s = ""
      if axesLeft == 1 {
        let elementWidth = width - 1  // room for "," or "]"
        var line = indent
        for i in 0..<leading {
          extend(&s, &line, recurse(axis + 1, offset + i * strides[axis], nextIndent, nextWidth),
                 elementWidth, indent)
          line += ", "
        }
        if showSummary {
          extend(&s, &line, "...", elementWidth, indent)
          line += ", "
        }
        for back in stride(from: trailing, to: 0, by: -1) {
          let word = recurse(axis + 1, offset + (n - back) * strides[axis], nextIndent, nextWidth)
          extend(&s, &line, word, elementWidth, indent)
          if back > 1 { line += ", " }
        }
        s += line
      } else {
        let separator = "," + String(repeating: "\n", count: axesLeft - 1)
        for i in 0..<leading {
          s += indent + recurse(axis + 1, offset + i * strides[axis], nextIndent, nextWidth) + separator
        }
        if showSummary { s += indent + "..." + separator }
        for back in stride(from: trailing, to: 0, by: -1) {
          s += indent + recurse(axis + 1, offset + (n - back) * strides[axis], nextIndent, nextWidth)
          if back > 1 { s += separator }
        }
      }
      return "[" + String(s.dropFirst(indent.count)) + "]"
    }
    return recurse(0, 0, prefix, lineWidth)
  }

  private func trimTrailingSpaces(_ s: String) -> String {
    var t = Substring(s)
    while t.last == " " { t = t.dropLast() }
    return String(t)
  }
}

/// NumPy's `FloatingFormat` with the default options: each value's text,
/// all padded to one layout (positional or scientific) chosen from all of them.
func formatElements<T: PrintableFloat>(_ values: [T]) -> [String] {
  let finite = values.filter(\.isFinite)
  let magnitudes = finite.filter { $0 != 0 }.map(abs)
  var scientific = false
  // Compared in Float32, as NumPy 2 compares a float32 array with Python floats.
  if let hi = magnitudes.max(), let lo = magnitudes.min() {
    scientific = hi >= 1e6 || lo < T(0.0001) || hi / lo > 1000
  }
  // First pass: at most 8 digits after the point. For positional output this
  // is also the printing pass (its extra rule, digits down to the units, never
  // changes a value below 1e6, where the units digit is always significant).
  let limits = DigitLimits(scientific: scientific, maxDigits: 8, minDigits: scientific ? nil : 0)
  var parts = values.map { $0.isFinite ? NumberParts($0, limits) : NumberParts() }
  var padLeft = 0, padRight = 0, fractionDigits = 0
  for p in parts where !p.int.isEmpty {
    padLeft = max(padLeft, p.int.count)
    fractionDigits = max(fractionDigits, p.fraction.count)
  }
  if scientific {
    // Printing pass: every value gets exactly the common number of digits,
    // rounded from the exact value (NumPy's min_digits).
    let exact = DigitLimits(scientific: true, maxDigits: fractionDigits, minDigits: fractionDigits)
    for i in parts.indices where !parts[i].int.isEmpty && parts[i].fraction.count < fractionDigits {
      parts[i] = NumberParts(values[i], exact)
    }
    // "e+dd" and the digits (float64 exponents may need 3 digits: all get the widest).
    let exponentDigits = max(2, parts.map { $0.exponent.count - 1 }.max() ?? 2)
    for i in parts.indices where !parts[i].exponent.isEmpty {
      let e = parts[i].exponent
      parts[i].exponent = String(e.prefix(1)) + String(repeating: "0", count: max(0, exponentDigits - e.count + 1)) + e.dropFirst()
    }
    padRight = 2 + exponentDigits + fractionDigits
  } else {
    padRight = fractionDigits
  }
  if finite.count != values.count {
    // Make room for "nan", "inf" or "-inf" in the common width.
    let negInf = values.contains { $0.isInfinite && $0 < 0 }
    padLeft = max(padLeft, 3 + (negInf ? 1 : 0) - (padRight + 1))
  }
  return zip(values, parts).map { x, p in
    guard x.isFinite else {
      let text = x.isNaN ? "nan" : (x < 0 ? "-inf" : "inf")
      return String(repeating: " ", count: max(0, padLeft + padRight + 1 - text.count)) + text
    }
    let left = String(repeating: " ", count: max(0, padLeft - p.int.count)) + p.int
    if scientific {
      let zeros = String(repeating: "0", count: max(0, fractionDigits - p.fraction.count))
      return left + "." + p.fraction + zeros + "e" + p.exponent
    }
    return left + "." + p.fraction + String(repeating: " ", count: max(0, padRight - p.fraction.count))
  }
}

/// A finite value's text in pieces: sign and integer part, fraction digits,
/// and (scientific) the signed two-digit exponent.
private struct NumberParts {
  var int = ""
  var fraction = ""
  var exponent = ""

  init() {}

  init<T: PrintableFloat>(_ x: T, _ limits: DigitLimits) {
    let sign = x.sign == .minus ? "-" : ""
    let d = x.decimalDigits(limits)
    let chars = d.digits.map { Character(Unicode.Scalar($0 + 48)) }
    if limits.scientific {
      let e = chars.isEmpty ? 0 : d.exponent
      let mag = String(abs(e))
      int = sign + String(chars.first ?? "0")
      fraction = String(chars.dropFirst())
      exponent = (e < 0 ? "-" : "+") + String(repeating: "0", count: max(0, 2 - mag.count)) + mag
    } else if chars.isEmpty {
      int = sign + "0"
    } else if d.exponent >= 0 {
      let intCount = d.exponent + 1
      int = sign + String(chars.prefix(intCount)) + String(repeating: "0", count: max(0, intCount - chars.count))
      fraction = String(chars.dropFirst(intCount))
    } else {
      int = sign + "0"
      fraction = String(repeating: "0", count: -d.exponent - 1) + String(chars)
    }
  }
}

/// How many digits Dragon4 may and must produce, counted after the decimal
/// point (positional) or after the first significant digit (scientific).
struct DigitLimits {
  var scientific: Bool
  var maxDigits: Int
  /// Digits to produce even past the shortest unique ones, exactly rounded; nil for none.
  var minDigits: Int?
}

/// The decimal digits NumPy's Dragon4 prints for a Float32 in "unique" mode:
/// the shortest digits that identify the value among Float32s (interval ends
/// included for an even mantissa, as in round-half-even reading), extended to
/// `minDigits` and limited to `maxDigits`, where the exactly rounded value (ties to
/// even) is used. Works on exact decimal expansions, so there is no double rounding.
struct DecimalDigits {
  /// Significant digits without trailing zeros; empty for zero.
  var digits: [UInt8] = []
  /// The value is `d0.d1d2... × 10^exponent`.
  var exponent = 0

  init(_ value: Float, limits: DigitLimits) {
    guard value.isFinite, value != 0 else { return }
    let bits = value.bitPattern
    let biased = Int((bits >> 23) & 0xFF)
    let fraction = UInt64(bits & 0x7F_FFFF)
    let mantissa = biased == 0 ? fraction : fraction | 0x80_0000
    // Units of 2^(e-2), so the interval ends (halfway to the neighbours) are integers;
    // the gap below is half as wide at a power of two.
    let scale = (biased == 0 ? -149 : biased - 150) - 2
    let unequal = biased > 1 && fraction == 0
    let inclusive = mantissa % 2 == 0
    let v = 4 * mantissa, low = unequal ? v - 1 : v - 2, high = v + 2
    let power = ExactPowers.of(scale >= 0 ? 2 : 5, abs(scale))
    let fractionDigits = max(0, -scale)
    let vLimbs = ExactPowers.times(power, v), loLimbs = ExactPowers.times(power, low)
    let hiLimbs = ExactPowers.times(power, high)
    // A common length with a leading zero, so a carry always has room.
    let n = max(hiLimbs.count * 9, fractionDigits) + 1
    let d = ExactPowers.digits(vLimbs, count: n), lo = ExactPowers.digits(loLimbs, count: n)
    let hi = ExactPowers.digits(hiLimbs, count: n)
    let pointIndex = n - fractionDigits  // digits before this index are the integer part
    guard let first = d.firstIndex(where: { $0 != 0 }) else { return }
    let origin = limits.scientific ? first : pointIndex - 1  // the digit the limits count from
    let last = min(origin + max(limits.maxDigits, 0), n - 1)
    let least = limits.minDigits.map { origin + $0 } ?? 0
    let loLastNonzero = lo.lastIndex(where: { $0 != 0 }) ?? -1
    let hiLastNonzero = hi.lastIndex(where: { $0 != 0 }) ?? -1

    // Grow the prefix until rounding it down stays above `low` or rounding it up
    // stays below `high` (and `minDigits` are out), or the cutoff is reached.
    var differsFromLow = false
    var gap = 0  // prefix(hi) - prefix(d) in units of the last kept digit, capped at 2
    var i = max(0, min(first, last))
    for j in 0..<i {
      differsFromLow = differsFromLow || d[j] != lo[j]
      gap = min(2, gap * 10 + Int(hi[j]) - Int(d[j]))
    }
    var canDown = false, canUp = false
    while true {
      differsFromLow = differsFromLow || d[i] != lo[i]
      gap = min(2, gap * 10 + Int(hi[i]) - Int(d[i]))
      // Prefix rounded down >= low (> low unless inclusive); rounded up <= high (< high).
      canDown = (differsFromLow || (inclusive && loLastNonzero <= i)) && i >= first
      canUp = (gap >= 2 || (gap == 1 && (inclusive || hiLastNonzero > i))) && i >= first
      if ((canDown || canUp) && i >= least) || i >= last { break }
      i += 1
    }
    var roundDown = canDown
    if canDown == canUp {
      // Nearest of the two; on an exact tie the even digit.
      let next = i + 1 < n ? d[i + 1] : 0
      let beyond = i + 2 < n && d[(i + 2)...].contains { $0 != 0 }
      roundDown = next != 5 || beyond ? next < 5 : d[i] % 2 == 0
    }
    var kept = Array(d[0...i])
    if !roundDown {
      var j = i
      while j > 0 && kept[j] == 9 { kept[j] = 0; j -= 1 }
      kept[j] += 1  // j == 0 holds the padding zero, so this never exceeds 9
    }
    guard let lead = kept.firstIndex(where: { $0 != 0 }),
          let tail = kept.lastIndex(where: { $0 != 0 }) else { return }
    digits = Array(kept[lead...tail])
    exponent = pointIndex - 1 - lead
  }
}

/// Exact integers in base 10^9 limbs (least significant first): just enough
/// arithmetic for the decimal expansion of a Float32 (at most ~115 digits).
private enum ExactPowers {
  static let base: UInt64 = 1_000_000_000
  // Immutable tables covering every Float32: 2^(e-2) for e in -149...104.
  static let twos = table(2, upTo: 102)
  static let fives = table(5, upTo: 151)

  static func of(_ b: UInt64, _ k: Int) -> [UInt64] {
    let t = b == 2 ? twos : fives
    if k >= 0 && k < t.count { return t[k] }
    var x: [UInt64] = [1]
    for _ in 0..<max(k, 0) { x = times(x, b) }
    return x
  }

  private static func table(_ b: UInt64, upTo k: Int) -> [[UInt64]] {
    var rows: [[UInt64]] = [[1]]
    for _ in 0..<k { rows.append(times(rows[rows.count - 1], b)) }
    return rows
  }

  /// Product with a factor below 2^32, so no limb product overflows.
  static func times(_ limbs: [UInt64], _ k: UInt64) -> [UInt64] {
    var out = [UInt64]()
    out.reserveCapacity(limbs.count + 1)
    var carry: UInt64 = 0
    for limb in limbs {
      let p = limb * k + carry
      out.append(p % base)
      carry = p / base
    }
    while carry > 0 { out.append(carry % base); carry /= base }
    return out
  }

  /// Decimal digits, most significant first, right-aligned in `count` places
  /// (`count` must be at least 9 per limb).
  static func digits(_ limbs: [UInt64], count: Int) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: count)
    var position = count - 1
    for limb in limbs {
      var x = limb
      for _ in 0..<9 where position >= 0 {
        out[position] = UInt8(x % 10)
        x /= 10
        position -= 1
      }
    }
    return out
  }
}
