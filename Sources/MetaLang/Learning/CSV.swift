// `load_csv`: a comma-separated file of numbers as a Tensor, or as a Dataset
// when one column holds class labels. Errors point at the file, line and column.

import MetaTensor

/// The numbers of a CSV file, row-major, with the source line of each row.
struct CSVTable {
  let path: String
  /// Column names, when the file has a header line.
  let header: [String]?
  let columns: Int
  /// values[row * columns + column].
  let values: [Double]
  /// The 1-based line each row came from, for error messages.
  let lines: [Int]

  var rows: Int { lines.count }

  /// Reads `path`; blank lines are skipped, cells may be padded with spaces.
  /// Works on bytes (not Characters): grapheme breaking would dominate on large files.
  init(path: String, header hasHeader: Bool) throws {
    let bytes: [UInt8]
    do { bytes = try AtomicFile.read(path) } catch let e as TensorError { throw BuiltinError("load_csv: \(e.message)") }
    var header: [String]?
    var columns = 0
    var values: [Double] = []
    var lines: [Int] = []
    var lineNumber = 0
    var lineStart = 0
    var cells: [String] = []
    while lineStart < bytes.count {
      var lineEnd = lineStart
      while lineEnd < bytes.count, bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
      lineNumber += 1
      defer { lineStart = lineEnd + 1 }
      var end = lineEnd
      if end > lineStart, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
      CSVTable.split(bytes, lineStart, end, into: &cells)
      if cells.count == 1 && cells[0].isEmpty { continue }  // a blank line
      if hasHeader && header == nil {
        header = cells.map(CSVTable.unquoted)
        columns = cells.count
        continue
      }
      if columns == 0 { columns = cells.count }
      guard cells.count == columns else {
        throw BuiltinError("load_csv: \(path):\(lineNumber): expected \(columns) values, got \(cells.count)")
      }
      for (c, cell) in cells.enumerated() {
        guard let v = Double(cell) else {
          throw BuiltinError("load_csv: \(path):\(lineNumber):\(c + 1): '\(cell)' is not a number")
        }
        values.append(v)
      }
      lines.append(lineNumber)
    }
    if header == nil && lines.isEmpty { throw BuiltinError("load_csv: \(path): the file is empty") }
    guard !lines.isEmpty else { throw BuiltinError("load_csv: \(path): no data rows after the header") }
    self.path = path
    self.header = header
    self.columns = columns
    self.values = values
    self.lines = lines
  }

  /// The comma-separated cells of bytes[start..<end], without surrounding spaces or tabs.
  private static func split(_ bytes: [UInt8], _ start: Int, _ end: Int, into cells: inout [String]) {
    cells.removeAll(keepingCapacity: true)
    var cellStart = start
    while true {
      var cellEnd = cellStart
      while cellEnd < end, bytes[cellEnd] != UInt8(ascii: ",") { cellEnd += 1 }
      var a = cellStart, b = cellEnd
      while a < b, bytes[a] == UInt8(ascii: " ") || bytes[a] == UInt8(ascii: "\t") { a += 1 }
      while b > a, bytes[b - 1] == UInt8(ascii: " ") || bytes[b - 1] == UInt8(ascii: "\t") { b -= 1 }
      cells.append(String(decoding: bytes[a..<b], as: UTF8.self))
      guard cellEnd < end else { return }
      cellStart = cellEnd + 1
    }
  }

  /// A header cell without surrounding double quotes.
  private static func unquoted(_ s: String) -> String {
    s.count >= 2 && s.first == "\"" && s.last == "\"" ? String(s.dropFirst().dropLast()) : s
  }

  /// All columns as a Float32 tensor [rows, columns].
  func tensor() throws -> Tensor {
    try Tensor(shape: [rows, columns], scalars: values.map { Float($0) })
  }

  /// The column `label` names: an index (negative from the end) or a header name.
  func column(_ label: Value) throws -> Int {
    switch label {
    case .int(let i):
      guard i >= -columns, i < columns else {
        throw BuiltinError("load_csv: label column \(i) is out of range for \(columns) column\(columns == 1 ? "" : "s")")
      }
      return i < 0 ? i + columns : i
    case .string(let name):
      guard let header else { throw BuiltinError("load_csv: label \(quotedString(name)) names a column, which needs header: true") }
      guard let i = header.firstIndex(of: name) else {
        throw BuiltinError("load_csv: \(path) has no column named \(quotedString(name)) (columns: \(header.joined(separator: ", ")))")
      }
      return i
    default:
      throw BuiltinError(ArgumentMessage.badNamed("label", "load_csv", expected: "Int or String", got: label))
    }
  }

  /// A Dataset whose labels are column `label` and whose x is every other column.
  func dataset(labelColumn label: Int) throws -> MetaDataset {
    guard columns >= 2 else {
      throw BuiltinError("load_csv: \(path) has one column; a dataset needs features besides the label")
    }
    var labels: [Int] = [], x: [Float] = []
    labels.reserveCapacity(rows)
    x.reserveCapacity(rows * (columns - 1))
    for r in 0..<rows {
      for c in 0..<columns {
        let v = values[r * columns + c]
        guard c == label else { x.append(Float(v)); continue }
        guard v == v.rounded(), v >= 0, v <= Double(MetaDataset.maxLabel) else {
          throw BuiltinError(
            "load_csv: \(path):\(lines[r]):\(c + 1): label \(formatFloat(v)) is not a class id in 0...\(MetaDataset.maxLabel)")
        }
        labels.append(Int(v))
      }
    }
    return try MetaDataset(x: try Tensor(shape: [rows, columns - 1], scalars: x), labels: labels)
  }
}
