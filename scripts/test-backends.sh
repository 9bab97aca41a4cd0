#!/usr/bin/env bash
# Runs the integration suite against four DynamoDB backends and prints a
# pass/fail/note table:
#
#   embedded        dynoxide, in-process (the default of LocalDynamoDb::start)
#   dynamodb-local  AWS's DynamoDB Local; DYNAMO_MODEL_BACKEND=dynamodb-local
#                   (dynamo-model provisions and runs the JVM itself)
#   moto            moto_server, via DYNAMODB_ENDPOINT
#   dynalite        dynalite with real CREATING/DELETING delays, via DYNAMODB_ENDPOINT
#
# Each test binary is built once (`cargo test --no-run`) and run once per
# backend with DYNAMO_MODEL_TEST_BACKEND=<name>, which tests/support/backend.rs
# reads. Every test process starts on an empty server: the embedded backend
# and DynamoDB Local are started by the process itself, and moto and dynalite
# get a fresh server (on a new free loopback port) for each test binary; the
# tests of one binary share it, kept apart by their table names. A test that meets a feature its backend lacks prints
# `note: <backend> lacks <feature>; checked <what> instead`; the table counts
# those lines. Servers are killed at the end (also on failure or Ctrl-C), and
# after each backend no server process of this run may remain.
#
# Usage: bash scripts/test-backends.sh [backend...]   (default: all four)
# Needs: cargo; Java 17+ and npm (DynamoDB Local); python3 with venv (moto);
# node and npm (dynalite). Exits non-zero if any test failed or any server
# process outlived its backend's pass.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/backends.sh
. scripts/backends.sh

ALL_BACKENDS=(embedded dynamodb-local moto dynalite)
if [ $# -gt 0 ]; then
  BACKENDS=("$@")
else
  BACKENDS=("${ALL_BACKENDS[@]}")
fi
for backend in "${BACKENDS[@]}"; do
  case " ${ALL_BACKENDS[*]} " in
    *" $backend "*) ;;
    *) backends_die "unknown backend '$backend' (one of: ${ALL_BACKENDS[*]})" ;;
  esac
done

# Every process this run starts inherits this; the stray check looks for it.
DYNAMO_MODEL_RUN_ID="test-backends-$$-$(date +%s%N)"
export DYNAMO_MODEL_RUN_ID
# Per-binary limit, so a hung test cannot eat CI's time (s).
TARGET_TIMEOUT=${DYNAMO_MODEL_TARGET_TIMEOUT:-600}
LOG_DIR=target/test-backends
rm -rf "$LOG_DIR"
mkdir -p "$LOG_DIR"

SERVER_PID=""
cleanup() {
  local status=$?
  if [ -n "$SERVER_PID" ]; then
    stop_backend "$SERVER_PID"
    SERVER_PID=""
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

STARTED=$(date +%s)
elapsed() { echo "$(($(date +%s) - STARTED))s"; }

# ---------------------------------------------------------------- build ----
# The integration targets that talk to a server: every tests/*.rs that starts
# or reaches one (compile_fail only compiles, derive_schema only reads schemas).
echo "== building the test binaries (cargo test --no-run)"
cargo test --no-run --message-format=json-render-diagnostics >"$LOG_DIR/build.json" ||
  backends_die "cargo test --no-run failed"
# name<TAB>executable, for the root package's integration tests.
python3 - "$LOG_DIR/build.json" >"$LOG_DIR/targets.tsv" <<'PY'
import json, os, sys
root = os.getcwd()
for line in open(sys.argv[1]):
    try:
        msg = json.loads(line)
    except ValueError:
        continue
    if msg.get("reason") != "compiler-artifact" or not msg.get("executable"):
        continue
    target = msg["target"]
    src = target.get("src_path", "")
    if "test" in target.get("kind", []) and os.path.dirname(src) == os.path.join(root, "tests"):
        print(f'{target["name"]}\t{msg["executable"]}')
PY
TARGETS=()
declare -A EXE=()
while IFS=$'\t' read -r name exe; do
  [ "$name" = compile_fail ] && continue
  # The fault tests put their proxy in front of the embedded backend whatever
  # the environment says; `cargo test` runs them once, which is enough.
  case "$name" in faults | timeout_faults | batch_faults) continue ;; esac
  grep -qE 'LocalDynamoDb|TestTables|dynamo_model::test|run_test|DYNAMODB_ENDPOINT|support::server' "tests/$name.rs" || continue
  TARGETS+=("$name")
  EXE[$name]=$exe
