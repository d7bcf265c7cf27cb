// Open MPI's MPI_COMM_WORLD as Meta's Communicator. libmpi is loaded at run time
// (dlopen) and only when a launcher started the process, so `meta` builds and runs
// on machines without Open MPI; the handles (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, ...)
// are Open MPI's exported globals, whose addresses are the handles (its mpi.h
// defines MPI_COMM_WORLD as &ompi_mpi_comm_world).

#if canImport(Glibc)
import Glibc
#endif
import MetaLang

/// The ranks of an Open MPI job (`mpirun -np N meta train.meta`, or `srun --mpi=pmix`).
public final class OpenMPI: Communicator {
  /// The shared libraries tried in order: Open MPI 3-5 keep the soname libmpi.so.40.
  public static let libraryNames = ["libmpi.so.40", "libmpi.so"]
  /// Elements per MPI call: MPI counts are C ints, so longer buffers go in pieces.
  public static let maxElementsPerCall = Int(Int32.max)

  /// The environment variable showing that an MPI launcher started this process
  /// (Open MPI's mpirun sets OMPI_COMM_WORLD_SIZE, PMIx launchers such as
  /// `srun --mpi=pmix` PMIX_RANK), or nil when it runs on its own.
  public static func launcherVariable(in environment: [String: String]) -> String? {
    ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK"].first { environment[$0] != nil }
  }

  public let rank: Int
  public let size: Int
  private let api: OpenMPILibrary
  private var finished = false

  /// Loads libmpi and initializes MPI (MPI_THREAD_SERIALIZED: the interpreter calls
  /// from its evaluation thread, one call at a time).
  public init() throws {
    api = try OpenMPILibrary.load(Self.libraryNames)
    var provided: Int32 = 0
    try api.check(api.initThread(nil, nil, OpenMPILibrary.threadSerialized, &provided), "MPI_Init_thread")
    guard provided >= OpenMPILibrary.threadSerialized else {
      throw CommunicatorError("this Open MPI provides thread level \(provided), but Meta needs MPI_THREAD_SERIALIZED (2): use an Open MPI built with thread support")
    }
    var r: Int32 = 0, s: Int32 = 0
    try api.check(api.commRank(api.commWorld, &r), "MPI_Comm_rank")
    try api.check(api.commSize(api.commWorld, &s), "MPI_Comm_size")
    rank = Int(r); size = Int(s)
  }

  public func allReduce(_ buffer: UnsafeMutableRawPointer, count: Int, type: CollectiveElement, op: CollectiveOp) throws {
    let (dtype, handle) = (type, api.datatype(type))
    let opHandle = switch op {
    case .sum: api.opSum
    case .max: api.opMax
    case .min: api.opMin
    }
    try pieces(count, dtype) { start, n in
      try api.check(api.allreduce(OpenMPILibrary.inPlace, buffer + start, n, handle, opHandle, api.commWorld), "MPI_Allreduce")
    }
  }

  public func broadcast(_ buffer: UnsafeMutableRawPointer, count: Int, type: CollectiveElement, root: Int) throws {
    let handle = api.datatype(type)
    try pieces(count, type) { start, n in
      try api.check(api.bcast(buffer + start, n, handle, Int32(root), api.commWorld), "MPI_Bcast")
    }
  }

  public func barrier() throws {
    try api.check(api.barrier(api.commWorld), "MPI_Barrier")
  }

  /// Ends the whole job (every rank) with `code`: what a rank that failed calls,
  /// so the others do not wait for it forever.
  public func abort(code: Int32) -> Never {
    _ = api.abort(api.commWorld, code)
    exit(code)
  }

  /// MPI_Finalize, once: a rank must call it before a successful exit, or the
  /// launcher reports the job as failed.
  public func finalize() {
    guard !finished else { return }
    finished = true
    _ = api.finalize()
  }

  /// `body(byteOffset, count)` over pieces of at most maxElementsPerCall elements.
  private func pieces(_ count: Int, _ type: CollectiveElement, _ body: (Int, Int32) throws -> Void) throws {
    var done = 0
    while done < count {
      let n = min(count - done, Self.maxElementsPerCall)
      try body(done * type.size, Int32(n))
      done += n
    }
  }
}
