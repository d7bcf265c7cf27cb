/// Loading and saving named tensors in whichever format a path names.
public enum TensorIO {
  /// The formats MetaTensor reads and writes.
  public enum Format: Sendable {
    case npy, safetensors
  }

  /// The format for a path's extension (`.npy`, `.safetensors`), or nil.
  public static func format(forPath path: String) -> Format? {
    let lower = path.lowercased()
    if lower.hasSuffix(".npy") { return .npy }
    if lower.hasSuffix(".safetensors") { return .safetensors }
    return nil
  }

  /// Every tensor in the file, each in the dtype its kind reads as (see
  /// `ElementType`): a `.npy` file gives one tensor named `""`.
  /// The format is recognised from the content (a `.npy` magic number), then the extension.
  public static func load(_ path: String) throws -> [(name: String, tensor: Tensor)] {
    let bytes = try AtomicFile.read(path)
    if bytes.starts(with: [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]) || format(forPath: path) == .npy {
      return [("", try NpyFile.decode(bytes, name: path))]
    }
    guard format(forPath: path) == .safetensors else {
      throw TensorError("\(path): unknown tensor file format (expected .npy or .safetensors)")
    }
    return try SafetensorsFile.decode(bytes, name: path).tensors
  }

  /// Writes tensors atomically in the format of the path's extension, each in
  /// its dtype. A `.npy` file holds exactly one tensor (its name is not stored).
  public static func save(_ tensors: [(name: String, tensor: Tensor)], to path: String,
                          metadata: [String: String] = [:]) throws {
    switch format(forPath: path) {
    case .npy?:
      guard tensors.count == 1, let only = tensors.first else {
        throw TensorError("\(path): a .npy file holds exactly one tensor, got \(tensors.count)")
      }
      guard metadata.isEmpty else { throw TensorError("\(path): a .npy file cannot hold metadata") }
      try NpyFile.write(only.tensor, to: path)
    case .safetensors?:
      try SafetensorsFile.write(tensors, to: path, metadata: metadata)
    case nil:
      throw TensorError("\(path): unknown tensor file format (expected .npy or .safetensors)")
    }
  }
}
