// Open MPI's C API. Swift code never imports this directly: it uses MPIShim.
#include <mpi.h>
