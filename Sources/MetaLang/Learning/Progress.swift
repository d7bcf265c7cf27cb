// `progress(total, label:, every:, quiet:)`: the progress line of a training loop,
// written to the interpreter's diagnostics (standard error under `meta`). On a
// terminal it redraws one line with `\r` (at most ten times a second); elsewhere
// (a log file, a pipe, a test) it prints a plain line every `every` steps, and
// by default also after a minute without one (a long run's log stays alive).

import Foundation
import MetaTensor

/// The progress of a loop of `total` steps. Time comes from `clock` (seconds,
/// monotonic), so tests can drive it; text goes to `write`.
final class ProgressBar {
  let total: Int
  let label: String
  /// Plain-line interval when not on a terminal.
  let every: Int
  /// Whether a plain line is also due after `quietInterval` seconds without
  /// one (when `every` was not chosen by the caller).
  let timed: Bool
  let terminal: Bool
  private let clock: () -> Double
  private let write: (String) -> Void

  private let start: Double
  private(set) var step = 0
  /// Steps done before the first update (a run resumed from a checkpoint): they
  /// took no time here, so rate and eta leave them out.
  private var skipped: Int?
  private var lastDraw = -Double.infinity
  private var lastLength = 0
  /// The step of the last plain line.
  private var lastPrinted = 0
  private var lastPrintedAt: Double
  /// Losses since the last line shown (their mean is what is shown).
  private var lossSum = 0.0
  private var lossCount = 0
  private var shownLoss: Double?
  private(set) var finished = false

  /// Seconds between two redraws on a terminal.
  static let redrawInterval = 0.1
  /// Longest silence in a log by default: a 60,000-step run prints every
  /// 6,000 steps, which can be hours apart.
  static let quietInterval = 60.0
  static let barWidth = 20

  init(total: Int, label: String, every: Int?, terminal: Bool, clock: @escaping () -> Double,
       write: @escaping (String) -> Void) {
    self.total = total
    self.label = label
    self.every = every ?? max(1, total / 10)
    timed = every == nil
    self.terminal = terminal
    self.clock = clock
    self.write = write
    start = clock()
    lastPrintedAt = start
  }

  /// Records that `step` (1-based) finished with `loss` (nil when there is none).
  func update(step: Int, loss: Double?) throws {
    guard !finished else { throw BuiltinError("progress: update after done()") }
    guard step >= 1, step <= total else {
      throw BuiltinError("progress: step must be between 1 and \(total) (got \(step))")
    }
    self.step = step
    if skipped == nil { skipped = step - 1 }
    if let loss { lossSum += loss; lossCount += 1 }
    let now = clock()
    if terminal {
      guard step == total || now - lastDraw >= Self.redrawInterval else { return }
      lastDraw = now
      redraw(takeLoss(), elapsed: now - start, tail: "eta " + ProgressText.duration(eta(now)))
    } else if step - lastPrinted >= every || step == total || (timed && now - lastPrintedAt >= Self.quietInterval) {
      lastPrinted = step
      lastPrintedAt = now
      var line = "\(label) step \(step)/\(total)"
      if let loss = takeLoss() { line += " loss " + ProgressText.loss(loss) }
      line += " " + ProgressText.rate(steps: stepsHere, seconds: now - start)
      line += " eta " + ProgressText.duration(eta(now))
      write(line + "\n")
    }
  }

  /// Ends the display with the total time; a second call does nothing.
  func done() {
    guard !finished else { return }
    finished = true
    let elapsed = clock() - start
    if terminal {
      redraw(takeLoss() ?? shownLoss, elapsed: elapsed, tail: "in " + ProgressText.duration(elapsed))
      write("\n")
    } else {
      write("\(label) done: \(step)/\(total) steps in \(ProgressText.duration(elapsed))\n")
    }
  }

  /// The mean loss since the last line shown, or nil when none was given.
  private func takeLoss() -> Double? {
    guard lossCount > 0 else { return nil }
    let mean = lossSum / Double(lossCount)
    lossSum = 0; lossCount = 0
    shownLoss = mean
    return mean
  }

  private func eta(_ now: Double) -> Double {
    let elapsed = now - start
    guard stepsHere > 0, elapsed > 0 else { return .nan }
    return elapsed / Double(stepsHere) * Double(total - step)
  }

  /// Steps run since this progress display started.
  private var stepsHere: Int { max(0, step - (skipped ?? 0)) }

  private func redraw(_ loss: Double?, elapsed: Double, tail: String) {
    var line = ProgressText.terminalLine(label: label, step: step, total: total, width: Self.barWidth)
    if let loss { line += "  loss " + ProgressText.loss(loss) }
    line += "  " + ProgressText.rate(steps: stepsHere, seconds: elapsed) + "  " + tail
    // Blank out what is left of a longer previous line.
    let padding = max(0, lastLength - line.count)
    lastLength = line.count
    write("\r" + line + String(repeating: " ", count: padding))
  }
}

/// The pieces of a progress line, as pure functions of their inputs.
enum ProgressText {
  /// `label [######--------]  120/1000` (the step right-aligned to the width of the total).
  static func terminalLine(label: String, step: Int, total: Int, width: Int) -> String {
    let filled = total > 0 ? min(width, Int((Double(step) / Double(total) * Double(width)).rounded(.down))) : width
    let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
    let totalText = String(total)
    let stepText = String(step)
    let pad = String(repeating: " ", count: max(0, totalText.count - stepText.count))
    return "\(label) [\(bar)] \(pad)\(stepText)/\(totalText)"
  }

