// Many processes (spec §8): what Meta needs from a message-passing engine. The
// library never starts one itself; the host hands the interpreter a communicator
// (the `meta` program an Open MPI one when mpirun started it, MetaMPI), and
// without one a script is rank 0 of a world of 1 and every collective is the identity.

/// The element type of a collective's buffer.
public enum CollectiveElement: Sendable {
  case float32, float64, int64, byte

  /// Bytes per element.
  public var size: Int {
    switch self {
    case .float32: 4
    case .float64, .int64: 8
    case .byte: 1
    }
  }
}

/// How `allReduce` combines the ranks' elements.
public enum CollectiveOp: Sendable {
  case sum, max, min
}

/// A group of processes ("ranks") that run the same script and meet in
/// collective calls: every rank makes the same calls in the same order, with
/// buffers of the same element type and count (the interpreter checks the trees
/// it sends agree before it calls `allReduce` or `broadcast`).
public protocol Communicator: AnyObject {
  /// This process's index in 0..<size.
  var rank: Int { get }
  /// The number of ranks.
  var size: Int { get }
  /// Combines the `count` elements at `buffer` over the ranks, in place: every rank gets the result.
  func allReduce(_ buffer: UnsafeMutableRawPointer, count: Int, type: CollectiveElement, op: CollectiveOp) throws
  /// Overwrites the `count` elements at `buffer` on every rank with `root`'s.
  func broadcast(_ buffer: UnsafeMutableRawPointer, count: Int, type: CollectiveElement, root: Int) throws
  /// Returns once every rank has called it.
  func barrier() throws
}

/// A communicator's failure (the message says what and, where it can, which rank).
public struct CommunicatorError: Error, CustomStringConvertible {
  public let message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}
