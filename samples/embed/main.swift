// Embedding Meta in a Swift program: run `swift run embed-example`.
//
// The host creates an interpreter whose output it captures and whose modules
// it serves from memory, gives scripts a native function and a global, runs a
// script, reads a result back, and sees how errors and limits reach Swift.

import Foundation
import MetaLang

/// Everything the scripts print, collected by the host instead of going to stdout.
final class Transcript {
  var text = ""
}

/// An error a native function throws; scripts see its description as the message.
struct HostError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

/// Modules served from the host's memory instead of files: `import units`.
/// (Names it does not have fall back to the stdlib embedded in MetaLang.)
struct MemoryModules: ModuleLoader {
  let modules: [String: String]

  func module(named name: String) throws -> ModuleSource? {
    modules[name].map { ModuleSource(key: name, name: "<host>/\(name).meta", text: $0) }
  }

  /// This host has no files: `import "path" as x` finds nothing.
  func module(atPath path: String, from directory: String?) throws -> ModuleSource? { nil }
}

/// Reads a number argument, accepting Ints and Floats as Meta does.
func number(_ value: Value, named name: String) throws -> Double {
  switch value {
  case .int(let i): return Double(i)
  case .float(let d): return d
  default: throw HostError("\(name) must be a number, not \(value.typeName)")
  }
}

func demo() throws {
  let transcript = Transcript()
  let loader = MemoryModules(modules: ["units": "let unit = \"cm\"\nfn label(x) { \"{x} {unit}\" }\n"])
  let interpreter = Interpreter(loader: loader, output: { transcript.text += $0 })
  // Tensor kernels use one thread while this interpreter evaluates.
  interpreter.threads = 1

  // A native function: hypot(x, y, scale: 1.0). Named arguments arrive by label.
  interpreter.register("hypot") { arguments in
    guard arguments.positional.count == 2 else {
      throw HostError("hypot takes 2 positional arguments (got \(arguments.positional.count))")
    }
    var scale = 1.0
    for (label, value) in arguments.named {
      guard label == "scale" else { throw HostError("hypot has no argument named '\(label)'") }
      scale = try number(value, named: "scale")
    }
    let x = try number(arguments.positional[0], named: "x")
    let y = try number(arguments.positional[1], named: "y")
    return .float((x * x + y * y).squareRoot() * scale)
  }

  // A global the script can read.
  interpreter[global: "scale"] = .int(2)

  // The script calls the native function; its error is catchable in Meta.
  try interpreter.evaluate(
    """
    import units
    let d = hypot(3, 4, scale: scale)
    print("distance: {units.label(d)}")
    let message = try { hypot("three", 4) } catch err { err.message }
    print("caught in Meta: {message}")
    """, name: "host.meta")
  print(transcript.text, terminator: "")

  // Reading a global back into Swift.
  if case .float(let d)? = interpreter[global: "d"] {
    print("read back in Swift: d = \(d)")
  }

  // An uncaught error reaches Swift as a MetaError with location and source line.
  do {
    try interpreter.evaluate("hypot(1)", name: "bad.meta")
  } catch let error as MetaError {
    print("caught in Swift:\n\(error.render())")
  }

  // A step limit stops a runaway script with a `limit` error.
  interpreter.limits = Interpreter.Limits(maxSteps: 100_000)
  do {
    try interpreter.evaluate("var n = 0\nwhile true { n += 1 }", name: "loop.meta")
    print("the loop ended?")
  } catch let error as MetaError where error.kind == .limit {
    print("stopped by the step limit: \(error.message)")
  }
}

do {
  try demo()
} catch {
  print("unexpected error: \(error)")
  exit(1)
}
