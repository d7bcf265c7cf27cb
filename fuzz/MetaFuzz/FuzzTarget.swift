// The fuzzing entry points (docs/fuzzing.md): each target takes arbitrary bytes
// and must return. An error is a correct answer; a trap (a Swift runtime error,
// a failed check below, a sanitizer report) is a finding. Shared by the libFuzzer
// binary (fuzz/meta-fuzz) and the regression replay test (Tests/MetaFuzzTests).

/// What one fuzz input is fed to.
public enum FuzzTarget: String, CaseIterable, Sendable {
  /// Meta source text, evaluated by an `Interpreter` under step and time limits.
  case lang
  /// `.npy` bytes through `NpyFile.decode`; what decodes must survive encode and decode.
  case npy
  /// `.safetensors` bytes through `SafetensorsFile.decode`, with the same round trip.
  case safetensors
  /// A CSV file through `load_csv`: as a tensor, with a header, and as labelled datasets.
  case csv
  /// PNG bytes through `PNG.decode`, then resized to 28×28 as the Omniglot loader does.
  case png
  /// A zip archive through `ZipArchive`: every entry inflated, `.png` entries decoded.
  case zip
}

/// Runs inputs for one target, keeping what is costly to build (an interpreter)
/// from one input to the next.
public final class FuzzRunner {
  public let target: FuzzTarget
  private lazy var scripts = ScriptHarness()

  public init(_ target: FuzzTarget) { self.target = target }

  /// Feeds `bytes` to the target; returns unless the code under test traps.
  public func run(_ bytes: [UInt8]) {
    switch target {
    case .lang: scripts.evaluate(String(decoding: bytes, as: UTF8.self))
    case .csv: scripts.loadCSV(bytes)
    case .npy: Readers.npy(bytes)
    case .safetensors: Readers.safetensors(bytes)
    case .png: Readers.png(bytes, name: "fuzz.png")
    case .zip: Readers.zip(bytes)
    }
  }
}
