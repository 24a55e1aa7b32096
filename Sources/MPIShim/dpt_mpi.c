// Implementation of dpt_mpi.h. See the header for why this layer exists.
#include "dpt_mpi.h"

#include <limits.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// MPI counts are int: larger buffers are reduced in pieces of at most this many elements.
static const size_t kMaxChunk = (size_t)INT_MAX;

int dpt_mpi_init(void) {
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (initialized) return MPI_SUCCESS;
    int provided = 0;
    int code = MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided);
    if (code != MPI_SUCCESS) return code;
    return MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
}

int dpt_mpi_is_initialized(void) {
    int initialized = 0, finalized = 0;
    MPI_Initialized(&initialized);
    MPI_Finalized(&finalized);
    return initialized && !finalized;
}

int dpt_mpi_rank(int *rank) { return MPI_Comm_rank(MPI_COMM_WORLD, rank); }

int dpt_mpi_size(int *size) { return MPI_Comm_size(MPI_COMM_WORLD, size); }

static int allreduce_chunked(void *buffer, size_t count, size_t element_size,
                             MPI_Datatype type, MPI_Op op) {
    char *bytes = (char *)buffer;
    while (count > 0) {
        size_t n = count < kMaxChunk ? count : kMaxChunk;
        int code = MPI_Allreduce(MPI_IN_PLACE, bytes, (int)n, type, op, MPI_COMM_WORLD);
        if (code != MPI_SUCCESS) return code;
        bytes += n * element_size;
        count -= n;
    }
    return MPI_SUCCESS;
}

int dpt_mpi_allreduce_sum_f32(float *buffer, size_t count) {
    return allreduce_chunked(buffer, count, sizeof(float), MPI_FLOAT, MPI_SUM);
}

int dpt_mpi_allreduce_sum_f64(double *buffer, size_t count) {
    return allreduce_chunked(buffer, count, sizeof(double), MPI_DOUBLE, MPI_SUM);
}

int dpt_mpi_allreduce_max_f64(double *buffer, size_t count) {
    return allreduce_chunked(buffer, count, sizeof(double), MPI_DOUBLE, MPI_MAX);
}

int dpt_mpi_allreduce_min_f64(double *buffer, size_t count) {
    return allreduce_chunked(buffer, count, sizeof(double), MPI_DOUBLE, MPI_MIN);
}

static int broadcast_chunked(void *buffer, size_t count, size_t element_size,
                             MPI_Datatype type, int root) {
    char *bytes = (char *)buffer;
    while (count > 0) {
        size_t n = count < kMaxChunk ? count : kMaxChunk;
        int code = MPI_Bcast(bytes, (int)n, type, root, MPI_COMM_WORLD);
        if (code != MPI_SUCCESS) return code;
        bytes += n * element_size;
        count -= n;
    }
    return MPI_SUCCESS;
}

int dpt_mpi_broadcast_f32(float *buffer, size_t count, int root) {
    return broadcast_chunked(buffer, count, sizeof(float), MPI_FLOAT, root);
}

int dpt_mpi_broadcast_bytes(void *buffer, size_t count, int root) {
    return broadcast_chunked(buffer, count, 1, MPI_BYTE, root);
}

int dpt_mpi_barrier(void) { return MPI_Barrier(MPI_COMM_WORLD); }

int dpt_mpi_abort(int code) { return MPI_Abort(MPI_COMM_WORLD, code); }

void dpt_mpi_error_string(int code, char *buffer, size_t length) {
    if (length == 0) return;
    char text[MPI_MAX_ERROR_STRING];
    int text_length = 0;
    if (MPI_Error_string(code, text, &text_length) != MPI_SUCCESS) {
        snprintf(buffer, length, "MPI error code %d", code);
        return;
    }
    snprintf(buffer, length, "%s", text);
}

double dpt_mpi_wtime(void) { return MPI_Wtime(); }

// The pending non-blocking all-reduce of dpt_mpi_iallreduce_sum_f32 (MPI_REQUEST_NULL: none).
static MPI_Request pending_reduction = MPI_REQUEST_NULL;

int dpt_mpi_iallreduce_sum_f32(float *buffer, size_t count) {
    if (count > kMaxChunk) return MPI_ERR_COUNT;
    if (pending_reduction != MPI_REQUEST_NULL) return MPI_ERR_PENDING;
    return MPI_Iallreduce(MPI_IN_PLACE, buffer, (int)count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD,
                          &pending_reduction);
}

int dpt_mpi_iallreduce_test(int *done) {
    *done = 1;
    if (pending_reduction == MPI_REQUEST_NULL) return MPI_SUCCESS;
    return MPI_Test(&pending_reduction, done, MPI_STATUS_IGNORE);
}

int dpt_mpi_iallreduce_wait(void) {
    if (pending_reduction == MPI_REQUEST_NULL) return MPI_SUCCESS;
    return MPI_Wait(&pending_reduction, MPI_STATUS_IGNORE);
}

int dpt_mpi_finalize(void) {
    if (!dpt_mpi_is_initialized()) return MPI_SUCCESS;
    return MPI_Finalize();
}

int dpt_mpi_reduce_scatter_sum_f32(const float *send, float *receive, const int *counts) {
    return MPI_Reduce_scatter(send, receive, counts, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
}

int dpt_mpi_allgather_f32(float *buffer, const int *counts) {
    int size = 0;
    int code = MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (code != MPI_SUCCESS) return code;
    int *displacements = malloc((size_t)size * sizeof(int));
    if (displacements == NULL) return MPI_ERR_NO_MEM;
    long offset = 0;
    for (int r = 0; r < size; r++) {
        if (offset > INT_MAX) { free(displacements); return MPI_ERR_COUNT; }
        displacements[r] = (int)offset;
        offset += counts[r];
    }
    code = MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, buffer, counts, displacements, MPI_FLOAT,
                          MPI_COMM_WORLD);
    free(displacements);
    return code;
}
