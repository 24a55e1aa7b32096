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

// Two blocks of scratch for the ring reduce-scatter's partial sums, kept between calls.
static float *ring_scratch[2] = {NULL, NULL};
static size_t ring_scratch_count = 0;

int dpt_mpi_reduce_scatter_sum_f32(const float *send, float *receive, const int *counts) {
    int rank = 0, size = 0;
    int code = MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (code == MPI_SUCCESS) code = MPI_Comm_size(MPI_COMM_WORLD, &size);
    if (code != MPI_SUCCESS) return code;
    size_t *offsets = malloc((size_t)size * sizeof(size_t));
    if (offsets == NULL) return MPI_ERR_NO_MEM;
    size_t offset = 0, largest = 0;
    for (int r = 0; r < size; r++) {
        offsets[r] = offset;
        offset += (size_t)counts[r];
        if ((size_t)counts[r] > largest) largest = (size_t)counts[r];
    }
    if (size == 1) {
        memcpy(receive, send, (size_t)counts[0] * sizeof(float));
        free(offsets);
        return MPI_SUCCESS;
    }
    if (size > 2 && ring_scratch_count < largest) {
        for (int i = 0; i < 2; i++) {
            free(ring_scratch[i]);
            ring_scratch[i] = malloc(largest * sizeof(float));
        }
        ring_scratch_count = ring_scratch[0] && ring_scratch[1] ? largest : 0;
        if (ring_scratch_count == 0) { free(offsets); return MPI_ERR_NO_MEM; }
    }
    int next = (rank + 1) % size, previous = (rank + size - 1) % size;
    const float *outgoing = NULL;  // the partial sum sent at this step (step 0: this rank's own block)
    for (int step = 0; step < size - 1; step++) {
        int sent = (rank - step - 1 + 2 * size) % size, received = (rank - step - 2 + 2 * size) % size;
        float *incoming = step == size - 2 ? receive : ring_scratch[step & 1];
        code = MPI_Sendrecv(step == 0 ? send + offsets[sent] : outgoing, counts[sent], MPI_FLOAT, next, 0,
                            incoming, counts[received], MPI_FLOAT, previous, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (code != MPI_SUCCESS) break;
        const float *own = send + offsets[received];
        for (int i = 0; i < counts[received]; i++) incoming[i] += own[i];
        outgoing = incoming;
    }
    free(offsets);
    return code;
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
