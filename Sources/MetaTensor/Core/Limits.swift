// The tensor runtime's limits, in one table: each bounds what a shape, a file or
// a request may ask for, so that hostile or mistaken input ends in a
// `TensorError` instead of a crash. (The language's own limits are in
// MetaLang's Limits.swift.)

extension Tensor {
  /// Upper bound on elements per tensor (8 GiB of Float32): larger requests
  /// are almost always a bug and would otherwise abort the process in malloc.
  public static let maxElementCount = 1 << 31

  /// Most axes a tensor may have: NumPy's limit (`NPY_MAXDIMS`, 64 since NumPy 2).
  /// Code that walks a tensor axis by axis (printing, `tolist`, nested lists
  /// freed level by level) recurses once per axis, so rank must stay small;
  /// real models use 4 or 5.
  public static let maxRank = 64
}

extension SafetensorsFile {
  /// The reference implementation's bound on the JSON header.
  static let maxHeaderLength: UInt64 = 100_000_000
  /// Nesting of the JSON header: `{"name": {"shape": [..]}, "__metadata__": {..}}`
  /// needs 3 levels; the margin admits harmless extensions, not hostile depth.
  static let maxHeaderDepth = 8
}

extension NpyFile {
  /// NumPy refuses headers above 10 000 bytes by default; allow more, but not absurd.
  static let maxHeaderLength = 1 << 20
}

/// Throws unless `rank` axes are within `Tensor.maxRank`, naming `op`.
func checkRank(_ rank: Int, op: String) throws {
  guard rank <= Tensor.maxRank else {
    throw TensorError("\(op): \(rank) dimensions (at most \(Tensor.maxRank) are supported)")
  }
}