done < <(sort "$LOG_DIR/targets.tsv")
[ ${#TARGETS[@]} -gt 0 ] || backends_die "found no integration test binaries"
# DynamoDB Local's own process tests (start, stop on drop, die with a killed
# parent) live in the library's unit tests; they run on that pass only.
LIB_EXE=$(python3 - "$LOG_DIR/build.json" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    try:
        msg = json.loads(line)
    except ValueError:
        continue
    t = msg.get("target", {})
    if msg.get("reason") == "compiler-artifact" and msg.get("executable") \
            and t.get("name") == "dynamo_model" and "lib" in t.get("kind", []):
        print(msg["executable"])
PY
)
LIB_TARGET="lib:testing::dynamodb_local"
echo "   targets: ${TARGETS[*]} ($(elapsed))"

# ------------------------------------------------------------ provision ----
for backend in "${BACKENDS[@]}"; do
  case $backend in
    moto) provision_moto ;;
    dynalite) provision_dynalite ;;
    dynamodb-local)
      backends_need java "run DynamoDB Local"
      ;;
  esac
done

# ---------------------------------------------------------------- stray ----
# Processes of this run's servers still alive (zombies excluded): a
# DynamoDB Local JVM, moto_server or dynalite whose environment carries
# this run's id. Waits up to 5 s for the kernel to finish them off.
stray_processes() {
  local _ pid found
  for _ in $(seq 1 50); do
    found=""
    for pid in $(pgrep -f 'DynamoDBLocal\.jar|moto_server|dynalite/cli\.js' || true); do
      [ -r "/proc/$pid/environ" ] || continue
      case "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" in Z | X | "") continue ;; esac
      tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qx "DYNAMO_MODEL_RUN_ID=$DYNAMO_MODEL_RUN_ID" || continue
      found="$found $pid"
    done
    [ -z "$found" ] && return 0
    sleep 0.1
  done
  echo "$found"
}

# ------------------------------------------------------------------ run ----
declare -A PASSED=() FAILED=() NOTES=() STATE=()
TOTAL_PASSED=0
TOTAL_FAILED=0
STRAY_FAILURES=()

# record BACKEND NAME PASSED FAILED NOTES [STATE]
record() {
  PASSED[$1/$2]=$3
  FAILED[$1/$2]=$4
  NOTES[$1/$2]=$5
  [ -z "${6:-}" ] || STATE[$1/$2]=$6
  TOTAL_PASSED=$((TOTAL_PASSED + $3))
  TOTAL_FAILED=$((TOTAL_FAILED + $4))
  printf '   %-28s %4d passed %3d failed %3d notes%s\n' "$2" "$3" "$4" "$5" \
    "$([ "$4" -gt 0 ] && echo "   <- see $LOG_DIR/$1/${2//[:\/]/_}.log${6:+ ($6)}")"
}

# run_target BACKEND NAME EXE [ARGS...]: runs one test binary (on a fresh
# moto or dynalite server for those backends), records counts.
run_target() {
  local backend=$1 name=$2 exe=$3
  shift 3
  local log="$LOG_DIR/$backend/${name//[:\/]/_}.log" rc=0 passed=0 failed=0 notes=0 state=""
  mkdir -p "$LOG_DIR/$backend"
  case $backend in
    moto | dynalite)
      if ! "start_$backend" "$LOG_DIR/$backend/${name//[:\/]/_}.server.log" 2>"$log"; then
        stop_backend "$BACKEND_PID"
        record "$backend" "$name" 0 1 0 "no server"
        return
      fi
      SERVER_PID=$BACKEND_PID
      export DYNAMODB_ENDPOINT=$BACKEND_ENDPOINT
      ;;
  esac
  timeout --kill-after=10 "$TARGET_TIMEOUT" "$exe" "$@" --show-output >>"$log" 2>&1 || rc=$?
  if [ -n "$SERVER_PID" ]; then
    stop_backend "$SERVER_PID"
    SERVER_PID=""
  fi
  unset DYNAMODB_ENDPOINT
  read -r passed failed < <(awk '
    /^test result:/ {
      for (i = 1; i <= NF; i++) {
        if ($(i + 1) ~ /^passed/) p += $i
        if ($(i + 1) ~ /^failed/) f += $i
      }
    }
    END { print p + 0, f + 0 }' "$log")
  notes=$(grep -cE '^note: [a-z-]+ lacks ' "$log" || true)
  if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
    failed=1 # crashed, timed out or refused to start: no result line
    state="exit $rc"
  fi
  record "$backend" "$name" "$passed" "$failed" "$notes" "$state"
}

for backend in "${BACKENDS[@]}"; do
  echo "== $backend ($(elapsed))"
  # Each pass sees only its own backend's variables.
  unset DYNAMODB_ENDPOINT AWS_ENDPOINT_URL_DYNAMODB DYNAMO_MODEL_BACKEND
  export DYNAMO_MODEL_TEST_BACKEND=$backend
  [ "$backend" = dynamodb-local ] && export DYNAMO_MODEL_BACKEND=dynamodb-local
  for name in "${TARGETS[@]}"; do
    run_target "$backend" "$name" "${EXE[$name]}"
  done
  if [ "$backend" = dynamodb-local ] && [ -n "$LIB_EXE" ]; then
    run_target "$backend" "$LIB_TARGET" "$LIB_EXE" testing::dynamodb_local
  fi
  unset DYNAMODB_ENDPOINT DYNAMO_MODEL_BACKEND DYNAMO_MODEL_TEST_BACKEND
  left=$(stray_processes)
  if [ -n "$left" ]; then
    echo "   error: server processes outlived the $backend pass:" >&2
    # shellcheck disable=SC2086
    ps -o pid,ppid,stat,args -p "$(echo $left | tr ' ' ',')" >&2 || true
    STRAY_FAILURES+=("$backend:$left")
    # shellcheck disable=SC2086
    kill -KILL $left 2>/dev/null || true
  else
    echo "   no java/moto/dynalite process left"
  fi
done

# ---------------------------------------------------------------- table ----
echo
echo "== results: passed/failed (notes = 'note: <backend> lacks ...' lines)"
cell() {
  local key=$1
  if [ -z "${PASSED[$key]+x}" ]; then
    echo "-"
  else
    local text="${PASSED[$key]}/${FAILED[$key]}"
    [ "${NOTES[$key]}" -gt 0 ] && text="$text n${NOTES[$key]}"
    [ -n "${STATE[$key]:-}" ] && text="$text (${STATE[$key]})"
    echo "$text"
  fi
}
ROWS=("${TARGETS[@]}")
case " ${BACKENDS[*]} " in *" dynamodb-local "*) ROWS+=("$LIB_TARGET") ;; esac
printf '%-28s' "target"
for backend in "${BACKENDS[@]}"; do printf ' %-16s' "$backend"; done
echo
for name in "${ROWS[@]}"; do
  printf '%-28s' "$name"
  for backend in "${BACKENDS[@]}"; do printf ' %-16s' "$(cell "$backend/$name")"; done
  echo
