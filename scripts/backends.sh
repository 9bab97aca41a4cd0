#!/usr/bin/env bash
# Provisioning and lifecycle of the compatibility backends (moto, dynalite),
# sourced by scripts/test-backends.sh. DynamoDB Local is provisioned and run
# by dynamo-model itself (dynamo-model/src/testing/dynamodb_local.rs).
#
# Nothing is installed by hand: the first use installs each pinned server
# into the cache directory, outside the repository (the same one the Rust
# code uses): $DYNAMO_MODEL_CACHE_DIR, else $XDG_CACHE_HOME/dynamo-model, else
# ~/.cache/dynamo-model. An install runs under a lock (flock) and is marked
# complete only at its end, so parallel runs and interrupted installs are safe.
#
# Used on its own:
#   bash scripts/backends.sh provision [moto] [dynalite]
#   bash scripts/backends.sh paths

# shellcheck disable=SC2034 # BACKEND_PID / BACKEND_ENDPOINT are read by the caller.
# Pinned versions. moto 5.x is the current major; dynalite 4.0.0 is the
# first release on the `level` 10 stack (in-memory, prebuilt natives).
MOTO_VERSION=5.2.5
DYNALITE_VERSION=4.0.0
# dynalite holds new and deleted tables in CREATING / DELETING this long (ms),
# as real DynamoDB does, to exercise the waits.
DYNALITE_DELAY_MS=500
# How long a server may take to answer after it was started (s).
BACKEND_START_TIMEOUT=60

backends_die() {
  echo "error: $*" >&2
  exit 1
}

backends_cache_dir() {
  if [ -n "${DYNAMO_MODEL_CACHE_DIR:-}" ]; then
    printf '%s\n' "$DYNAMO_MODEL_CACHE_DIR"
  elif [ -n "${XDG_CACHE_HOME:-}" ] && [ "${XDG_CACHE_HOME#/}" != "$XDG_CACHE_HOME" ]; then
    printf '%s\n' "$XDG_CACHE_HOME/dynamo-model"
  elif [ -n "${HOME:-}" ]; then
    printf '%s\n' "$HOME/.cache/dynamo-model"
  else
    backends_die "no cache directory: set DYNAMO_MODEL_CACHE_DIR (or HOME)"
  fi
}

MOTO_DIR="$(backends_cache_dir)/moto-$MOTO_VERSION"
DYNALITE_DIR="$(backends_cache_dir)/dynalite-$DYNALITE_VERSION"

# Runs "$@" holding an exclusive lock on the file $1 (then shifts it off).
backends_locked() {
  local lock=$1
  shift
  mkdir -p "$(dirname "$lock")"
  if command -v flock >/dev/null 2>&1; then
    (
      flock 9
      "$@"
    ) 9>"$lock"
  else
    "$@"
  fi
}

backends_need() {
  command -v "$1" >/dev/null 2>&1 || backends_die "$1 is needed to $2, and is not on PATH"
}

# moto's server, in a virtualenv of its own: <cache>/moto-<version>.
provision_moto() {
  [ -f "$MOTO_DIR/.complete" ] && return 0
  backends_need python3 "install moto (python3 -m venv + pip)"
  backends_locked "$MOTO_DIR.lock" provision_moto_locked
}

provision_moto_locked() {
  [ -f "$MOTO_DIR/.complete" ] && return 0
  echo "provisioning moto[server]==$MOTO_VERSION into $MOTO_DIR" >&2
  rm -rf "$MOTO_DIR"
  python3 -m venv "$MOTO_DIR" ||
    backends_die "python3 -m venv failed (on Debian/Ubuntu: apt-get install python3-venv)"
  "$MOTO_DIR/bin/python" -m pip install --quiet --disable-pip-version-check \
    "moto[server]==$MOTO_VERSION" ||
    backends_die "pip could not install moto[server]==$MOTO_VERSION"
  [ -x "$MOTO_DIR/bin/moto_server" ] || backends_die "moto[server] installed no moto_server"
  touch "$MOTO_DIR/.complete"
}

# dynalite from npm: <cache>/dynalite-<version>/node_modules/dynalite.
provision_dynalite() {
  [ -f "$DYNALITE_DIR/.complete" ] && return 0
  backends_need node "run dynalite"
  backends_need npm "install dynalite"
  backends_locked "$DYNALITE_DIR.lock" provision_dynalite_locked
}

