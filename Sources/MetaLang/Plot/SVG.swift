// The few pieces of SVG text a plot needs: escaped text, fixed-precision
// coordinates and element builders.

import Foundation

enum SVG {
  /// Text safe inside an element or a double-quoted attribute. Characters XML
  /// forbids (most control characters) are dropped.
  static func escape(_ s: String) -> String {
    var out = ""
    out.reserveCapacity(s.utf8.count)
    for scalar in s.unicodeScalars {
      switch scalar {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
      case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF: continue
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out
  }

  /// A coordinate with two decimals (a hundredth of a pixel is plenty).
  static func number(_ v: Double) -> String {
    let text = String(format: "%.2f", v)
    return text == "-0.00" ? "0.00" : text
  }

  /// `<text ...>escaped</text>`; `attributes` are written as given.
  static func text(_ content: String, x: Double, y: Double, attributes: String = "") -> String {
    "<text x=\"\(number(x))\" y=\"\(number(y))\"\(attributes.isEmpty ? "" : " " + attributes)>\(escape(content))</text>"
  }

  static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, attributes: String = "") -> String {
    "<line x1=\"\(number(x1))\" y1=\"\(number(y1))\" x2=\"\(number(x2))\" y2=\"\(number(y2))\""
      + (attributes.isEmpty ? "" : " " + attributes) + "/>"
  }

  /// Path data through `points`, starting a new piece after each nil (a gap). A lone
  /// point gets a zero-length segment, which a round line cap shows as a dot.
  static func pathData(_ points: [(Double, Double)?]) -> String {
    var parts = [String]()
    var run = 0
    for p in points {
      guard let (x, y) = p else {
        if run == 1 { parts.append("h0") }
        run = 0
        continue
      }
      parts.append((run == 0 ? "M" : "L") + number(x) + "," + number(y))
      run += 1
    }
    if run == 1 { parts.append("h0") }
    return parts.joined(separator: " ")
  }
}
