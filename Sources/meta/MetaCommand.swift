// The `meta` command line: `meta [options] [file [args...]]`, `meta -e source`,
// `meta check files...`, and the REPL when there is nothing to run.

import ArgumentParser
import Foundation
import MetaLang

/// The program's entry point and top-level help.
@main
struct MetaCommand: ParsableCommand {
  static let version = "meta 0.1.0"

  static let configuration = CommandConfiguration(
    commandName: "meta",
    abstract: "Run Meta scripts, or start the interactive REPL.",
    usage: """
      meta [--seed <n>] [--threads <n>] [--quiet] [<file> [<arguments> ...]]
      meta [--seed <n>] [--threads <n>] [--quiet] -e <source> [<arguments> ...]
      meta check <file> ...
      """,
    discussion: """
      With no file, meta starts the REPL (:help there lists its commands).
      Everything after the file belongs to the script, options included, and is
      visible to it as `args`. A script named like a subcommand runs as ./check.

        -e, --eval <source>  Run <source> like a script file named "<string>"
                             (its final value is not printed).
        --seed <n>           Seed the random stream (default: a fixed seed).
        --threads <n>        Threads the tensor kernels may use (default: all
                             cores; at least 1).
        --max-memory <size>  Bytes of tensors held at once, as 4G, 512M or a
                             number; none for no limit (default: 3/4 of the
                             memory available to the process). Past it, making
                             a tensor is an "out of memory" error.
        -q, --quiet          Show no progress bars. They go to standard error
                             (with eprint's lines), never to standard output:
                             meta train.meta > out.txt keeps only what the
                             script printed.
        --print-all-ranks    Under mpirun (mpirun -np N meta train.meta, see
                             docs/distributed.md), let every rank print; by
                             default only rank 0 prints and shows progress,
                             and other ranks show only their errors.

      Exit status: 0 on success; 1 after any error, which is shown on standard
      error as file:line:column: error: message, then the source line with a
      caret and the call stack; 130 when stopped by Ctrl-C; 64 for a malformed
      command line.
      """,
    version: version,
    subcommands: [RunCommand.self, CheckCommand.self],
    defaultSubcommand: RunCommand.self)

  static func main() {
    main(CommandLineArguments.normalize(Array(CommandLine.arguments.dropFirst())))
  }
}

/// Options shared by every mode.
struct SessionOptions: ParsableArguments {
  @Option(help: ArgumentHelp("Seed the random stream.", valueName: "n"))
  var seed: UInt64?

  @Option(help: ArgumentHelp("Threads the tensor kernels may use (at least 1).", valueName: "n"))
  var threads: Int?

  @Option(help: ArgumentHelp(
    "Bytes of tensors held at once: 4G, 512M, a number, or none (default: 3/4 of the available memory).",
    valueName: "size"))
  var maxMemory: MemoryLimit?

  @Flag(name: [.customShort("q"), .long], help: "Show no progress bars (fit's included).")
  var quiet = false

  @Flag(help: "Under mpirun, let every rank print (by default only rank 0 prints and shows progress).")
  var printAllRanks = false

  func validate() throws {
    if let threads, threads < 1 {
      throw ValidationError("--threads must be at least 1 (got \(threads))")
    }
  }
}

/// Runs a file, `-e` source, or the REPL. Hidden: the default when no subcommand is named.
struct RunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run", abstract: "Run a script, -e source, or the REPL.", shouldDisplay: false)

  @OptionGroup var options: SessionOptions

  @Option(name: [.customShort("e"), .customLong("eval")], help: ArgumentHelp(
    "Run <source> as a script.", valueName: "source"))
  var source: String?

  @ArgumentParser.Argument(help: "The script to run (none: start the REPL).")
  var file: String?

  @ArgumentParser.Argument(parsing: .remaining, help: "Arguments for the script, visible to it as `args`.")
  var arguments: [String] = []

  func run() throws {
    let status: Int32
    let job = Job.start()
    if let source {
      let session = Session(options: options, arguments: (file.map { [$0] } ?? []) + arguments,
                            idleInterrupt: .exit)
      if let job { Job.attach(job, to: session, allRanks: options.printAllRanks, threads: options.threads) }
      status = ScriptRunner.runSource(source, session: session)
    } else if let file {
      let session = Session(options: options, arguments: arguments, idleInterrupt: .exit)
      if let job { Job.attach(job, to: session, allRanks: options.printAllRanks, threads: options.threads) }
      status = ScriptRunner.runFile(file, session: session)
    } else if let job {
      writeToStandardError("meta: error: the REPL cannot run under an MPI launcher; give a script (mpirun -np \(job.size) meta train.meta)\n")
      job.abort(code: ExitStatus.usage)
    } else {
      status = REPL.start(options: options)
      if status != ExitStatus.success { throw ExitCode(status) }
      return
    }
    if let job { Job.finish(job, status: status) }
    // The runner has flushed the output: end here, without tearing down the
    // interpreter and everything the script built (the system reclaims it faster).
    Foundation.exit(status)
  }
}

/// `meta check FILE...`: parse and resolve only.
struct CheckCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check",
    abstract: "Parse and resolve files without running them; report every error, undefined names included (exit 1 if any).")

  @OptionGroup var options: SessionOptions

  @ArgumentParser.Argument(help: "The files to check.")
  var files: [String]

  func run() throws {
    let session = Session(options: options, arguments: [], idleInterrupt: .exit)
    let status = ScriptRunner.check(files, session: session)
    if status != ExitStatus.success { throw ExitCode(status) }
  }
}

/// Rewrites the raw arguments so that the argument parser treats everything
/// from the script file on as the script's own (`meta x.meta --full` must not
/// reject `--full`), while `meta [options] check ...` still selects `check`.
enum CommandLineArguments {
  /// Options of `meta` itself that take a separate value.
  static let optionsWithValue: Set<String> = ["-e", "--eval", "--seed", "--threads", "--max-memory"]
  static let subcommands: Set<String> = ["check", "help"]

  static func normalize(_ arguments: [String]) -> [String] {
    var i = 0
    while i < arguments.count {
      let argument = arguments[i]
      if argument == "--" { return arguments }
      if optionsWithValue.contains(argument) { i += 2; continue }
      if argument.hasPrefix("-") && argument != "-" { i += 1; continue }
      // The first positional argument: a subcommand moves to the front (options
      // before it then apply to it); anything else is the script, and `--`
      // before it ends option parsing.
      var rest = arguments
      if subcommands.contains(argument) {
        rest.remove(at: i)
        return [argument] + rest
      }
      rest.insert("--", at: i)
      return rest
    }
    return arguments
  }
}
