// Script output goes through one buffer per stream: a `print` in a hot loop
// must cost a memcpy, not a system call.

import Foundation

/// A byte buffer in front of a file descriptor.
///
/// Written from the interpreter's evaluation thread and flushed from the main
/// thread (and from the Ctrl-C handler before a hard exit), hence the lock.
final class OutputBuffer: @unchecked Sendable {
  /// Bytes collected before a write system call is made.
  static let capacity = 1 << 16

  private let fd: Int32
  /// Flush at every newline (like C stdio on a terminal), so a person watching
  /// a long run sees each line when it is printed.
  private let lineBuffered: Bool
  private let lock = NSLock()
  private var bytes: [UInt8] = []
  /// Set once a write fails (e.g. the reader closed the pipe): later output is dropped.
  private var broken = false
  /// When output last went out (monotonic seconds).
  private var lastFlush = monotonicSeconds()
  /// A block-buffered stream still writes out a finished line once this many
  /// seconds have passed since the last write, so the log of a training run
  /// redirected to a file (`meta train.meta > log`) stays current while a
  /// `print` in a hot loop still costs a memcpy.
  static let staleAfter = 1.0

  /// - Parameter lineBuffered: nil chooses line buffering exactly when `fd` is a terminal.
  init(fd: Int32, lineBuffered: Bool? = nil) {
    self.fd = fd
    self.lineBuffered = lineBuffered ?? (isatty(fd) == 1)
    bytes.reserveCapacity(Self.capacity)
  }

  deinit { flush() }

  /// Appends `text`; writes it out when the buffer is full (or at a newline, when line buffered).
  func write(_ text: String) {
    lock.lock()
    defer { lock.unlock() }
    bytes.append(contentsOf: text.utf8)
    // A `\r` (a line redrawn in place) is shown at once too.
    if bytes.count >= Self.capacity {
      flushLocked()
    } else if text.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D }) {
      if lineBuffered || monotonicSeconds() - lastFlush >= Self.staleAfter { flushLocked() }
    }
  }

  /// Writes out everything buffered.
  func flush() {
    lock.lock()
    defer { lock.unlock() }
    flushLocked()
  }

  private func flushLocked() {
    guard !bytes.isEmpty else { return }
    if !broken {
      broken = !bytes.withUnsafeBytes { writeFully(fd, $0) }
    }
    bytes.removeAll(keepingCapacity: true)
    lastFlush = monotonicSeconds()
  }
}

/// Seconds on the monotonic clock (unaffected by changes to the wall clock).
private func monotonicSeconds() -> Double {
  var t = timespec()
  clock_gettime(CLOCK_MONOTONIC, &t)
  return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// Writes all of `buffer` to `fd`, retrying partial writes and interrupted calls.
/// Returns false when the descriptor refuses more output.
@discardableResult
func writeFully(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) -> Bool {
  guard var base = buffer.baseAddress else { return true }
  var remaining = buffer.count
  while remaining > 0 {
    let n = Glibc.write(fd, base, remaining)
    if n < 0 {
      if errno == EINTR { continue }
      return false
    }
    if n == 0 { return false }
    remaining -= n
    base += n
  }
  return true
}

/// Writes `text` to standard error at once (error reports are rare; no buffering).
func writeToStandardError(_ text: String) {
  var copy = text
  _ = copy.withUTF8 { writeFully(STDERR_FILENO, UnsafeRawBufferPointer($0)) }
}