provision_dynalite_locked() {
  [ -f "$DYNALITE_DIR/.complete" ] && return 0
  echo "provisioning dynalite@$DYNALITE_VERSION into $DYNALITE_DIR" >&2
  rm -rf "$DYNALITE_DIR"
  # Install scripts are skipped: the one native module (classic-level)
  # ships prebuilt binaries, and the in-memory store does not need it.
  npm install --prefix "$DYNALITE_DIR" --no-save --no-audit --no-fund \
    --ignore-scripts --loglevel=error "dynalite@$DYNALITE_VERSION" >&2 ||
    backends_die "npm could not install dynalite@$DYNALITE_VERSION"
  [ -f "$DYNALITE_DIR/node_modules/dynalite/cli.js" ] || backends_die "dynalite@$DYNALITE_VERSION has no cli.js"
  touch "$DYNALITE_DIR/.complete"
}

backends_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Whether something on 127.0.0.1:$1 answers an HTTP request.
backends_answers_http() {
  (
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf 'GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
    IFS= read -r -t 2 line <&3 || exit 1
    case $line in HTTP/*) exit 0 ;; *) exit 1 ;; esac
  ) 2>/dev/null
}

# Runs a server in the background (no subshell in between, so $! is the
# server itself). Where setpriv has --pdeathsig, the kernel kills it if this
# shell dies without running its EXIT trap (kill -9).
# Sets BACKEND_PID; stdout and stderr go to $1.
backends_spawn() {
  local log=$1
  shift
  if setpriv --help 2>/dev/null | grep -q -- --pdeathsig; then
    setpriv --pdeathsig KILL -- "$@" >"$log" 2>&1 </dev/null &
  else
    "$@" >"$log" 2>&1 </dev/null &
  fi
  BACKEND_PID=$!
}

# Waits until 127.0.0.1:$1 answers, while process $2 lives; $3 is its log.
backends_wait_ready() {
  local port=$1 pid=$2 log=$3 name=$4 waited=0
  while ! backends_answers_http "$port"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "error: $name exited before answering on port $port; its output:" >&2
      tail -n 40 "$log" >&2
      return 1
    fi
    if [ "$waited" -ge $((BACKEND_START_TIMEOUT * 20)) ]; then
      echo "error: $name did not answer on port $port within ${BACKEND_START_TIMEOUT}s; its output:" >&2
      tail -n 40 "$log" >&2
      return 1
    fi
    sleep 0.05
    waited=$((waited + 1))
  done
}

# start_moto LOG / start_dynalite LOG: start the server on a free loopback
# port; set BACKEND_PID and BACKEND_ENDPOINT.
start_moto() {
  local port
  port=$(backends_free_port)
  backends_spawn "$1" "$MOTO_DIR/bin/moto_server" -H 127.0.0.1 -p "$port"
  BACKEND_ENDPOINT="http://127.0.0.1:$port"
  backends_wait_ready "$port" "$BACKEND_PID" "$1" "moto_server"
}

start_dynalite() {
  local port
  port=$(backends_free_port)
  backends_spawn "$1" node "$DYNALITE_DIR/node_modules/dynalite/cli.js" \
    --host 127.0.0.1 --port "$port" \
    --createTableMs "$DYNALITE_DELAY_MS" --deleteTableMs "$DYNALITE_DELAY_MS" \
    --updateTableMs "$DYNALITE_DELAY_MS"
  BACKEND_ENDPOINT="http://127.0.0.1:$port"
  backends_wait_ready "$port" "$BACKEND_PID" "$1" "dynalite"
}

# Stops process $1: TERM, then KILL after 5 s; reaps it.
stop_backend() {
  local pid=$1 _
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  case "${1:-}" in
    provision)
      shift
      [ $# -gt 0 ] || set -- moto dynalite
      for backend in "$@"; do
        case $backend in
          moto) provision_moto ;;
          dynalite) provision_dynalite ;;
          *) backends_die "unknown backend $backend (moto, dynalite; DynamoDB Local provisions itself)" ;;
        esac
      done
      ;;
    paths)
      echo "cache: $(backends_cache_dir)"
      echo "moto: $MOTO_DIR (moto[server]==$MOTO_VERSION)"
      echo "dynalite: $DYNALITE_DIR (dynalite@$DYNALITE_VERSION)"
      ;;
    *)
      echo "usage: bash scripts/backends.sh provision [moto] [dynalite] | paths" >&2
      exit 2
      ;;
  esac
fi
