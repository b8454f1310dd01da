#!/usr/bin/env bash
# saddle and JAX side by side on the BENCHMARKS.md workloads, in one run on
# this machine: see benches/peers/README.md.
#
#   benches/peers/run.sh           # the full run (about 10 minutes)
#   benches/peers/run.sh --quick   # smoke test: small sizes, few samples
#
# Writes target/peers/report.md (and the raw logs next to it).
set -euo pipefail

usage() { sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; }

QUICK=0
for arg in "$@"; do
    case "$arg" in
        --quick) QUICK=1 ;;
        -h | --help) usage; exit 0 ;;
        *) echo "run.sh: unknown argument '$arg'" >&2; usage >&2; exit 2 ;;
    esac
done

for tool in python3 taskset cargo; do
    command -v "$tool" >/dev/null || { echo "run.sh: needs $tool on PATH" >&2; exit 1; }
done

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
CRITERION=${CRITERION_HOME:-$TARGET/criterion}
VENV=$TARGET/peers-venv
OUT=$TARGET/peers
JAX_VERSION=0.10.2
# Both sides run on this one core. Override with PEERS_CORE=1 if core 0 is busier.
CORE=${PEERS_CORE:-0}
mkdir -p "$OUT"

# 1. JAX in its own virtualenv (created once, reused while the version matches).
if ! "$VENV/bin/python" -c "import jax, sys; sys.exit(jax.__version__ != '$JAX_VERSION')" 2>/dev/null; then
    echo "== creating $VENV with jax[cpu]==$JAX_VERSION"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --disable-pip-version-check -q "jax[cpu]==$JAX_VERSION"
fi

# 2. One thread everywhere: XLA's CPU client, any BLAS/OpenMP, rayon, matrixmultiply.
export XLA_FLAGS="--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
export RAYON_NUM_THREADS=1 MATMUL_NUM_THREADS=1

# 3. saddle's criterion benches. Built first (not pinned: compiling is not
#    timed), then run pinned with a filter that selects the rows of the table
#    (1-thread ids only: a 2-thread bench pinned to one core means nothing).
BENCHES=()
for b in w1_rosenbrock w2_mlp w5_softmax; do
    [ -f "benches/$b.rs" ] && BENCHES+=("$b")
done
BENCH_ARGS=()
for b in "${BENCHES[@]}"; do BENCH_ARGS+=(--bench "$b"); done
echo "== building ${BENCHES[*]}"
cargo bench --no-run "${BENCH_ARGS[@]}"

W1_OPS="(f64|gradient|hvp|dense_hessian_8_lanes_1_threads|sparse_hessian)"
W2_OPS="(loss_f64|gradient|hvp|20_hvps|20_hvps_batched|hessian_1_threads)"
if [ "$QUICK" = 1 ]; then
    FILTER="^(w1(_block)?/$W1_OPS/(10|100)|w2/$W2_OPS/small|w5/(loss_f64|gradient|hvp|ggnvp))\$"
    CRIT_OPTS=(--warm-up-time 0.1 --measurement-time 0.3 --sample-size 10 --nresamples 1000)
else
    FILTER="^(w1(_block)?/$W1_OPS/[0-9]+|w2/$W2_OPS/(small|medium)|w2_medium_hessian/threads/1|w5/(loss_f64|gradient|hvp|ggnvp|hessian_1_threads|ggn_1_threads))\$"
    CRIT_OPTS=()
fi

SINCE=$(date +%s)
for b in "${BENCHES[@]}"; do
    echo "== saddle: $b on core $CORE"
    # A failing bench leaves its rows at "–" rather than stopping the run.
    if ! taskset -c "$CORE" cargo bench --bench "$b" -- --noplot "${CRIT_OPTS[@]}" "$FILTER" \
        2>&1 | tee "$OUT/saddle-$b.log"; then
        echo "run.sh: bench $b failed; its rows will show '–' (log: $OUT/saddle-$b.log)" >&2
    fi
done

# 4. JAX, same core. A value that differs from the references stops the run.
echo "== JAX on core $CORE"
JAX_OPTS=()
[ "$QUICK" = 1 ] && JAX_OPTS+=(--quick)
taskset -c "$CORE" "$VENV/bin/python" benches/peers/jax_bench.py "${JAX_OPTS[@]}" --out "$OUT/jax.json" \
    2>&1 | tee "$OUT/jax.log"

# 5. The table.
echo
REPORT_OPTS=(--jax "$OUT/jax.json" --criterion "$CRITERION" --since "$SINCE" --core "$CORE" --out "$OUT/report.md")
[ "$QUICK" = 1 ] && REPORT_OPTS+=(--quick)
"$VENV/bin/python" benches/peers/report.py "${REPORT_OPTS[@]}"
echo
echo "written: $OUT/report.md"
