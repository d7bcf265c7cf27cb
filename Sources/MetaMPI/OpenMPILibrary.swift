// The symbols of Open MPI's libmpi that Meta uses, looked up once with dlsym.

#if canImport(Glibc)
import Glibc
#endif
import MetaLang

struct OpenMPILibrary {
  typealias Handle = UnsafeMutableRawPointer
  static let threadSerialized: Int32 = 2   // MPI_THREAD_SERIALIZED in mpi.h's enum
  /// MPI_IN_PLACE, which mpi.h defines as (void *) 1.
  static var inPlace: UnsafeRawPointer? { UnsafeRawPointer(bitPattern: 1) }

  let initThread: @convention(c) (UnsafeMutablePointer<Int32>?, UnsafeMutableRawPointer?, Int32, UnsafeMutablePointer<Int32>?) -> Int32
  let commRank: @convention(c) (Handle, UnsafeMutablePointer<Int32>) -> Int32
  let commSize: @convention(c) (Handle, UnsafeMutablePointer<Int32>) -> Int32
  let allreduce: @convention(c) (UnsafeRawPointer?, UnsafeMutableRawPointer, Int32, Handle, Handle, Handle) -> Int32
  let bcast: @convention(c) (UnsafeMutableRawPointer, Int32, Handle, Int32, Handle) -> Int32
  let barrier: @convention(c) (Handle) -> Int32
  let abort: @convention(c) (Handle, Int32) -> Int32
  let finalize: @convention(c) () -> Int32
  let errorString: @convention(c) (Int32, UnsafeMutablePointer<CChar>, UnsafeMutablePointer<Int32>) -> Int32
  let commWorld, float32, float64, int64, byte, opSum, opMax, opMin: Handle

  /// Opens the first library of `names` that loads and resolves every symbol.
  static func load(_ names: [String]) throws -> OpenMPILibrary {
    var reasons: [String] = []
    for name in names {
      // RTLD_GLOBAL: Open MPI's own plugins resolve libmpi's symbols against it.
      guard let lib = dlopen(name, RTLD_NOW | RTLD_GLOBAL) else {
        reasons.append(dlerror().map { String(cString: $0) } ?? name)
        continue
      }
      do { return try OpenMPILibrary(lib, name) } catch { reasons.append("\(error)") }
    }
    throw CommunicatorError(
      "an MPI launcher started meta, but Open MPI's library could not be loaded (\(reasons.joined(separator: "; "))); install Open MPI (Debian: apt-get install openmpi-bin libopenmpi-dev), or run meta without mpirun")
  }

  private init(_ lib: UnsafeMutableRawPointer, _ name: String) throws {
    func symbol(_ s: String) throws -> UnsafeMutableRawPointer {
      guard let p = dlsym(lib, s) else { throw CommunicatorError("\(name) has no symbol \(s) (is it Open MPI's libmpi?)") }
      return p
    }
    // F is only ever one of the @convention(c) pointer types of the properties below (fixed in
    // this file, pointer-sized), so the cast cannot trap; a missing symbol throws above.
    func function<F>(_ s: String) throws -> F { unsafeBitCast(try symbol(s), to: F.self) }
    initThread = try function("MPI_Init_thread")
    commRank = try function("MPI_Comm_rank")
    commSize = try function("MPI_Comm_size")
    allreduce = try function("MPI_Allreduce")
    bcast = try function("MPI_Bcast")
    barrier = try function("MPI_Barrier")
    abort = try function("MPI_Abort")
    finalize = try function("MPI_Finalize")
    errorString = try function("MPI_Error_string")
    commWorld = try symbol("ompi_mpi_comm_world")
    float32 = try symbol("ompi_mpi_float")
    float64 = try symbol("ompi_mpi_double")
    int64 = try symbol("ompi_mpi_int64_t")
    byte = try symbol("ompi_mpi_byte")
    opSum = try symbol("ompi_mpi_op_sum")
    opMax = try symbol("ompi_mpi_op_max")
    opMin = try symbol("ompi_mpi_op_min")
  }

  func datatype(_ type: CollectiveElement) -> Handle {
    switch type {
    case .float32: float32
    case .float64: float64
    case .int64: int64
    case .byte: byte
    }
  }

  /// Throws MPI's own words for a failed call (Open MPI's default handler usually ends the job first).
  func check(_ code: Int32, _ call: String) throws {
    guard code != 0 else { return }
    var text = [CChar](repeating: 0, count: 512)
    var length: Int32 = 0
    _ = errorString(code, &text, &length)
    let words = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    throw CommunicatorError("\(call) failed: \(words) (MPI error \(code))")
  }
}
