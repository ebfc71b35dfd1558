# mpi_lib.sh - shared set-up of the tests under mpirun (sourced by tests/dist/test_mpi*.sh): the
# CLI test helpers, $S, Open MPI's environment and mpi NP CMD... . Needs Open MPI (installed by
# scripts/install-deps.sh): the tests fail, never skip, without it.
source "$ROOT/tests/lib.sh"
S="$SAETM"
if ! command -v mpirun >/dev/null; then
  echo "FAIL: mpirun not found: install openmpi-bin and libopenmpi-dev (scripts/install-deps.sh)" >&2
  report; exit 1
fi
# Open MPI refuses root without these; 2 ranks on a 2-core machine need --oversubscribe. Open
# MPI's own allocations are never freed, so LeakSanitizer is off inside mpirun (the code paths
# are leak-checked by the one-process tests).
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl_vader_single_copy_mechanism=none
mpi() { local np=$1; shift; ASAN_OPTIONS=detect_leaks=0 timeout 120 mpirun -np "$np" --oversubscribe "$@"; }
