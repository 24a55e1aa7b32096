#!/usr/bin/env bash
# Shared mpirun set-up for launch/train, launch/study and launch/bench (sourced after bootstrap.sh, not run):
# where ranks go, how they are pinned, which environment they get, and a check that the files
# a run reads exist on every host before any rank starts.
#
# Placement (added only when the caller's --mpi-arg list has no --map-by / --bind-to of its own):
#   one host, ranks ≤ cores   --map-by core --bind-to core: each rank owns a core; with one BLAS
#                             thread per rank nothing migrates and caches stay warm.
#   one host, ranks > cores   --oversubscribe --bind-to none: binding would stack several ranks
#                             on one core while others idle; let the kernel share the cores.
#   hosts (--hostfile/--host) --map-by slot --bind-to core: fill each host's slots before the
#                             next (consecutive ranks share a host) and pin each rank to a core.
#                             Give each host slots=<cores to use>; if slots exceed a host's
#                             cores, pass --mpi-arg --bind-to --mpi-arg none.
# Environment forwarded with -x (remote ranks do not inherit this shell's environment; local
# ranks get it anyway):
#   OPENBLAS_NUM_THREADS (always), OMPI_ALLOW_RUN_AS_ROOT(_CONFIRM) when set (root),
#   DPTRAIN_BLAS_KERNELS and DPTRAIN_FAULT when set, DPTRAIN_TERMINAL (1 when this script's
#   stdout is a terminal: progress bar; 0 otherwise: plain lines), and OPENBLAS_CORETYPE when set — on
#   several hosts only if you set it yourself: bootstrap.sh picks it from *this* host's CPU,
#   while dptrain on each host picks the best kernels for that host's CPU when it is unset.

# dptrain_mpi_args RANKS HOSTS_GIVEN USER_CORETYPE MPI_ARG...
# Sets DPTRAIN_MPI_ARGS: the given mpirun arguments plus placement and environment.
dptrain_mpi_args() {
    local ranks="$1" hosts_given="$2" user_coretype="$3"
    shift 3
    DPTRAIN_MPI_ARGS=("$@")
    local placement_given=0 argument
    for argument in "$@"; do
        case "$argument" in
            --map-by|--bind-to|--rank-by|--map-by=*|--bind-to=*|--rank-by=*|-bind-to|-map-by) placement_given=1 ;;
        esac
    done
    if [ "$hosts_given" -eq 0 ]; then
        if [ -n "$ranks" ] && [ "$ranks" -gt "$(nproc)" ]; then
            DPTRAIN_MPI_ARGS+=(--oversubscribe)
            [ "$placement_given" -eq 0 ] && DPTRAIN_MPI_ARGS+=(--bind-to none)
        elif [ "$placement_given" -eq 0 ]; then
            DPTRAIN_MPI_ARGS+=(--map-by core --bind-to core)
        fi
    elif [ "$placement_given" -eq 0 ]; then
        DPTRAIN_MPI_ARGS+=(--map-by slot --bind-to core)
    fi
    DPTRAIN_MPI_ARGS+=(-x OPENBLAS_NUM_THREADS)
    if [ "$hosts_given" -eq 0 ]; then
        [ -n "${OPENBLAS_CORETYPE:-}" ] && DPTRAIN_MPI_ARGS+=(-x OPENBLAS_CORETYPE)
    elif [ -n "$user_coretype" ]; then
        export OPENBLAS_CORETYPE="$user_coretype"
        DPTRAIN_MPI_ARGS+=(-x OPENBLAS_CORETYPE)
    else
        unset OPENBLAS_CORETYPE
    fi
    # Ranks see an Open MPI pseudo-terminal even when this script's output goes to a file or a
    # pipe: tell rank 0 whether a progress bar or plain lines fit where the output really goes.
    if [ -z "${DPTRAIN_TERMINAL:-}" ]; then
        if [ -t 1 ]; then export DPTRAIN_TERMINAL=1; else export DPTRAIN_TERMINAL=0; fi
    fi
    local name
    for name in OMPI_ALLOW_RUN_AS_ROOT OMPI_ALLOW_RUN_AS_ROOT_CONFIRM DPTRAIN_BLAS_KERNELS DPTRAIN_FAULT DPTRAIN_TERMINAL; do
        [ -n "${!name:-}" ] && DPTRAIN_MPI_ARGS+=(-x "$name")
    done
    return 0
}

