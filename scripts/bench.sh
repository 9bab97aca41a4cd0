#!/usr/bin/env bash
# Runs the benchmarks of BENCHMARKS.md and prints their tables:
#
#   tables   create + wait for one table, and a 10-model fixture, against
#            dynalite with --createTableMs/--deleteTableMs D for D = 0, 500,
#            2000 (one dynalite per D, each on a free loopback port)
#   compile  the derive's compile cost on 100 generated models vs serde's
#   items    put and get latency, ours vs serde_dynamo + the SDK by hand, on
#            the embedded backend and on DynamoDB Local; mapping cost per item
#   schema   Table::plan vs the same four reads by hand, and plan + apply of
#            a GSI added and dropped vs UpdateTable + a 10 ms poll by hand, on
#            the embedded backend and on DynamoDB Local
#   batches  loading 10,000 items of 1 KB: batch_put vs a hand-tuned SDK loop,
#            PynamoDB and pydynox; reading them back: query stream vs the SDK
#            paginator; peak memory of stream() vs all(); on the embedded
#            backend and on DynamoDB Local
#   instructions  instructions per operation under valgrind (callgrind):
#            encoding vs serde_dynamo alone, PutItem/GetItem vs by hand, on
#            the embedded backend; deterministic where timings are noise.
#            Needs valgrind; not part of the default run. BENCH_COUNT=client
#            counts the client's thread alone (the embedded server runs on
#            threads of its own): what a call costs the caller's process.
#
# Usage: bash scripts/bench.sh [tables] [compile] [items] [batches] [schema] [instructions]
# (default: all but instructions)
# Environment: BENCH_DELAYS (default "0 500 2000"), BENCH_RUNS (runs of each
# runtime measurement, default 7), BENCH_COMPILE_RUNS (default 5).
# Needs: cargo; node and npm for dynalite (installed on first use into the
# cache directory outside the repository, see scripts/backends.sh).
# The tables are also written to target/bench/{tables,compile}.md.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/backends.sh
. scripts/backends.sh

if [ $# -gt 0 ]; then
  PARTS=("$@")
else
  PARTS=(tables compile items batches schema)
fi
for part in "${PARTS[@]}"; do
  case $part in
    tables | compile | items | batches | schema | instructions) ;;
    *) backends_die "unknown benchmark '$part' (tables, compile, items, batches, schema, instructions)" ;;
  esac
done

OUT_DIR=target/bench
mkdir -p "$OUT_DIR"
SERVER_PIDS=()
cleanup() {
  local status=$? pid
  for pid in "${SERVER_PIDS[@]}"; do
    stop_backend "$pid"
  done
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

run_tables() {
  provision_dynalite
  local delay servers=""
  for delay in ${BENCH_DELAYS:-0 500 2000}; do
    DYNALITE_DELAY_MS=$delay
    start_dynalite "$OUT_DIR/dynalite-$delay.log"
    SERVER_PIDS+=("$BACKEND_PID")
    servers="${servers:+$servers,}$delay=$BACKEND_ENDPOINT"
    echo "dynalite --createTableMs $delay --deleteTableMs $delay: $BACKEND_ENDPOINT (pid $BACKEND_PID)" >&2
  done
  BENCH_DYNALITE=$servers BENCH_OUT="$OUT_DIR/tables.md" cargo bench --bench tables
}

run_schema() {
  BENCH_OUT="$OUT_DIR/schema-embedded.md" cargo bench --bench schema
  DYNAMO_MODEL_BACKEND=dynamodb-local BENCH_OUT="$OUT_DIR/schema-dynamodb-local.md" cargo bench --bench schema
}

run_items() {
  BENCH_OUT="$OUT_DIR/items-embedded.md" cargo bench --bench items
  DYNAMO_MODEL_BACKEND=dynamodb-local BENCH_OUT="$OUT_DIR/items-dynamodb-local.md" cargo bench --bench items
}

run_batches() {
  # shellcheck source=scripts/python_venv.sh
  . scripts/python_venv.sh
  provision_python_venv python-bench "${PYTHON_BENCH_PACKAGES[@]}"
  PYTHON_BENCH=$PYTHON_VENV
  export PYTHON_BENCH
  BENCH_OUT="$OUT_DIR/batches-embedded.md" cargo bench --bench batches
  DYNAMO_MODEL_BACKEND=dynamodb-local BENCH_OUT="$OUT_DIR/batches-dynamodb-local.md" cargo bench --bench batches
}

run_compile() {
  BENCH_OUT="$OUT_DIR/compile.md" cargo bench --bench compile
}

# Each case at N and 2N operations: (I(2N) - I(N)) / N instructions per
# operation, the setup counted in both and so left out.
run_instructions() {
  command -v valgrind >/dev/null || backends_die "the instructions benchmark needs valgrind"
  local bin case n count1 count2 out="$OUT_DIR/instructions${BENCH_COUNT:+-$BENCH_COUNT}.md"
  cargo bench --bench instructions --no-run
  bin=$(cargo bench --bench instructions --no-run --message-format=json 2>/dev/null |
    sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n 1)
  count() {
    if [ "${BENCH_COUNT:-all}" = client ]; then
      # One file per thread; the first is main's, where the client's
      # current-thread runtime runs.
      local file="$OUT_DIR/callgrind.out"
      rm -f "$file"-*
      BENCH_CASE=$1 BENCH_OPS=$2 valgrind --tool=callgrind --separate-threads=yes \
        --callgrind-out-file="$file" "$bin" >/dev/null 2>&1
      sed -n 's/^totals: \([0-9]*\).*/\1/p' "$file-01"
      return
    fi
    BENCH_CASE=$1 BENCH_OPS=$2 valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" 2>&1 |
      sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
  }
  {
    echo "| case | ops (N) | instructions per operation |"
    echo "|---|---:|---:|"
    # BENCH_CASES="put-ours-order put-ours-entity" runs only those.
    for case in ${BENCH_CASES:-$(BENCH_CASE=list "$bin")}; do
      case $case in
        encode-* | put-builder-*) n=${BENCH_ENCODE_OPS:-20000} ;;
        *) n=${BENCH_CALL_OPS:-200} ;;
      esac
      count1=$(count "$case" "$n")
      count2=$(count "$case" $((2 * n)))
      echo "| $case | $n | $(((count2 - count1) / n)) |"
    done
  } | tee "$out"
}

for part in "${PARTS[@]}"; do
  "run_$part"
done
