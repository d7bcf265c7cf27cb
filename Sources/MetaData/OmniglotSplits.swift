// Which characters make up each split: the Vinyals et al. / ProtoNets lists
// (read from split files when present, else a built-in copy of the same
// lists) and the seeded MAML-style split of the same non-test characters.

import MetaTensor

/// A split of the characters.
public enum OmniglotSplit: String, CaseIterable, Sendable {
  case train, val, trainval, test
}

/// How characters are assigned to splits.
public enum OmniglotProtocol: String, CaseIterable, Sendable {
  /// The Vinyals et al. (2016) split used by ProtoNets: 1028 train, 172 val, 423 test.
  case vinyals
  /// MAML-style: the 1200 non-test characters shuffled with a seed, 1100 train
  /// and 100 val; test as in `vinyals`.
  case maml
}

/// The characters of each split.
public enum OmniglotSplits {
  /// The built-in Vinyals lists: runs of characters `first...last` (nil: to
  /// the alphabet's end) in the order of ProtoNets' `splits/vinyals/*.txt`,
  /// which list every character's four rotations (`rot000` ... `rot270`) in a
  /// row; `trainval` is `train` followed by `val`.
  static let vinyalsRuns: [OmniglotSplit: [(alphabet: String, first: Int, last: Int?)]] = [
    .train: [
      ("Angelic", 1, nil), ("Grantha", 1, nil), ("N_Ko", 1, nil), ("Aurek-Besh", 1, nil),
      ("Japanese_(hiragana)", 1, nil), ("Malay_(Jawi_-_Arabic)", 1, nil), ("Asomtavruli_(Georgian)", 1, nil),
      ("Sanskrit", 1, nil), ("Ojibwe_(Canadian_Aboriginal_Syllabics)", 1, nil), ("Korean", 1, nil),
      ("Arcadian", 1, nil), ("Greek", 1, nil), ("Alphabet_of_the_Magi", 1, nil),
      ("Blackfoot_(Canadian_Aboriginal_Syllabics)", 1, nil), ("Futurama", 1, nil), ("Gurmukhi", 1, 41),
      ("Tagalog", 1, nil), ("Anglo-Saxon_Futhorc", 1, nil), ("Braille", 1, nil), ("Cyrillic", 1, nil),
      ("Burmese_(Myanmar)", 1, nil), ("Avesta", 1, nil), ("Gujarati", 1, nil), ("Ge_ez", 1, nil),
      ("Syriac_(Estrangelo)", 1, nil), ("Atlantean", 1, nil), ("Japanese_(katakana)", 1, nil), ("Balinese", 1, nil),
      ("Atemayar_Qelisayer", 1, nil), ("Glagolitic", 1, nil), ("Tifinagh", 1, nil), ("Latin", 1, nil),
      ("Inuktitut_(Canadian_Aboriginal_Syllabics)", 1, nil),
    ],
    .val: [
      ("Hebrew", 1, nil), ("Mkhedruli_(Georgian)", 1, nil), ("Armenian", 1, nil), ("Early_Aramaic", 1, nil),
      ("Bengali", 1, nil),
    ],
    .test: [
      ("Gurmukhi", 42, nil), ("Kannada", 1, nil), ("Keble", 1, nil), ("Malayalam", 1, nil), ("Manipuri", 1, nil),
      ("Mongolian", 1, nil), ("Old_Church_Slavonic_(Cyrillic)", 1, nil), ("Oriya", 1, nil),
      ("Syriac_(Serto)", 1, nil), ("Sylheti", 1, nil), ("Tengwar", 1, nil), ("Tibetan", 1, nil), ("ULOG", 1, nil),
    ],
  ]