# dptrain_hosts HOSTFILE HOSTLIST: prints the distinct host names, one a line (hostfile lines
# "host slots=N ...", comments and blank lines skipped; --host entries "h" or "h:slots").
dptrain_hosts() {
    local hostfile="$1" hostlist="$2"
    {
        if [ -n "$hostfile" ]; then
            sed -e 's/#.*//' "$hostfile" | awk 'NF { print $1 }'
        fi
        if [ -n "$hostlist" ]; then
            tr ',' '\n' <<<"$hostlist" | sed -e 's/:[0-9]*$//' | awk 'NF { print $1 }'
        fi
    } | awk '!seen[$0]++'
}

# dptrain_absolute PATH: PATH made absolute against the current directory (not resolved).
dptrain_absolute() {
    case "$1" in
        /*) printf '%s\n' "$1" ;;
        *) printf '%s\n' "$PWD/$1" ;;
    esac
}

# dptrain_run_paths CONFIG OVERRIDE... | --study STUDY: prints "KEY<TAB>ABSOLUTE-PATH" for every
# file or directory a run of CONFIG (or any run of STUDY) reads (data.path for fashion-mnist/idx,
# data.train/data.test for npy/csv, model.init_from), read from the resolved config(s) by
# `dptrain config-get` (with --study: one line per distinct value over the study's runs).
dptrain_run_paths() {
    local source=("$1")
    [ "$1" = "--study" ] && source=(--study "$2") && shift
    shift
    local datasets values value key
    datasets="$("$DPTRAIN_BIN" config-get "${source[@]}" data.dataset "$@")" || return 1
    local keys=(model.init_from)
    case $'\n'"$datasets"$'\n' in *$'\n'fashion-mnist$'\n'*|*$'\n'idx$'\n'*) keys+=(data.path) ;; esac
    case $'\n'"$datasets"$'\n' in *$'\n'npy$'\n'*|*$'\n'csv$'\n'*) keys+=(data.train data.test) ;; esac
    for key in "${keys[@]}"; do
        values="$("$DPTRAIN_BIN" config-get --missing-ok "${source[@]}" "$key" "$@")" || return 1
        while IFS= read -r value; do
            [ -n "$value" ] && printf '%s\t%s\n' "$key" "$(dptrain_absolute "$value")"
        done <<<"$values"
    done
    return 0
}

# dptrain_check_hosts HOSTFILE HOSTLIST CONFIG OVERRIDE... | HOSTFILE HOSTLIST --study STUDY
# On every distinct host, starts one process through mpirun itself (no ssh of our own; the same
# launch agent and MCA settings as the job, from DPTRAIN_CHECK_ARGS) that tests the binary and
# the data paths of the run (or of every run of the study). Fails with a message naming the
# host and the missing path.
dptrain_check_hosts() {
    local hostfile="$1" hostlist="$2"
    shift 2
    local entries
    entries="$(dptrain_run_paths "$@")" || {
        if [ "$1" = "--study" ]; then
            echo "launch: cannot read the study $2 (error above)" >&2
        else
            echo "launch: cannot read the config $1 (error above)" >&2
        fi
        return 1
    }
    local paths=("$DPTRAIN_BIN") keys=("the dptrain binary") key path
    while IFS=$'\t' read -r key path; do
        [ -n "$key" ] || continue
        keys+=("$key")
        paths+=("$path")
    done <<<"$entries"
    local hosts host output failed=0 index
    hosts="$(dptrain_hosts "$hostfile" "$hostlist")"
    # The probe prints "missing <index>" for each path that does not exist on its host.
    local probe='i=0; for p in "$@"; do test -e "$p" || echo "missing $i"; i=$((i+1)); done; echo probe-done'
    while read -r host; do
        [ -n "$host" ] || continue
        if ! output="$(timeout "${DPTRAIN_HOST_CHECK_TIMEOUT:-60}" mpirun "${DPTRAIN_CHECK_ARGS[@]}" \
                --host "$host" -n 1 sh -c "$probe" sh "${paths[@]}" </dev/null 2>&1)" \
            || ! grep -q '^probe-done' <<<"$output"; then
            echo "$output" >&2
            echo "launch: could not start a process on host $host through mpirun (output above);" \
                 "check that the host is reachable and Open MPI is installed there" >&2
            return 1
        fi
        for index in $(sed -n 's/^missing \([0-9]*\)$/\1/p' <<<"$output"); do
            echo "launch: ${paths[$index]} (${keys[$index]}) does not exist on host $host;" \
                 "the dptrain binary and the data must exist at the same path on every host" >&2
            failed=1
        done
    done <<<"$hosts"
    return "$failed"
}