done
printf '%-28s' "total"
for backend in "${BACKENDS[@]}"; do
  p=0 f=0 n=0
  for name in "${ROWS[@]}"; do
    p=$((p + ${PASSED[$backend/$name]:-0}))
    f=$((f + ${FAILED[$backend/$name]:-0}))
    n=$((n + ${NOTES[$backend/$name]:-0}))
  done
  printf ' %-16s' "$p/$f n$n"
done
echo
echo
echo "== what each note says"
for backend in "${BACKENDS[@]}"; do
  [ -d "$LOG_DIR/$backend" ] || continue
  grep -hoE '^note: [a-z-]+ lacks .*' "$LOG_DIR/$backend"/*.log 2>/dev/null | sort | uniq -c |
    sed 's/^ *\([0-9]*\) note: /   \1x /' || true
done

if [ "$TOTAL_FAILED" -gt 0 ]; then
  echo
  echo "== failures"
  for backend in "${BACKENDS[@]}"; do
    for name in "${ROWS[@]}"; do
      [ "${FAILED[$backend/$name]:-0}" -gt 0 ] || continue
      log="$LOG_DIR/$backend/${name//[:\/]/_}.log"
      echo "-- $backend / $name ($log)"
      if [ -f "$log" ]; then
        # The panics, without the passing tests' output.
        grep -E "^thread '.*' panicked|^---- .* stdout ----|^test .* FAILED|^error" -A3 "$log" |
          grep -vE '^note: run with|^--$' | head -n 40
      else
        echo "   (${STATE[$backend/$name]:-not run})"
      fi
    done
  done
fi
if [ ${#STRAY_FAILURES[@]} -gt 0 ]; then
  echo
  echo "== server processes outlived their pass: ${STRAY_FAILURES[*]}"
fi

echo
echo "four-backend run took $(elapsed)"
echo "backends: $TOTAL_PASSED passed, $TOTAL_FAILED failed"
if [ "$TOTAL_FAILED" -gt 0 ] || [ ${#STRAY_FAILURES[@]} -gt 0 ]; then
  exit 1
fi
