// Implementation of dpt_mpi.h. See the header for why this layer exists.
#include "dpt_mpi.h"

#include <limits.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

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

static void shared_free_all(void);

int dpt_mpi_finalize(void) {
    if (!dpt_mpi_is_initialized()) return MPI_SUCCESS;
    shared_free_all();
    return MPI_Finalize();
}

// MARK: - Node-shared windows

// One MPI-3 shared window: `size` segments of `count` floats, segments[r] rank r's.
struct shared_window {
    int live;       // allocated and not yet freed
    int released;   // this rank no longer uses it (freed collectively later)
    MPI_Win win;
    size_t count;
    float **segments;
};

enum { kMaxSharedWindows = 16 };
static struct shared_window shared_windows[kMaxSharedWindows];
// The ranks of MPI_COMM_WORLD on this node (MPI_COMM_NULL until the first allocation).
static MPI_Comm node_comm = MPI_COMM_NULL;

// The live window whose segment of this rank starts at `pointer` and holds ≥ `count` floats.
static const struct shared_window *shared_find(const float *pointer, size_t count) {
    int rank = 0;
    if (node_comm == MPI_COMM_NULL || MPI_Comm_rank(node_comm, &rank) != MPI_SUCCESS) return NULL;
    for (int i = 0; i < kMaxSharedWindows; i++) {
        const struct shared_window *w = &shared_windows[i];
        if (w->live && !w->released && w->segments[rank] == pointer && w->count >= count) return w;
    }
    return NULL;
}

// Memory fence + barrier: every store any rank made to `window` before is visible after.
static int shared_fence(const struct shared_window *window) {
    int code = MPI_Win_sync(window->win);
    if (code == MPI_SUCCESS) code = MPI_Barrier(node_comm);
    if (code == MPI_SUCCESS) code = MPI_Win_sync(window->win);
    return code;
}

static void shared_free(struct shared_window *w) {
    MPI_Win_unlock_all(w->win);
    MPI_Win_free(&w->win);
    free(w->segments);
    memset(w, 0, sizeof *w);
}

static void shared_free_all(void) {
    for (int i = 0; i < kMaxSharedWindows; i++) {
        if (shared_windows[i].live) shared_free(&shared_windows[i]);
    }
    if (node_comm != MPI_COMM_NULL) MPI_Comm_free(&node_comm);
}

// Floats per tile of the shared reduce-scatter: the partial sums stay in L1.
enum { kSharedTile = 2048 };

static int shared_reduce_scatter(const struct shared_window *window, float *receive, const int *counts,
                                 const size_t *offsets, int rank, int size) {
    int code = shared_fence(window);
    if (code != MPI_SUCCESS) return code;
    const size_t n = (size_t)counts[rank], first = offsets[rank];
    // The ring's order for block r: it starts at rank r + 1 and each next rank adds its part.
    for (size_t start = 0; start < n; start += kSharedTile) {
        size_t length = n - start < kSharedTile ? n - start : kSharedTile;
        float *out = receive + start;
        memcpy(out, window->segments[(rank + 1) % size] + first + start, length * sizeof(float));
        for (int k = 2; k <= size; k++) {
            const float *part = window->segments[(rank + k) % size] + first + start;
            for (size_t i = 0; i < length; i++) out[i] += part[i];
        }
    }
    return shared_fence(window);
}

static int shared_allgather(const struct shared_window *window, const int *counts, const int *displacements,
                            int size) {
    int rank = 0;
    int code = MPI_Comm_rank(node_comm, &rank);
    if (code == MPI_SUCCESS) code = shared_fence(window);
    if (code != MPI_SUCCESS) return code;
    float *mine = window->segments[rank];
    for (int r = 0; r < size; r++) {
        if (r == rank || counts[r] == 0) continue;
        memcpy(mine + displacements[r], window->segments[r] + displacements[r], (size_t)counts[r] * sizeof(float));
    }
    return shared_fence(window);
}

// Writes the reason for a status into `reason` (at most `length` bytes, NUL-terminated).
static void shared_say(char *reason, size_t length, const char *format, ...) __attribute__((format(printf, 3, 4)));
static void shared_say(char *reason, size_t length, const char *format, ...) {
    if (length == 0) return;
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(reason, length, format, arguments);
    va_end(arguments);
}