  /// `0.4213`; very large or small values in exponent form.
  static func loss(_ x: Double) -> String {
    if !x.isFinite { return x.isNaN ? "nan" : (x < 0 ? "-inf" : "inf") }
    let m = x.magnitude
    if m != 0, m < 1e-3 || m >= 1e5 { return String(format: "%.3e", x) }
    return String(format: "%.4f", x)
  }

  /// `312.5 it/s`; `-- it/s` before any time has passed.
  static func rate(steps: Int, seconds: Double) -> String {
    guard seconds > 0, seconds.isFinite else { return "-- it/s" }
    let r = Double(steps) / seconds
    return String(format: r >= 1 ? "%.1f it/s" : "%.2f it/s", r)
  }

  /// `45s`, `3m40s`, `2h05m`, `3d04h`; `--` when unknown.
  static func duration(_ seconds: Double) -> String {
    guard seconds.isFinite, seconds >= 0 else { return "--" }
    guard seconds < 1e9 else { return ">30y" }
    let s = Int(seconds.rounded())
    if s < 60 { return "\(s)s" }
    if s < 3600 { return "\(s / 60)m" + twoDigits(s % 60) + "s" }
    if s < 86400 { return "\(s / 3600)h" + twoDigits(s % 3600 / 60) + "m" }
    return "\(s / 86400)d" + twoDigits(s % 86400 / 3600) + "h"
  }

  private static func twoDigits(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}

/// The `Progress` value a script holds: `.update(step, loss)` and `.done()`.
final class ProgressObject: NativeObject, NativeMethods {
  let bar: ProgressBar

  init(_ bar: ProgressBar) { self.bar = bar }

  var typeName: String { "Progress" }
  var description: String { "<Progress \(bar.label) \(bar.step)/\(bar.total)>" }
  var fieldNames: [String] { ["done", "label", "step", "total", "update"] }

  func field(_ name: String) throws -> Value? {
    switch name {
    case "total": return .int(bar.total)
    case "step": return .int(bar.step)
    case "label": return .string(bar.label)
    case "update", "done":
      return .function(Function(name: name) { [self] args in try callMethod(name, args) ?? .nil_ })
    default: return nil
    }
  }

  func callMethod(_ name: String, _ arguments: NativeArguments) throws -> Value? {
    switch name {
    case "update":
      let p = arguments.positional
      guard arguments.named.isEmpty, p.count == 1 || p.count == 2 else {
        throw BuiltinError("progress: update takes (step, loss)")
      }
      guard case .int(let step) = p[0] else {
        throw BuiltinError("progress: update: step must be an Int (got \(withArticle(p[0].typeName)))")
      }
      try bar.update(step: step, loss: p.count == 2 ? try Self.loss(p[1]) : nil)
      return .nil_
    case "done":
      guard arguments.positional.isEmpty, arguments.named.isEmpty else { throw BuiltinError("progress: done takes no arguments") }
      bar.done()
      return .nil_
    default:
      return nil
    }
  }

  /// A loss given as a number or a one-element tensor; nil shows no loss.
  static func loss(_ v: Value) throws -> Double? {
    switch v {
    case .nil_: return nil
    case .int(let i): return Double(i)
    case .float(let d): return d
    case .native(let t as Tensor) where t.count == 1: return Double(try t.item())
    default:
      throw BuiltinError("progress: update: loss must be a number or a one-element Tensor (got \(describe(v)))")
    }
  }

  private static func describe(_ v: Value) -> String {
    if let t = v.tensor { return "a Tensor of shape \(t.shape)" }
    return withArticle(v.typeName)
  }
}

extension Builtins {
  /// `progress(total, label: "fit", every: nil, quiet: false)`.
  static func progressBuiltin() -> Builtin {
    Builtin("progress", labels: ["label", "every", "quiet"]) { args in
      try args.expect(1)
      guard case .int(let total) = args[0], total > 0 else {
        throw BuiltinError("progress: total must be a positive Int (got \(args[0].description))")
      }
      var label = "fit"
      if let v = args.named("label") {
        guard case .string(let s) = v else { throw BuiltinError("progress: label must be a String (got \(withArticle(v.typeName)))") }
        label = s
      }
      var every: Int?
      switch args.named("every") {
      case nil, .nil_?: break
      case .int(let n)? where n > 0: every = n
      case let v?: throw BuiltinError("progress: every must be a positive Int (got \(v.description))")
      }
      var quiet = false
      switch args.named("quiet") {
      case nil: break
      case .bool(let b)?: quiet = b
      case let v?: throw BuiltinError("progress: quiet must be true or false (got \(withArticle(v.typeName)))")
      }
      let rt = args.rt
      // Diagnostics, not output: `meta x.meta > file` keeps only what was printed.
      // Weak: the object may outlive the interpreter (held by the host), never the reverse.
      let bar = ProgressBar(
        total: total, label: label, every: every, terminal: rt.diagnosticsIsTerminal,
        clock: { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 },
        write: { [weak rt] text in
          guard !quiet, let rt, rt.showsProgress else { return }
          rt.diagnostics(text)
        })
      return .native(ProgressObject(bar))
    }
  }
}
