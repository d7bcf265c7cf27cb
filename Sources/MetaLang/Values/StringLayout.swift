// Character positions in long strings, and substring search. Meta indexes strings
// by Character, which Swift finds by walking from the start: `len(s)`, `s[i]` and
// `s[a:b]` each cost O(n), so a loop over a long string was quadratic. The first
// time a long string is measured its layout is kept (for the few strings indexed
// most recently): a length is then O(1), a position O(1) when every Character is
// one byte (ASCII, as most data is) and at most `markSpacing` steps otherwise.

import Foundation

/// Where the Characters of one string start.
struct StringLayout {
  /// A mark every this many Characters, in strings that are not one byte per Character.
  static let markSpacing = 64

  let count: Int
  /// One byte per Character (ASCII without "\r", which pairs with a following "\n").
  let isBytes: Bool
  /// The start of Character `k * markSpacing` (empty when `isBytes`).
  private let marks: [String.Index]

  init(_ s: String) {
    var copy = s
    isBytes = copy.withUTF8(Self.isOneBytePerCharacter)
    if isBytes {
      count = s.utf8.count
      marks = []
      return
    }
    var marks: [String.Index] = []
    var k = 0
    var i = s.startIndex
    while i < s.endIndex {
      if k % Self.markSpacing == 0 { marks.append(i) }
      s.formIndex(after: &i)
      k += 1
    }
    count = k
    self.marks = marks
  }

  /// No byte is non-ASCII or "\r"; eight bytes at a time.
  static func isOneBytePerCharacter(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    var i = 0
    if let base = bytes.baseAddress {
      let raw = UnsafeRawPointer(base)
      let high: UInt64 = 0x8080_8080_8080_8080, ones: UInt64 = 0x0101_0101_0101_0101
      while i + 8 <= bytes.count {
        let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
        let cr = w ^ 0x0D0D_0D0D_0D0D_0D0D  // a zero byte where w holds "\r"
        if (w | ((cr &- ones) & ~cr)) & high != 0 { return false }
        i += 8
      }
    }
    while i < bytes.count {
      if bytes[i] >= 0x80 || bytes[i] == 0x0D { return false }
      i += 1
    }
    return true
  }

  /// The start of Character `i` (0...count) of `s`, the string this layout measured.
  func index(_ i: Int, in s: String) -> String.Index {
    if i >= count { return s.endIndex }
    if isBytes { return s.utf8.index(s.utf8.startIndex, offsetBy: i) }
    return s.index(marks[i / Self.markSpacing], offsetBy: i % Self.markSpacing)
  }

  /// How many Characters of `s` precede `index` (a Character boundary).
  func offset(of index: String.Index, in s: String) -> Int {
    if isBytes { return s.utf8.distance(from: s.utf8.startIndex, to: index) }
    // The last mark at or before `index`, then a walk of fewer than markSpacing.
    var lo = 0, hi = marks.count
    while hi - lo > 1 {
      let mid = (lo + hi) / 2
      if marks[mid] <= index { lo = mid } else { hi = mid }
    }
    return lo * Self.markSpacing + s.distance(from: marks[lo], to: index)
  }
}

/// The layouts of the few long strings measured most recently, each kept with its
/// string: the entry holds the string's storage, so the address that identifies it
/// cannot be reused while the entry lives.
final class StringLayouts {
  private var entries: [(string: String, layout: StringLayout)] = []
  private var next = 0

  /// The layout of `s`, and whether it was measured now (the caller charges the work).
  func layout(of s: String) -> (layout: StringLayout, measured: Bool) {
    let address = Self.address(s)
    if let address {
      for e in entries where e.string.utf8.count == s.utf8.count && Self.address(e.string) == address {
        return (e.layout, false)
      }
    }
    let layout = StringLayout(s)
    guard address != nil else { return (layout, true) }
    if entries.count < Interpreter.stringLayoutSlots {
      entries.append((s, layout))
    } else {
      entries[next] = (s, layout)
      next = (next + 1) % entries.count
    }
    return (layout, true)
  }

  /// Where a native string's bytes live (nil for a string that is not contiguous).
  private static func address(_ s: String) -> UnsafeRawPointer? {
    s.utf8.withContiguousStorageIfAvailable { UnsafeRawPointer($0.baseAddress) } ?? nil
  }

  /// Drops every kept string (a new top-level evaluation).
  func clear() { entries = []; next = 0 }
}

extension Runtime {
  /// The layout of a long string (charged when measured now); nil for a short one.
  private func layout(_ s: String) throws -> StringLayout? {
    guard s.utf8.count >= Interpreter.stringLayoutMinBytes else { return nil }
    let (layout, measured) = stringLayouts.layout(of: s)
    if measured { try charge(s.utf8.count) }
    return layout
  }

  /// `len(s)`: its Characters.
  func characterCount(_ s: String) throws -> Int {
    try layout(s)?.count ?? s.count
  }

