// The fuzzing binary (docs/fuzzing.md). scripts/fuzz builds it with
// `-sanitize=fuzzer -DFUZZING`: it is then a libFuzzer driver over the target that
// META_FUZZ_TARGET names (default `lang`). A plain `swift build` makes a replayer:
// `META_FUZZ_TARGET=npy meta-fuzz FILE...` runs each file once, without libFuzzer.
// Either build writes a target's generated seeds (`--seeds DIR`) and its
// dictionary (`--dictionary`).

import Foundation
import MetaFuzz

#if FUZZING
/// libFuzzer's entry for programs that keep their own `main`.
@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
  _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
  _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt
#endif

/// The runner libFuzzer's callback feeds: a C function pointer cannot capture it.
nonisolated(unsafe) private var runner: FuzzRunner?

@main
enum MetaFuzzMain {
  static func main() {
    let name = ProcessInfo.processInfo.environment["META_FUZZ_TARGET"] ?? "lang"
    guard let target = FuzzTarget(rawValue: name) else {
      fail("META_FUZZ_TARGET=\(name) is not a target (\(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")))")
    }
    let arguments = Array(CommandLine.arguments.dropFirst())
    if arguments.first == "--dictionary" {
      print(FuzzSeeds.dictionary(for: target), terminator: "")
      return
    }
    if arguments.first == "--seeds", arguments.count == 2 {
      for (file, bytes) in FuzzSeeds.files(for: target) {
        guard FileManager.default.createFile(atPath: arguments[1] + "/" + file, contents: Data(bytes)) else {
          fail("cannot write \(arguments[1])/\(file)")
        }
      }
      return
    }
    #if FUZZING
    // Swift's backtracer would take the crash signals libFuzzer needs to save the
    // input: run again without it.
    if ProcessInfo.processInfo.environment["SWIFT_BACKTRACE"] == nil {
      setenv("SWIFT_BACKTRACE", "enable=no", 1)
      execv("/proc/self/exe", CommandLine.unsafeArgv)
      fail("cannot re-run itself with SWIFT_BACKTRACE=enable=no: \(String(cString: strerror(errno)))")
    }
    runner = FuzzRunner(target)
    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in
      runner?.run(size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
      return 0
    })
    #else
    guard !arguments.isEmpty, !arguments[0].hasPrefix("-") else {
      fail("usage: META_FUZZ_TARGET=<target> meta-fuzz FILE... | --seeds DIR | --dictionary")
    }
    runner = FuzzRunner(target)
    for path in arguments {
      guard let data = FileManager.default.contents(atPath: path) else { fail("cannot read \(path)") }
      runner?.run([UInt8](data))
      print("\(target.rawValue): \(path): returned")
    }
    #endif
  }

  static func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("meta-fuzz: \(message)\n".utf8))
    exit(2)
  }
}
