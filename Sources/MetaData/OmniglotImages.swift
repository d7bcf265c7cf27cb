// Every Omniglot drawing, decoded from the two upstream archives and resized:
// the split-independent part of the loader, and what the cache stores.

import MetaKernels

/// All drawings of all characters, unrotated, `size`×`size`, ink = 1.
///
/// Characters are named `Alphabet/characterNN` and ordered as the archives'
/// sorted entry names: the 964 of `images_background.zip`, then the 659 of
/// `images_evaluation.zip`. Each character's drawings are consecutive, in file
/// name order (`IIII_01.png` ... `IIII_20.png`).
public struct OmniglotImages: Sendable {
  /// The archives read, in this order, from the root directory.
  public static let archiveNames = ["images_background", "images_evaluation"]
  /// Side of the decoded square images.
  public let size: Int
  /// `Alphabet/characterNN` of every character.
  public let characters: [String]
  /// Drawings of each character (20 in Omniglot).
  public let counts: [Int]
  /// `counts.reduce(0, +)` images of `size × size` Float32s, row-major, each
  /// pixel 1 − (PNG grey / max): 1 on the strokes, 0 on the background.
  public let pixels: [Float]

  /// Index of each character's first image.
  public var firstImage: [Int] {
    var starts = [Int](), total = 0
    for c in counts {
      starts.append(total)
      total += c
    }
    return starts
  }

  /// Checks the counts, names and pixel count agree.
  public init(size: Int, characters: [String], counts: [Int], pixels: [Float]) throws {
    // Each count is at most the number of pixels, so the sum cannot overflow.
    guard size > 0, size <= 1 << 15, characters.count == counts.count,
      counts.allSatisfy({ $0 > 0 && $0 <= pixels.count }),
      counts.reduce(0, +).multipliedReportingOverflow(by: size * size) == (pixels.count, false)
    else { throw DataError("omniglot: inconsistent image set (\(characters.count) characters, \(pixels.count) pixels)") }
    self.size = size
    self.characters = characters
    self.counts = counts
    self.pixels = pixels
  }

  /// Largest PNG accepted inside an archive (Omniglot's are under 1 KB).
  static let maxPNGBytes = 1 << 24

  /// Decodes both archives under `root` into `size`×`size` images, over the
  /// shared thread pool; `isCancelled` is asked between images.
  public static func decode(
    root: String, size: Int, isCancelled: @Sendable () -> Bool = { false }
  ) throws -> OmniglotImages {
    var jobs = [(archive: ZipArchive, entry: ZipEntry)]()
    var characters = [String](), counts = [Int]()
    var seen = Set<String>()
    for stem in archiveNames {
      let archive = try ZipArchive(path: OmniglotFiles.archivePath(root: root, stem: stem))
      var found = 0
      let pngs = archive.entries.filter { !$0.isDirectory && $0.name.hasSuffix(".png") }
        .sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
      for entry in pngs {
        let parts = entry.name.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == stem, !parts[1].isEmpty, !parts[2].isEmpty else {
          throw DataError("\(archive.name): unexpected entry '\(entry.name)' (expected \(stem)/<alphabet>/<character>/<drawing>.png)")
        }
        let character = "\(parts[1])/\(parts[2])"
        if characters.last == character {
          counts[counts.count - 1] += 1
        } else {
          guard seen.insert(character).inserted else {
            throw DataError("\(archive.name): character '\(character)' appears twice in the archives")
          }
          characters.append(character)
          counts.append(1)
        }
        jobs.append((archive, entry))
        found += 1
      }
      guard found > 0 else {
        throw DataError("\(archive.name): no images (expected entries \(stem)/<alphabet>/<character>/<drawing>.png)")
      }
    }
    let pixels = try decodeAll(jobs, size: size, isCancelled: isCancelled)
    return try OmniglotImages(size: size, characters: characters, counts: counts, pixels: pixels)
  }

  /// Decodes and resizes every job's PNG into its slot, in parallel chunks;
  /// throws the error of the first failing image (in job order), or DataCancelled.
  private static func decodeAll(
    _ jobs: [(archive: ZipArchive, entry: ZipEntry)], size: Int, isCancelled: @Sendable () -> Bool
  ) throws -> [Float] {
    let area = size * size
    let chunkCount = min(jobs.count, 64)
    // Each chunk's failure: a DataError, or DataCancelled.
    var errors = [(any Error)?](repeating: nil, count: chunkCount)
    let pixels = [Float](unsafeUninitializedCapacity: jobs.count * area) { buffer, initialized in
      buffer.initialize(repeating: 0)
      initialized = jobs.count * area
      guard let base = buffer.baseAddress else { return }
      errors.withUnsafeMutableBufferPointer { errorSlots in
        ThreadPool.shared.parallelFor(count: chunkCount) { chunk in
          let start = jobs.count * chunk / chunkCount, end = jobs.count * (chunk + 1) / chunkCount
          do {
            var plan: AreaResize?
            var scratch = [Float]()
            for j in start..<end {
              if isCancelled() { throw DataCancelled() }
              let (archive, entry) = jobs[j]
              let bytes = try archive.contents(of: entry, limit: maxPNGBytes)
              // Ink = 1: the PNGs draw black strokes on white.
              let image = try PNG.decode(bytes, name: "\(archive.name): \(entry.name)", invert: true)
              if plan?.inWidth != image.width || plan?.inHeight != image.height {
                plan = try AreaResize(inWidth: image.width, inHeight: image.height, outWidth: size, outHeight: size)
                scratch = [Float](repeating: 0, count: plan?.scratchCount ?? 0)
              }
              guard let plan else { continue }
              image.pixels.withUnsafeBufferPointer { src in
                scratch.withUnsafeMutableBufferPointer { tmp in
                  guard let s = src.baseAddress, let t = tmp.baseAddress else { return }
                  plan.apply(s, into: base + j * area, scratch: t)
                }
              }
              // Rounding can leave a full-ink average a few ulps above 1.
              let out = base + j * area
              for i in 0..<area where out[i] > 1 { out[i] = 1 }
            }
          } catch let error as DataError {
            errorSlots[chunk] = error
          } catch let error as DataCancelled {
            errorSlots[chunk] = error
          } catch {
            errorSlots[chunk] = DataError("\(error)")
          }
        }
      }
    }
    if let first = errors.compactMap({ $0 }).first { throw first }
    return pixels
  }
}
