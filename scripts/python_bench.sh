# shellcheck shell=bash
# Provisions the Python libraries that benches/python/load.py compares
# against (PynamoDB, pydynox). Meant to be sourced; it only defines
# functions, so it changes nothing in the caller's shell until one is called.
#
#   . scripts/python_bench.sh && provision_python_bench
#   "$PYTHON_BENCH" benches/python/load.py
#
# As in scripts/backends.sh, the venv lives in the cache directory outside
# the repository ($DYNAMO_MODEL_CACHE_DIR, else $XDG_CACHE_HOME/dynamo-model,
# else ~/.cache/dynamo-model), is built under a flock so parallel runs do not
# race, and is marked complete only at its end so an interrupted install is
# redone. Errors return non-zero instead of exiting: a sourced file must not
# kill an interactive shell.

# Exact pins, so that timings compare the same code from run to run.
PYTHON_BENCH_PACKAGES=(pynamodb==6.1.0 pydynox==1.8.0)

python_bench_dir() {
  if [ -n "${DYNAMO_MODEL_CACHE_DIR:-}" ]; then
    printf '%s\n' "$DYNAMO_MODEL_CACHE_DIR/python-bench"
  else
    printf '%s\n' "${XDG_CACHE_HOME:-$HOME/.cache}/dynamo-model/python-bench"
  fi
}

# Sets PYTHON_BENCH to the venv's interpreter, installing it on first use.
provision_python_bench() {
  local dir
  dir=$(python_bench_dir) || return 1
  # The marker holds the pins, so changing them above reinstalls.
  if [ "$(cat "$dir/.complete" 2>/dev/null)" != "${PYTHON_BENCH_PACKAGES[*]}" ]; then
    command -v python3 >/dev/null 2>&1 || {
      echo "error: python3 is needed to install ${PYTHON_BENCH_PACKAGES[*]}, and is not on PATH" >&2
      return 1
    }
    mkdir -p "$(dirname "$dir")" || return 1
    if command -v flock >/dev/null 2>&1; then
      (
        flock 9 || exit 1
        python_bench_install "$dir"
      ) 9>"$dir.lock" || return 1
    else
      python_bench_install "$dir" || return 1
    fi
  fi
  PYTHON_BENCH="$dir/bin/python"
  export PYTHON_BENCH
}

python_bench_install() {
  local dir=$1
  # Another process may have finished the install while we waited for the lock.
  [ "$(cat "$dir/.complete" 2>/dev/null)" = "${PYTHON_BENCH_PACKAGES[*]}" ] && return 0
  echo "provisioning ${PYTHON_BENCH_PACKAGES[*]} into $dir" >&2
  rm -rf "$dir"
  python3 -m venv "$dir" || {
    echo "error: python3 -m venv failed (on Debian/Ubuntu: apt-get install python3-venv)" >&2
    return 1
  }
  "$dir/bin/python" -m pip install --quiet --disable-pip-version-check \
    "${PYTHON_BENCH_PACKAGES[@]}" || {
    echo "error: pip could not install ${PYTHON_BENCH_PACKAGES[*]}" >&2
    return 1
  }
  printf '%s\n' "${PYTHON_BENCH_PACKAGES[*]}" >"$dir/.complete"
}
