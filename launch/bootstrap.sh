#!/usr/bin/env bash
# Shared set-up for the launch scripts (sourced, not run): installs the Debian packages dptrain
# needs when they are missing, builds dptrain in release mode, and exports the environment
# every rank needs. Idempotent and quiet when there is nothing to do.
#
# Variables it sets for the caller:
#   DPTRAIN_ROOT  the repository root
#   DPTRAIN_BIN   the release binary; set it beforehand to an existing dptrain executable to
#                 use that one and skip the build (an installed copy on a cluster, or the
#                 test suite's own build)
#   DPTRAIN_SKIP_BUILD=1  (set by the caller) installs and exports only: launch/test lets
#                 `swift test` build everything once, with the test flags, instead of a
#                 product build here that `swift test` would then redo from scratch
# Packages: Open MPI, OpenBLAS, zlib and the Fashion-MNIST data for dptrain itself; iproute2
# (`ip`) for the multi-host tests, which build two network namespaces.
# Exported for every rank:
#   OPENBLAS_NUM_THREADS=1     one BLAS thread per rank: ranks × threads ≤ cores, otherwise
#                              ranks fight over cores and every GEMM slows down
#   OPENBLAS_CORETYPE          the best OpenBLAS kernel set for this CPU (SkylakeX on AVX-512;
#                              Debian's OpenBLAS 0.3.21 would pick Haswell on AMD Zen 4/5).
#                              Set it yourself to override; DPTRAIN_BLAS_KERNELS=default keeps
#                              OpenBLAS's own choice.
#   OMPI_ALLOW_RUN_AS_ROOT(_CONFIRM)=1 when running as root (Open MPI refuses root otherwise)

DPTRAIN_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DPTRAIN_PACKAGES=(libopenmpi-dev openmpi-bin libopenblas-dev dataset-fashion-mnist zlib1g-dev iproute2)
# Callers may add optional packages they alone need (launch/test adds chromium for the
# report-rendering test): installed best-effort, a failure is a warning, not an error.
DPTRAIN_OPTIONAL_PACKAGES=("${DPTRAIN_EXTRA_PACKAGES[@]:-}")

dptrain_install_packages() {
    local missing=()
    local package
    for package in "${DPTRAIN_PACKAGES[@]}"; do
        [ -n "$package" ] || continue
        if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$package")
        fi
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local command="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${missing[*]}"
    if [ "$(id -u)" -ne 0 ]; then
        echo "dptrain needs these Debian packages: ${missing[*]}" >&2
        echo "Install them as root, then run this again:" >&2
        echo "  sudo sh -c '$command'" >&2
        exit 1
    fi
    echo "Installing ${missing[*]} ..." >&2
    if ! (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}") \
        >/tmp/dptrain-apt.log 2>&1; then
        cat /tmp/dptrain-apt.log >&2
        echo "error: installing ${missing[*]} failed (log above)" >&2
        exit 1
    fi
}

dptrain_install_optional_packages() {
    local missing=()
    local package
    for package in "${DPTRAIN_OPTIONAL_PACKAGES[@]}"; do
        [ -n "$package" ] || continue
        if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$package")
        fi
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "note: optional packages ${missing[*]} are not installed; tests that need them report themselves skipped" >&2
        return 0
    fi
    echo "Installing optional ${missing[*]} ..." >&2
    if ! (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}") \
        >/tmp/dptrain-apt-optional.log 2>&1; then
        echo "warning: installing ${missing[*]} failed (see /tmp/dptrain-apt-optional.log); tests that need them report themselves skipped" >&2
    fi
}

dptrain_build() {
    [ "${DPTRAIN_SKIP_BUILD:-0}" = "1" ] && return 0
    if [ -n "${DPTRAIN_BIN:-}" ]; then
        if [ ! -x "$DPTRAIN_BIN" ]; then
            echo "error: DPTRAIN_BIN=$DPTRAIN_BIN is not an executable file" >&2
            exit 1
        fi
        return 0
    fi
    local log
    log="$(mktemp)"
    if ! (cd "$DPTRAIN_ROOT" && swift build -c release --product dptrain) >"$log" 2>&1; then
        cat "$log" >&2
        rm -f "$log"
        echo "error: building dptrain failed (compiler output above)" >&2
        exit 1
    fi
    # Quiet when nothing was rebuilt; otherwise one line.
    if grep -q "Compiling" "$log"; then echo "Built dptrain (release)." >&2; fi
    rm -f "$log"
    DPTRAIN_BIN="$DPTRAIN_ROOT/.build/release/dptrain"
}

dptrain_environment() {
    export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
    if [ -z "${OPENBLAS_CORETYPE:-}" ] && [ "${DPTRAIN_BLAS_KERNELS:-auto}" != "default" ]; then
        if grep -q -w avx512f /proc/cpuinfo && grep -q -w avx512bw /proc/cpuinfo \
            && grep -q -w avx512dq /proc/cpuinfo && grep -q -w avx512vl /proc/cpuinfo; then
            export OPENBLAS_CORETYPE=SkylakeX
        fi
    fi
    if [ "$(id -u)" -eq 0 ]; then
        export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    fi
}

dptrain_install_packages
dptrain_install_optional_packages
dptrain_build
dptrain_environment
