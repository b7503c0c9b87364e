// runtime/dist/mpi/mpi_communicator.h — the communicator over MPI's world: built only with
// TWINFLOW_MPI (CMakeLists.txt). MPI is started when the communicator is made and shut down
// when it goes (at exit, for world()).
#pragma once

#include <memory>

#include "runtime/dist/communicator.h"

namespace twinflow::runtime {

std::unique_ptr<Communicator> mpi_world();

}  // namespace twinflow::runtime
