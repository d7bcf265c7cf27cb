// Questions about files a script may ask before reading or writing them.

import Foundation

extension Builtins {
  static func fileBuiltins() -> [Builtin] {
    [
      // `exists(path)`: whether a file or directory is there (fit's resumable checkpoints).
      Builtin("exists") { args in
        try args.expect(1)
        guard case .string(let path) = args[0] else { throw args.bad(0, "String") }
        return .bool(FileManager.default.fileExists(atPath: path))
      }
    ]
  }
}
