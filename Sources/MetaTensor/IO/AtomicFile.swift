#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads and crash-safe whole-file writes.
public enum AtomicFile {
  /// Replaces the file at `path` with `bytes` atomically: the bytes go to a
  /// temporary file in the same directory, which is flushed to disk and then
  /// renamed over `path`. Readers see the old file or the new one, never a
  /// mixture; on any failure `path` is untouched and the temporary file removed.
  public static func write(_ bytes: [UInt8], to path: String) throws {
    let (directory, base) = split(path)
    guard !base.isEmpty, base != ".", base != ".." else {
      throw TensorError("\(path): not a file name")
    }
    var random = SystemRandomNumberGenerator()
    for _ in 0..<16 {
      let temporary = directory + "/." + base + ".tmp-" + String(random.next() as UInt64, radix: 36)
      let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
      if fd < 0 {
        if errno == EEXIST { continue }  // name collision: draw another name
        throw TensorError("\(path): cannot create a temporary file in \(directory): \(systemError())")
      }
      var isOpen = true
      do {
        try writeAll(fd, bytes, path: path)
        guard fsync(fd) == 0 else { throw TensorError("\(path): cannot flush to disk: \(systemError())") }
        isOpen = false
        guard close(fd) == 0 else { throw TensorError("\(path): cannot close: \(systemError())") }
        guard rename(temporary, path) == 0 else {
          throw TensorError("\(path): cannot replace the file: \(systemError())")
        }
      } catch {
        if isOpen { _ = close(fd) }
        _ = unlink(temporary)
        throw error
      }
      syncDirectory(directory)
      return
    }
    throw TensorError("\(path): cannot find a free temporary file name in \(directory)")
  }

  /// The whole content of the file at `path`.
  public static func read(_ path: String) throws -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw TensorError("\(path): cannot open: \(systemError())") }
    defer { _ = close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw TensorError("\(path): cannot stat: \(systemError())") }
    guard (info.st_mode & S_IFMT) == S_IFREG else { throw TensorError("\(path): not a regular file") }
    var bytes = [UInt8]()
    bytes.reserveCapacity(max(0, Int(info.st_size)))
    var chunk = [UInt8](repeating: 0, count: 1 << 20)
    while true {
      let n = chunk.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, $0.count) }
      if n < 0 {
        if errno == EINTR { continue }
        throw TensorError("\(path): cannot read: \(systemError())")
      }
      if n == 0 { return bytes }
      bytes.append(contentsOf: chunk[0..<n])
    }
  }

  private static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
    var done = 0
    while done < bytes.count {
      let n = bytes.withUnsafeBytes { buffer in
        systemWrite(fd, buffer.baseAddress.map { $0 + done }, buffer.count - done)
      }
      if n < 0 {
        if errno == EINTR { continue }
        throw TensorError("\(path): cannot write: \(systemError())")
      }
      done += n
    }
  }

  /// Makes the rename itself durable; failure only weakens durability, so it is ignored.
  private static func syncDirectory(_ directory: String) {
    let fd = open(directory, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return }
    _ = fsync(fd)
    _ = close(fd)
  }

  /// Directory (`.` when none) and last component of a path.
  private static func split(_ path: String) -> (String, String) {
    guard let slash = path.lastIndex(of: "/") else { return (".", path) }
    let directory = String(path[..<slash])
    return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
  }

  private static func systemError() -> String { String(cString: strerror(errno)) }
}

// Free functions, so the C calls are not shadowed by AtomicFile.read/write.
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
  read(fd, buffer, count)
}

private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
  write(fd, buffer, count)
}
