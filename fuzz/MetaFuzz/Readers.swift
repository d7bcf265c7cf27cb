// The file-reader targets. Besides not trapping, what a reader accepts must make
// sense: a decoded tensor survives being written and read back bit for bit, and
// pixels lie in [0, 1] before and after resizing.

import MetaData
import MetaTensor

enum Readers {
  /// Entries inflated per archive, and the size each may claim: a 4 KB input can
  /// still describe an archive of bombs.
  static let maxZipEntries = 16, maxEntryBytes = 1 << 22

  static func npy(_ bytes: [UInt8]) {
    guard let tensor = try? NpyFile.decode(bytes, name: "fuzz.npy") else { return }
    let again: Tensor
    do { again = try NpyFile.decode(NpyFile.encode(tensor), name: "re-encoded.npy") } catch {
      fatalError("npy: a decoded \(tensor.shape) tensor does not read back once written: \(error)")
    }
    guard same(tensor, again) else { fatalError("npy: a decoded \(tensor.shape) tensor changed in a round trip") }
  }

  static func safetensors(_ bytes: [UInt8]) {
    guard let contents = try? SafetensorsFile.decode(bytes, name: "fuzz.safetensors") else { return }
    let again: SafetensorsFile.Contents
    do {
      let encoded = try SafetensorsFile.encode(contents.tensors, metadata: contents.metadata, name: "re-encoded")
      again = try SafetensorsFile.decode(encoded, name: "re-encoded.safetensors")
    } catch {
      fatalError("safetensors: decoded tensors \(contents.tensors.map(\.name)) do not read back once written: \(error)")
    }
    // Writing sorts the tensors by name; compare them by name.
    let before = Dictionary(contents.tensors.map { ($0.name, $0.tensor) }, uniquingKeysWith: { a, _ in a })
    guard before.count == contents.tensors.count, again.tensors.count == before.count, again.metadata == contents.metadata,
      again.tensors.allSatisfy({ t in before[t.name].map { same($0, t.tensor) } ?? false })
    else { fatalError("safetensors: tensors \(contents.tensors.map(\.name)) changed in a round trip") }
  }

  static func png(_ bytes: [UInt8], name: String) {
    guard let image = try? PNG.decode(bytes, name: name) else { return }
    guard image.width > 0, image.height > 0, image.pixels.count == image.width * image.height,
      image.pixels.allSatisfy({ $0 >= 0 && $0 <= 1 })
    else { fatalError("png: a \(image.width)×\(image.height) image decoded to \(image.pixels.count) pixels outside [0, 1]") }
    guard let resize = try? AreaResize(inWidth: image.width, inHeight: image.height, outWidth: 28, outHeight: 28),
      let small = try? resize(image)
    else { return }
    // An area average of values in [0, 1] stays there, up to rounding.
    guard small.pixels.allSatisfy({ $0 >= -1e-5 && $0 <= 1 + 1e-5 }) else {
      fatalError("png: resizing a \(image.width)×\(image.height) image gave pixels outside [0, 1]")
    }
  }

  static func zip(_ bytes: [UInt8]) {
    guard let archive = try? ZipArchive(bytes: bytes, name: "fuzz.zip") else { return }
    for entry in archive.entries.prefix(maxZipEntries) {
      guard let data = try? archive.contents(of: entry, limit: maxEntryBytes) else { continue }
      guard data.count == entry.size else {
        fatalError("zip: entry '\(entry.name)' claims \(entry.size) bytes, inflated to \(data.count)")
      }
      if entry.name.hasSuffix(".png") { png(data, name: entry.name) }
    }
  }

  /// Same dtype, same shape and the same bits in every element (NaNs included).
  private static func same(_ a: Tensor, _ b: Tensor) -> Bool {
    guard a.dtype == b.dtype, a.shape == b.shape else { return false }
    switch a.dtype {
    case .float32: return a.elements(as: Float.self).map(\.bitPattern) == b.elements(as: Float.self).map(\.bitPattern)
    case .float64: return a.elements(as: Double.self).map(\.bitPattern) == b.elements(as: Double.self).map(\.bitPattern)
    case .int64: return a.elements(as: Int64.self) == b.elements(as: Int64.self)
    case .bool: return a.elements(as: Bool.self) == b.elements(as: Bool.self)
    }
  }
}
