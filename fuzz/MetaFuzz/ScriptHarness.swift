// The interpreter-backed targets: Meta source (`lang`) and `load_csv` (`csv`).
// One interpreter serves many inputs (building one runs the whole prelude); each
// input starts from the same random seed and without the globals the last one made.

import Foundation
import MetaLang

final class ScriptHarness {
  /// Bounds per input: enough for the seed scripts' quick paths, small enough that a
  /// runaway loop costs a fraction of a second, not a libFuzzer timeout.
  /// 256 MB of tensors: allocation-heavy inputs end in a catchable `out of memory`
  /// limit error long before libFuzzer's -rss_limit_mb.
  static let limits = Interpreter.Limits(maxSteps: 100_000, maxSeconds: 0.1, maxMemory: 256 << 20)
  /// Inputs between fresh interpreters, so state an input leaves where clearing globals
  /// does not reach (loaded modules, the prelude's `var`s) cannot pile up for long.
  static let inputsPerInterpreter = 1_000

  private var interpreter = ScriptHarness.makeInterpreter()
  private var inputs = 0
  /// A private directory for the file `load_csv` reads, made by the first CSV input
  /// and removed on deinit.
  private var directory: String?

  deinit {
    if let directory { try? FileManager.default.removeItem(atPath: directory) }
  }

  private static func makeInterpreter() -> Interpreter {
    let interpreter = Interpreter(output: { _ in })
    interpreter.limits = limits
    return interpreter
  }

  /// Runs `source` as a script and returns its value; errors are rendered (as the
  /// CLI does) and give nil.
  @discardableResult
  func evaluate(_ source: String) -> Value? {
    if inputs > 0 && inputs % ScriptHarness.inputsPerInterpreter == 0 {
      interpreter = ScriptHarness.makeInterpreter()
    }
    inputs += 1
    interpreter.random.seed(RandomStream.defaultSeed)
    // Setting a global to nil removes the script's own definition (builtins stay).
    defer { for name in interpreter.globalNames { interpreter[global: name] = nil } }
    do {
      return try interpreter.evaluate(source, name: "<fuzz>")
    } catch let error as MetaError {
      _ = error.render()
    } catch {
      _ = "\(error)"
    }
    return nil
  }

  /// Reads `bytes` as a CSV file every way `load_csv` offers.
  func loadCSV(_ bytes: [UInt8]) {
    let directory = self.directory ?? NSTemporaryDirectory() + "meta-fuzz-\(getpid())-\(UUID().uuidString)"
    if self.directory == nil {
      try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
      self.directory = directory
    }
    let csvPath = directory + "/input.csv"
    // Not FileManager.createFile: it syncs the file to disk, 10 ms an input.
    do { try Data(bytes).write(to: URL(fileURLWithPath: csvPath)) } catch {
      fatalError("meta-fuzz: cannot write \(csvPath): \(error)")
    }
    let path = "\"\(csvPath)\""
    // The last line checks that the tensor and the dataset read the same rows.
    let consistent = evaluate("""
      let t = try { load_csv(\(path), header: false) } catch e { nil }
      let h = try { load_csv(\(path)) } catch e { nil }
      let first = try { load_csv(\(path), label: 0) } catch e { nil }
      let last = try { load_csv(\(path), label: -1, header: false) } catch e { nil }
      type(last) != "Dataset" or (type(t) == "Tensor" and last.count == t.shape[0] and last.x.shape[1] == t.shape[1] - 1)
      """)
    if case .bool(false)? = consistent {
      fatalError("csv: load_csv read different rows as a tensor and as a dataset")
    }
  }
}
