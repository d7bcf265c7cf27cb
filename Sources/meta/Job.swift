// `mpirun -np N meta train.meta` (spec §8): when an MPI launcher started this
// process, every rank runs the script with an Open MPI communicator. Rank 0 alone
// prints and draws progress (the others compute the same run; their errors still
// show, prefixed with the rank), and the job ends together: MPI_Finalize after a
// success, MPI_Abort after an error, so no rank waits for one that has gone.

import Foundation
import MetaLang
import MetaKernels
import MetaMPI

enum Job {
  /// The job this process is a rank of, or nil without a launcher. A launcher
  /// without a loadable Open MPI ends the program with the reason (status 1).
  static func start(environment: [String: String] = ProcessInfo.processInfo.environment) -> OpenMPI? {
    guard let variable = OpenMPI.launcherVariable(in: environment) else { return nil }
    do {
      return try OpenMPI()
    } catch {
      writeToStandardError("meta: error: started by an MPI launcher (\(variable) is set): \(error)\n")
      exit(ExitStatus.failure)
    }
  }

  /// Joins `session` to `job`: ranks other than 0 print nothing (unless `allRanks`).
  /// Without --threads a rank takes the cores it is bound to, or when unbound its
  /// share of the machine's (so N ranks on a node do not run N × cores threads).
  static func attach(_ job: OpenMPI, to session: Session, allRanks: Bool, threads: Int?,
                     environment: [String: String] = ProcessInfo.processInfo.environment) {
    session.interpreter.communicator = job
    if threads == nil {
      let local = environment["OMPI_COMM_WORLD_LOCAL_SIZE"].flatMap { Int($0) } ?? 1
      let bound = ThreadPool.coreCount < ThreadPool.onlineCores
      session.interpreter.threads = bound ? ThreadPool.coreCount : max(1, ThreadPool.onlineCores / max(1, local))
    }
    session.rankLabel = job.size > 1 ? "rank \(job.rank) of \(job.size)" : nil
    if job.rank != 0 && !allRanks {
      session.interpreter.output = { _ in }
      session.interpreter.diagnostics = { _ in }
      session.interpreter.showsProgress = false
    }
  }

  /// Ends the job's part in this process: finalize after success, abort the whole job otherwise.
  static func finish(_ job: OpenMPI, status: Int32) {
    if status == ExitStatus.success { job.finalize() } else { job.abort(code: status) }
  }
}
