// world(): the processes mpirun started, or this process alone (runtime/dist/communicator.h).
#include <cstdlib>

#include "runtime/dist/communicator.h"
#ifdef TWINFLOW_WITH_MPI
#include "runtime/dist/mpi/mpi_communicator.h"
#endif

namespace twinflow::runtime {

namespace {

// What the launchers set in every process they start (Open MPI's mpirun, PMI and PMIx ones such
// as MPICH's and Slurm's). Without them MPI is left alone: starting it is slow and may warn.
[[maybe_unused]] bool started_by_launcher() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"})
    if (std::getenv(name) != nullptr) return true;
  return false;
}

std::unique_ptr<Communicator> open_world() {
#ifdef TWINFLOW_WITH_MPI
  if (started_by_launcher()) return mpi_world();
#endif
  return single_process();
}

}  // namespace

Communicator& world() {
  static const std::unique_ptr<Communicator> processes = open_world();
  return *processes;
}

}  // namespace twinflow::runtime
