// dpt_mpi — a thin C layer over MPI for Swift.
//
// Why it exists: MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM and MPI_IN_PLACE are macros (pointers
// to Open MPI's internal objects) that Swift cannot import. Every function here uses only
// int, size_t and plain pointers, works on MPI_COMM_WORLD, and returns the MPI error code
// (MPI_SUCCESS == 0). The communicator's error handler is MPI_ERRORS_RETURN, so failures
// come back as codes instead of killing the process; Swift turns them into thrown errors.
#ifndef DPT_MPI_H
#define DPT_MPI_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// MPI_Init_thread (funneled) and set MPI_ERRORS_RETURN on MPI_COMM_WORLD.
int dpt_mpi_init(void);
/// 1 when MPI_Init has run and MPI_Finalize has not.
int dpt_mpi_is_initialized(void);
int dpt_mpi_rank(int *rank);
int dpt_mpi_size(int *size);
/// In-place sum over all ranks of `count` floats; split into calls of at most INT_MAX elements.
int dpt_mpi_allreduce_sum_f32(float *buffer, size_t count);
/// In-place sum over all ranks of `count` doubles.
int dpt_mpi_allreduce_sum_f64(double *buffer, size_t count);
/// In-place maximum over all ranks of `count` doubles.
int dpt_mpi_allreduce_max_f64(double *buffer, size_t count);
/// In-place minimum over all ranks of `count` doubles.
int dpt_mpi_allreduce_min_f64(double *buffer, size_t count);
/// Broadcast `count` floats from `root` (chunked like the all-reduce).
int dpt_mpi_broadcast_f32(float *buffer, size_t count, int root);
/// Broadcast `count` bytes from `root` (chunked).
int dpt_mpi_broadcast_bytes(void *buffer, size_t count, int root);
int dpt_mpi_barrier(void);
/// Sum over all ranks of `send` (Σ counts floats on every rank), scattered: rank r receives the
/// counts[r] floats starting at Σ_{q<r} counts[q] into `receive`. A ring of W − 1 MPI_Sendrecv
/// steps (step s: send the partial sum of block r−s−1 to rank r+1, receive block r−s−2 from
/// rank r−1 and add this rank's own part), the sums in the same order as Open MPI's ring
/// MPI_Reduce_scatter but without its per-call allocation and full-buffer copy (measured 3.5×
/// faster for a 7.45 MB gradient on 2 ranks of one host). Scratch of two blocks is kept between
/// calls. `counts` has one entry per rank, each ≤ INT_MAX; `send` and `receive` must not overlap.
int dpt_mpi_reduce_scatter_sum_f32(const float *send, float *receive, const int *counts);
///
/// When `send` is this rank's segment of a shared window (all ranks alike), rank r instead sums
/// its block straight out of every rank's segment, in the ring's order
/// ((g_{r+1} + g_{r+2}) + …) + g_r (indices mod W), so the floats are the same bit for bit;
/// MPI_Win_sync + MPI_Barrier before (every gradient written) and after (none rewritten while
/// a peer reads it).
/// In place (MPI_Allgatherv): rank r's block of counts[r] floats at offset Σ_{q<r} counts[q]
/// of `buffer` is copied into that block of every rank's `buffer`. When `buffer` is this
/// rank's segment of a shared window, each rank copies the peers' blocks out of their
/// segments (one memcpy each) between the same fences.
int dpt_mpi_allgather_f32(float *buffer, const int *counts);
// MARK: - Node-shared windows (MPI-3 shared memory)
//
// When every rank of MPI_COMM_WORLD runs on one node, buffers can live in an MPI-3 shared
// window (MPI_Comm_split_type(MPI_COMM_TYPE_SHARED) + MPI_Win_allocate_shared): each rank owns
// one contiguous, 64-byte-aligned segment of `count` floats and reads its peers' segments
// directly (MPI_Win_shared_query). dpt_mpi_reduce_scatter_sum_f32 and dpt_mpi_allgather_f32
// recognise such segments (a `send` or `buffer` that is this rank's segment of a live window)
// and then exchange through memory instead of messages, with the same results bit for bit.
// Every rank must pass shared segments or none: the choice is local and the two paths do not
// meet. Windows are freed collectively, later: a released window at the next
// dpt_mpi_shared_allocate (once every rank has released it) or at dpt_mpi_finalize.

/// Status of dpt_mpi_shared_allocate when it returns MPI_SUCCESS.
enum {
    /// Allocated: *local is this rank's segment, *id its handle.
    DPT_SHARED_OK = 0,
    /// The ranks of MPI_COMM_WORLD are not all on one node.
    DPT_SHARED_SEVERAL_NODES = 1,
    /// The backing directory (osc_sm_backing_directory, default /dev/shm) has too little free
    /// space for the window, or its free space cannot be read; `reason` says which.
    DPT_SHARED_NO_SPACE = 2,
    /// MPI_Win_allocate_shared failed on some rank.
    DPT_SHARED_FAILED = 3,
    /// Too many live windows (at most 16).
    DPT_SHARED_TOO_MANY = 4,
};
/// Collective over MPI_COMM_WORLD: allocates a node-shared window with a zeroed segment of
/// `count` floats (rounded up to 64 bytes, starting on a 64-byte boundary) per rank. *status is DPT_SHARED_OK with *local and
/// *id set, or says why not (then `reason`, `reason_length` bytes, explains it and the caller
/// keeps its private buffers). The same status on every rank. First frees the windows every
/// rank has released. Returns an MPI error code only when an agreement call itself fails.
int dpt_mpi_shared_allocate(size_t count, float **local, int *id, int *status, char *reason, size_t reason_length);
/// Marks window `id` as no longer used by this rank (not collective, never blocks): its
/// memory stays mapped until it is freed at a later dpt_mpi_shared_allocate or at
/// dpt_mpi_finalize, so the order of deinitialisers cannot deadlock.
void dpt_mpi_shared_release(int id);
/// Rank `rank`'s segment of window `id` (NULL when there is no such window or rank).
float *dpt_mpi_shared_segment(int id, int rank);
/// Starts a non-blocking in-place sum (MPI_Iallreduce) of `count` ≤ INT_MAX floats. One may be
/// pending per process at a time (the request lives here); the buffer must not be touched
/// until dpt_mpi_iallreduce_wait returns. MPI_ERR_COUNT when too large, MPI_ERR_PENDING when
/// one is already pending.
int dpt_mpi_iallreduce_sum_f32(float *buffer, size_t count);
/// MPI_Test on the pending non-blocking all-reduce (lets MPI progress it); *done = 1 once it
/// has completed (and then nothing is pending), 0 otherwise.
int dpt_mpi_iallreduce_test(int *done);
/// MPI_Wait on the pending non-blocking all-reduce (nothing pending: returns at once).
int dpt_mpi_iallreduce_wait(void);
/// MPI_Abort on MPI_COMM_WORLD: ends every rank of the job with `code`.
int dpt_mpi_abort(int code);
/// Writes MPI's text for `code` into `buffer` (NUL-terminated, at most `length` bytes).
void dpt_mpi_error_string(int code, char *buffer, size_t length);
/// MPI_Wtime.
double dpt_mpi_wtime(void);
/// Frees every shared window still allocated (collective), then MPI_Finalize.
int dpt_mpi_finalize(void);

#ifdef __cplusplus
}
#endif

#endif