int dpt_mpi_shared_allocate(size_t count, float **local, int *id, int *status, char *reason, size_t reason_length) {
    *local = NULL;
    *id = -1;
    *status = DPT_SHARED_FAILED;
    shared_say(reason, reason_length, "%s", "");
    int code = MPI_SUCCESS, world = 0, rank = 0, node_size = 0;
    if (node_comm == MPI_COMM_NULL) {
        code = MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node_comm);
        if (code != MPI_SUCCESS) return code;
        MPI_Comm_set_errhandler(node_comm, MPI_ERRORS_RETURN);
    }
    code = MPI_Comm_size(MPI_COMM_WORLD, &world);
    if (code == MPI_SUCCESS) code = MPI_Comm_size(node_comm, &node_size);
    if (code == MPI_SUCCESS) code = MPI_Comm_rank(node_comm, &rank);
    if (code != MPI_SUCCESS) return code;
    // Node sizes differ between nodes, so agree on the smallest: all ranks share one node iff
    // it is the whole world.
    int smallest = node_size;
    code = MPI_Allreduce(MPI_IN_PLACE, &smallest, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (code != MPI_SUCCESS) return code;
    if (smallest != world) {
        *status = DPT_SHARED_SEVERAL_NODES;
        shared_say(reason, reason_length, "the %d ranks are not all on one node", world);
        return MPI_SUCCESS;
    }
    // Free the windows every rank has released (a bit per slot, AND over the ranks).
    unsigned released = 0;
    for (int i = 0; i < kMaxSharedWindows; i++) {
        if (shared_windows[i].live && shared_windows[i].released) released |= 1u << i;
    }
    code = MPI_Allreduce(MPI_IN_PLACE, &released, 1, MPI_UNSIGNED, MPI_BAND, node_comm);
    if (code != MPI_SUCCESS) return code;
    for (int i = 0; i < kMaxSharedWindows; i++) {
        if (released & (1u << i)) shared_free(&shared_windows[i]);
    }
    int slot = -1;
    for (int i = 0; i < kMaxSharedWindows && slot < 0; i++) {
        if (!shared_windows[i].live) slot = i;
    }
    if (slot < 0) {  // the same on every rank: slots are taken and freed collectively
        *status = DPT_SHARED_TOO_MANY;
        shared_say(reason, reason_length, "%d shared windows are already in use", kMaxSharedWindows);
        return MPI_SUCCESS;
    }
    // Open MPI's osc/sm backs the window with a file in osc_sm_backing_directory; a tmpfs that is
    // too small (containers often give /dev/shm 64 MB) would fail or fault later, so rank 0
    // checks its free space first and every rank takes its verdict.
    size_t segment_bytes = (count * sizeof(float) + 63) / 64 * 64;
    if (segment_bytes == 0) segment_bytes = 64;
    double needed = (double)(segment_bytes + 64) * world, available = -1;
    const char *directory = getenv("OMPI_MCA_osc_sm_backing_directory");
    if (directory == NULL || directory[0] == 0) directory = "/dev/shm";
    if (rank == 0) {
        struct statvfs info;
        if (statvfs(directory, &info) == 0) available = (double)info.f_bavail * (double)info.f_frsize;
    }
    code = MPI_Bcast(&available, 1, MPI_DOUBLE, 0, node_comm);
    if (code != MPI_SUCCESS) return code;
    if (available < 0) {
        *status = DPT_SHARED_NO_SPACE;
        shared_say(reason, reason_length, "cannot read the free space of %s (the shared-memory directory)", directory);
        return MPI_SUCCESS;
    }
    // Room for the window and 64 MiB besides, so training does not fill the directory.
    if (available < needed + 64.0 * 1048576.0) {
        *status = DPT_SHARED_NO_SPACE;
        shared_say(reason, reason_length, "%s has %.0f MiB free, less than the %.1f MiB window plus 64 MiB kept free",
                   directory, available / 1048576.0, needed / 1048576.0);
        return MPI_SUCCESS;
    }
    struct shared_window *w = &shared_windows[slot];
    // Open MPI 4.1 starts the segments 8-byte aligned after its own header: each rank asks for
    // 64 bytes more and uses its segment from the first 64-byte boundary on.
    float *base = NULL;
    int allocated = MPI_Win_allocate_shared((MPI_Aint)(segment_bytes + 64), sizeof(float), MPI_INFO_NULL, node_comm,
                                            &base, &w->win) == MPI_SUCCESS;
    w->segments = allocated ? calloc((size_t)world, sizeof(float *)) : NULL;
    int usable = allocated && w->segments != NULL;
    if (usable) MPI_Win_lock_all(MPI_MODE_NOCHECK, w->win);
    for (int r = 0; usable && r < world; r++) {
        MPI_Aint bytes = 0;
        int unit = 0;
        float *start = NULL;
        usable = MPI_Win_shared_query(w->win, r, &bytes, &unit, &start) == MPI_SUCCESS;
        uintptr_t aligned = ((uintptr_t)start + 63) / 64 * 64;
        w->segments[r] = (float *)aligned;
        usable = usable && aligned + segment_bytes <= (uintptr_t)start + (size_t)bytes;
    }
    if (usable) memset(w->segments[rank], 0, segment_bytes);
    int everywhere = usable;
    code = MPI_Allreduce(MPI_IN_PLACE, &everywhere, 1, MPI_INT, MPI_MIN, node_comm);
    if (code != MPI_SUCCESS) return code;
    if (!everywhere) {
        if (allocated) {
            if (w->segments != NULL) MPI_Win_unlock_all(w->win);
            MPI_Win_free(&w->win);
        }
        free(w->segments);
        memset(w, 0, sizeof *w);
        *status = DPT_SHARED_FAILED;
        shared_say(reason, reason_length, "MPI_Win_allocate_shared of %.1f MiB failed",
                   needed / 1048576.0);
        return MPI_SUCCESS;
    }
    w->count = count;
    w->live = 1;
    *local = w->segments[rank];
    *id = slot;
    *status = DPT_SHARED_OK;
    return shared_fence(w);  // every segment zeroed before anyone writes
}

void dpt_mpi_shared_release(int id) {
    if (id < 0 || id >= kMaxSharedWindows || !shared_windows[id].live) return;
    shared_windows[id].released = 1;
}

float *dpt_mpi_shared_segment(int id, int rank) {
    if (id < 0 || id >= kMaxSharedWindows || !shared_windows[id].live || node_comm == MPI_COMM_NULL) return NULL;
    int size = 0;
    if (MPI_Comm_size(node_comm, &size) != MPI_SUCCESS || rank < 0 || rank >= size) return NULL;
    return shared_windows[id].segments[rank];
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
    const struct shared_window *window = shared_find(send, offset);
    if (window != NULL) {
        code = shared_reduce_scatter(window, receive, counts, offsets, rank, size);
        free(offsets);
        return code;
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
    const struct shared_window *window = shared_find(buffer, (size_t)offset);
    if (window != NULL) {
        code = shared_allgather(window, counts, displacements, size);
        free(displacements);
        return code;
    }
    code = MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, buffer, counts, displacements, MPI_FLOAT,
                          MPI_COMM_WORLD);
    free(displacements);
    return code;
}
