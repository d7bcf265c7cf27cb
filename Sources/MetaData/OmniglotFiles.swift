// Where the Omniglot loader finds its inputs and keeps its cache, and the
// cache itself: one .safetensors file per image size, keyed by the archives'
// sizes and modification times.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import MetaTensor

/// Paths, file identities and the decoded-image cache of the Omniglot loader.
public enum OmniglotFiles {
  /// Bumped whenever decoding or resizing changes, so old caches are rebuilt.
  static let cacheFormat = "meta-omniglot-1 area ink=1"

  /// `root/<stem>.zip`, after checking `root` is a directory and the archive a file.
  static func archivePath(root: String, stem: String) throws -> String {
    guard let rootInfo = status(root) else { throw DataError("omniglot: directory '\(root)' does not exist") }
    guard rootInfo.st_mode & S_IFMT == S_IFDIR else { throw DataError("omniglot: '\(root)' is not a directory") }
    let path = join(root, stem + ".zip")
    guard let info = status(path), info.st_mode & S_IFMT == S_IFREG else {
      throw DataError(
        "omniglot: archive '\(path)' is missing (root must hold images_background.zip and "
          + "images_evaluation.zip from github.com/brendenlake/omniglot, folder python/)")
    }
    return path
  }

  /// The user cache directory: `$XDG_CACHE_HOME/meta/omniglot`, else
  /// `$HOME/.cache/meta/omniglot`; nil when neither variable is set.
  public static func defaultCacheDirectory() -> String? {
    if let xdg = environment("XDG_CACHE_HOME"), xdg.hasPrefix("/") { return join(xdg, "meta/omniglot") }
    if let home = environment("HOME") { return join(home, ".cache/meta/omniglot") }
    return nil
  }

  /// `~` and `~/x` with `$HOME` in place of the tilde; other paths unchanged.
  public static func expandingHome(_ path: String) -> String {
    guard path == "~" || path.hasPrefix("~/"), let home = environment("HOME") else { return path }
    return home + path.dropFirst()
  }

  /// Identifies the archives' current contents without reading them: their
  /// sizes and modification times (to the nanosecond), plus the image size.
  static func cacheKey(root: String, size: Int) throws -> String {
    var parts = [cacheFormat, "size=\(size)"]
    for stem in OmniglotImages.archiveNames {
      let path = try archivePath(root: root, stem: stem)
      guard let info = status(path) else { throw DataError("omniglot: cannot stat '\(path)'") }
      parts.append("\(stem)=\(info.st_size)@\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)")
    }
    return parts.joined(separator: ";")
  }

  /// The cache file for `size`×`size` images in `directory`.
  static func cachePath(directory: String, size: Int) -> String { join(directory, "omniglot-\(size)x\(size).safetensors") }

  /// The cached images, or nil when there is no cache file, it was made from
  /// other archives or options, or it cannot be read (it is then rebuilt).
  static func loadCache(directory: String, key: String, size: Int) -> OmniglotImages? {
    let path = cachePath(directory: directory, size: size)
    guard status(path) != nil, let contents = try? SafetensorsFile.readContents(path),
      contents.metadata["key"] == key, let characters = contents.metadata["characters"],
      let countsText = contents.metadata["counts"], contents.tensors.count == 1
    else { return nil }
    let counts = countsText.split(separator: ",").compactMap { Int($0) }
    let images = contents.tensors[0].tensor
    guard images.shape.count == 3, images.shape[1] == size, images.shape[2] == size else { return nil }
    return try? OmniglotImages(
      size: size, characters: characters.split(separator: "\n").map(String.init), counts: counts,
      pixels: images.scalars)
  }

  /// Writes `images` to the cache atomically, creating the directory if needed.
  static func storeCache(_ images: OmniglotImages, directory: String, key: String) throws {
    try makeDirectories(directory)
    let n = images.counts.reduce(0, +)
    let tensor = try Tensor(shape: [n, images.size, images.size], scalars: images.pixels)
    let metadata = [
      "key": key, "characters": images.characters.joined(separator: "\n"),
      "counts": images.counts.map(String.init).joined(separator: ","),
    ]
    do {
      try SafetensorsFile.write([("images", tensor)], to: cachePath(directory: directory, size: images.size),
                                metadata: metadata)
    } catch { throw DataError("omniglot: cannot write the cache: \(error)") }
  }

  /// `mkdir -p`.
  private static func makeDirectories(_ path: String) throws {
    var prefix = path.hasPrefix("/") ? "" : "."
    for part in path.split(separator: "/") {
      prefix += "/" + part
      if let info = status(prefix) {
        guard info.st_mode & S_IFMT == S_IFDIR else {
          throw DataError("omniglot: cache directory '\(path)': '\(prefix)' is not a directory")
        }
        continue
      }
      if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
        throw DataError("omniglot: cannot create cache directory '\(prefix)': \(String(cString: strerror(errno)))")
      }
    }
  }

  static func status(_ path: String) -> stat? {
    var info = stat()
    return stat(path, &info) == 0 ? info : nil
  }

  static func join(_ directory: String, _ name: String) -> String {
    directory.hasSuffix("/") ? directory + name : directory + "/" + name
  }

  private static func environment(_ name: String) -> String? {
    guard let value = getenv(name) else { return nil }
    let text = String(cString: value)
    return text.isEmpty ? nil : text
  }
}
