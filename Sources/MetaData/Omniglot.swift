// The Omniglot few-shot dataset: decoded images (from the cache when it is
// current), the split's characters, and one class per character and rotation.

import MetaTensor

/// Options of `Omniglot.load`; the defaults are the ProtoNets protocol at 28×28.
public struct OmniglotOptions: Sendable {
  /// Directory holding `images_background.zip` and `images_evaluation.zip`.
  public var root: String
  public var split: OmniglotSplit = .train
  /// Side of the square images, 1...105 (the drawings are 105×105).
  public var size: Int = 28
  /// Each character also appears rotated by 90°, 180° and 270° as three more classes.
  public var rotations: Bool = true
  public var scheme: OmniglotProtocol = .vinyals
  /// Seed of the `maml` split's shuffle (unused by `vinyals`).
  public var seed: UInt64 = 0
  /// Directory of the decoded-image cache; nil: no cache.
  public var cacheDirectory: String?
  /// Asked between images while decoding (from the pool's threads); true stops the
  /// load with `DataCancelled`, so Ctrl-C or a time limit need not wait for 32,000 PNGs.
  public var isCancelled: @Sendable () -> Bool = { false }

  public init(root: String) { self.root = root }
}

/// The loaded split: `x` [N, 1, size, size] and a label per row.
public struct OmniglotData {
  /// Images, ink = 1 on a 0 background, values in [0, 1].
  public let x: Tensor
  /// Class of each row, 0..<classNames.count; drawings of a class are consecutive.
  public let labels: [Int]
  /// `Alphabet/characterNN/rotDDD` of each class (the split files' notation).
  public let classNames: [String]
  /// True when the images came from the cache rather than the archives.
  public let fromCache: Bool
}

/// The Omniglot loader.
public enum Omniglot {
  /// Largest image side: the drawings are 105×105 and the loader only downsamples.
  public static let maxSize = 105

  /// All decoded images at `size`, from the cache in `cacheDirectory` when it
  /// matches the archives, else decoded (and then cached). A cache that cannot
  /// be written is an error only when `cacheErrors` is set.
  public static func images(
    root: String, size: Int, cacheDirectory: String?, cacheErrors: Bool = true,
    isCancelled: @Sendable () -> Bool = { false }
  ) throws
    -> (images: OmniglotImages, fromCache: Bool)
  {
    guard (1...maxSize).contains(size) else {
      throw DataError("omniglot: size must be in 1...\(maxSize) (got \(size))")
    }
    guard let cacheDirectory else {
      return (try OmniglotImages.decode(root: root, size: size, isCancelled: isCancelled), false)
    }
    let key = try OmniglotFiles.cacheKey(root: root, size: size)
    if let cached = OmniglotFiles.loadCache(directory: cacheDirectory, key: key, size: size) { return (cached, true) }
    let images = try OmniglotImages.decode(root: root, size: size, isCancelled: isCancelled)
    do { try OmniglotFiles.storeCache(images, directory: cacheDirectory, key: key) } catch where !cacheErrors {}
    return (images, false)
  }

  /// The dataset `options` describe. Classes follow the split's character
  /// order; with rotations each character gives four consecutive classes
  /// (0°, 90°, 180°, 270° counter-clockwise).
  public static func load(_ options: OmniglotOptions, cacheErrors: Bool = true) throws -> OmniglotData {
    let (images, fromCache) = try images(
      root: options.root, size: options.size, cacheDirectory: options.cacheDirectory, cacheErrors: cacheErrors,
      isCancelled: options.isCancelled)
    let names = try OmniglotSplits.characters(
      options.split, scheme: options.scheme, seed: options.seed, root: options.root, available: images.characters)
    guard !names.isEmpty else {
      throw DataError("omniglot: split '\(options.split.rawValue)' of protocol '\(options.scheme.rawValue)' has no characters")
    }
    var index = [String: Int]()
    for (i, name) in images.characters.enumerated() { index[name] = i }
    let starts = images.firstImage
    let turns = options.rotations ? 4 : 1
    let area = images.size * images.size
    var sources = [(character: Int, quarters: Int)]()
    for name in names {
      guard let c = index[name] else { throw DataError("omniglot: character '\(name)' is not in the archives") }
      for q in 0..<turns { sources.append((c, q)) }
    }
    let rows = sources.reduce(0) { $0 + images.counts[$1.character] }
    guard rows <= Tensor.maxElementCount / area else { throw DataError("omniglot: dataset too large") }
    var labels = [Int]()
    labels.reserveCapacity(rows)
    let pixels = [Float](unsafeUninitializedCapacity: rows * area) { out, initialized in
      images.pixels.withUnsafeBufferPointer { src in
        guard let s = src.baseAddress, let d = out.baseAddress else { return }
        var row = 0
        for (label, source) in sources.enumerated() {
          for k in 0..<images.counts[source.character] {
            QuarterTurn.rotate(s + (starts[source.character] + k) * area, into: d + row * area,
                               n: images.size, quarters: source.quarters)
            labels.append(label)
            row += 1
          }
        }
      }
      initialized = rows * area
    }
    let x = try Tensor(shape: [rows, 1, images.size, images.size], scalars: pixels)
    let classNames = sources.map { images.characters[$0.character] + "/rot" + ["000", "090", "180", "270"][$0.quarters] }
    return OmniglotData(x: x, labels: labels, classNames: classNames, fromCache: fromCache)
  }
}