  /// Character `i` of `s` as a String; `i` is a valid position.
  func character(_ s: String, at i: Int) throws -> String {
    guard let layout = try layout(s) else { return String(s[s.index(s.startIndex, offsetBy: i)]) }
    let start = layout.index(i, in: s)
    if layout.isBytes { return String(decoding: CollectionOfOne(s.utf8[start]), as: UTF8.self) }
    return String(s[start])
  }

  /// `s[start:stop:step]`, in time proportional to the Characters it spans.
  func slice(_ s: String, _ start: Int?, _ stop: Int?, _ step: Int?) throws -> String {
    let layout = try layout(s)
    let positions = try Indexing.sliceIndices(count: layout?.count ?? s.count, start, stop, step)
    var first: Int?, last = 0
    for p in positions {
      if first == nil { first = p }
      last = p
    }
    guard let first else { return "" }
    let (lo, hi) = (min(first, last), max(first, last))
    try charge(hi - lo + 1)
    let from = layout?.index(lo, in: s) ?? s.index(s.startIndex, offsetBy: lo)
    let span = s[from...]
    let stepSize = step ?? 1
    if stepSize == 1 {
      let to = layout?.index(hi + 1, in: s) ?? s.index(from, offsetBy: hi - lo + 1)
      return String(s[from..<to])
    }
    if layout?.isBytes ?? false {
      let bytes = Array(span.utf8.prefix(hi - lo + 1))
      return String(decoding: positions.map { bytes[$0 - lo] }, as: UTF8.self)
    }
    let chars = Array(span.prefix(hi - lo + 1))
    var out = ""
    for p in positions { out.append(chars[p - lo]) }
    return out
  }

  /// The first occurrence of `needle` in `s` that ends on a Character boundary; nil
  /// when there is none or `needle` is empty (see `ranges`).
  func firstRange(of needle: String, in s: String) throws -> Range<String.Index>? {
    try ranges(of: needle, in: s, limit: 1).first
  }

  /// The non-overlapping occurrences of `needle` (not empty) in `s`, leftmost first, at
  /// most `limit`. An occurrence must end where a Character does ("e" is not in "é"
  /// written "e\u{301}") but may start inside one ("\n" is in "\r\n", one Character),
  /// as Foundation's search had it. Linear in both lengths (a naive search of
  /// `"a" * 10^7` for `"a" * 5 * 10^6 + "b"` is quadratic); the work is charged.
  func ranges(of needle: String, in s: String, limit: Int = .max) throws -> [Range<String.Index>] {
    var hay = s, pattern = needle
    let m = pattern.utf8.count
    guard m > 0, hay.utf8.count >= m else { return [] }
    let utf8 = s.utf8
    let (offsets, scanned) = hay.withUTF8 { h in
      pattern.withUTF8 { p in
        StringSearch.matches(p, in: h, limit: limit) { offset in
          String.Index(utf8.index(utf8.startIndex, offsetBy: offset + m), within: s) != nil
        }
      }
    }
    try charge(scanned + m)
    return offsets.map { offset in
      let lo = utf8.index(utf8.startIndex, offsetBy: offset)
      return lo..<utf8.index(lo, offsetBy: m)
    }
  }

  /// How many Characters of `s` precede `index`.
  func characterOffset(of index: String.Index, in s: String) throws -> Int {
    if let layout = try layout(s) { return layout.offset(of: index, in: s) }
    return s.distance(from: s.startIndex, to: index)
  }
}

/// Byte-string search.
enum StringSearch {
  /// Offsets where `pattern` (not empty) occurs in `text` and `accept` agrees, leftmost
  /// first and not overlapping, at most `limit`; and how many bytes of `text` were read.
  /// Knuth-Morris-Pratt: O(text + pattern), whatever the input.
  static func matches(
    _ pattern: UnsafeBufferPointer<UInt8>, in text: UnsafeBufferPointer<UInt8>, limit: Int,
    where accept: (Int) -> Bool
  ) -> (offsets: [Int], scanned: Int) {
    let m = pattern.count
    // border[i]: length of the longest proper prefix of pattern[0...i] that is also its suffix.
    var border = [Int](repeating: 0, count: m)
    var k = 0
    for i in 1..<max(m, 1) {
      while k > 0, pattern[i] != pattern[k] { k = border[k - 1] }
      if pattern[i] == pattern[k] { k += 1 }
      border[i] = k
    }
    var found: [Int] = []
    var j = 0
    for i in 0..<text.count {
      while j > 0, text[i] != pattern[j] { j = border[j - 1] }
      if text[i] == pattern[j] { j += 1 }
      guard j == m else { continue }
      if accept(i + 1 - m) {
        found.append(i + 1 - m)
        if found.count == limit { return (found, i + 1) }
        j = 0  // the next occurrence starts after this one
      } else {
        j = border[m - 1]
      }
    }
    return (found, text.count)
  }
}