  /// The characters (`Alphabet/characterNN`) of `split` under `scheme`, in
  /// class order. `available` is every character in the archives; a split
  /// naming one that is not there is an error.
  public static func characters(
    _ split: OmniglotSplit, scheme: OmniglotProtocol, seed: UInt64, root: String, available: [String]
  ) throws -> [String] {
    switch scheme {
    case .vinyals:
      return try vinyals(split, root: root, available: available)
    case .maml:
      if split == .test { return try vinyals(.test, root: root, available: available) }
      let pool = try vinyals(.trainval, root: root, available: available)
      let shuffled = shuffle(pool, seed: seed)
      // 100 of 1200 for validation, as MAML's reference code.
      let valCount = shuffled.count / 12
      switch split {
      case .train: return Array(shuffled.dropLast(valCount))
      case .val: return Array(shuffled.suffix(valCount))
      default: return shuffled
      }
    }
  }

  /// The Vinyals list: `root/splits/vinyals/<split>.txt` when that file
  /// exists, else the built-in copy.
  static func vinyals(_ split: OmniglotSplit, root: String, available: [String]) throws -> [String] {
    let file = OmniglotFiles.join(root, "splits/vinyals/\(split.rawValue).txt")
    let names: [String]
    if OmniglotFiles.status(file) != nil {
      names = try readSplitFile(file)
    } else {
      names = builtIn(split, available: available)
    }
    let known = Set(available)
    if let missing = names.first(where: { !known.contains($0) }) {
      throw DataError("omniglot: split '\(split.rawValue)' lists character '\(missing)', which is not in the archives")
    }
    return names
  }

  /// The built-in list expanded against the archives' characters.
  static func builtIn(_ split: OmniglotSplit, available: [String]) -> [String] {
    let runs = split == .trainval ? (vinyalsRuns[.train] ?? []) + (vinyalsRuns[.val] ?? []) : vinyalsRuns[split] ?? []
    var byAlphabet = [String: [(number: Int, name: String)]]()
    for name in available {
      let parts = name.split(separator: "/")
      guard parts.count == 2, parts[1].hasPrefix("character"), let n = Int(parts[1].dropFirst(9)) else { continue }
      byAlphabet[String(parts[0]), default: []].append((n, name))
    }
    return runs.flatMap { run in
      (byAlphabet[run.alphabet] ?? []).filter { $0.number >= run.first && $0.number <= (run.last ?? Int.max) }
        .sorted { $0.number < $1.number }.map(\.name)
    }
  }

  /// Characters of a split file, in order of first mention. Lines are
  /// `Alphabet/characterNN/rotDDD`; the rotations listed are not used
  /// (the loader's `rotations` option decides).
  static func readSplitFile(_ path: String) throws -> [String] {
    let bytes: [UInt8]
    do { bytes = try AtomicFile.read(path) } catch { throw DataError("omniglot: \(error)") }
    var names = [String](), seen = Set<String>()
    for (index, line) in String(decoding: bytes, as: UTF8.self).split(separator: "\n").enumerated() {
      let text = line.hasSuffix("\r") ? line.dropLast() : line
      if text.isEmpty { continue }
      let parts = text.split(separator: "/", omittingEmptySubsequences: false)
      guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty,
        ["rot000", "rot090", "rot180", "rot270"].contains(parts[2])
      else {
        throw DataError("\(path):\(index + 1): expected Alphabet/characterNN/rotDDD, got '\(text)'")
      }
      let name = "\(parts[0])/\(parts[1])"
      if seen.insert(name).inserted { names.append(name) }
    }
    guard !names.isEmpty else { throw DataError("\(path): no characters listed") }
    return names
  }

  /// Fisher–Yates with SplitMix64: for i = n−1 down to 1, j = ⌊r·(i+1)/2^64⌋
  /// for the next 64-bit output r, then swap items i and j.
  static func shuffle(_ items: [String], seed: UInt64) -> [String] {
    var items = items
    var state = seed
    var i = items.count - 1
    while i > 0 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      z ^= z >> 31
      let j = Int(z.multipliedFullWidth(by: UInt64(i + 1)).high)
      items.swapAt(i, j)
      i -= 1
    }
    return items
  }
}
