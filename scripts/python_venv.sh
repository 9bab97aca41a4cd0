# shellcheck shell=bash
# Provisions the Python tools the benchmarks and export checks run: a venv
# per tool set, with exact pins. Meant to be sourced; it only defines
# functions, so it changes nothing in the caller's shell until one is called.
#
#   . scripts/python_venv.sh
#   provision_python_venv python-bench pynamodb==6.1.0 pydynox==1.8.0   # sets PYTHON_VENV
#
# As in scripts/backends.sh, the venvs live in the cache directory outside
# the repository ($DYNAMO_MODEL_CACHE_DIR, else $XDG_CACHE_HOME/dynamo-model,
# else ~/.cache/dynamo-model), are built under a flock so parallel runs do
# not race, and are marked complete only at their end so an interrupted
# install is redone. Errors return non-zero instead of exiting: a sourced
# file must not kill an interactive shell.

# The packages the benchmarks compare against (benches/python/load.py).
PYTHON_BENCH_PACKAGES=(pynamodb==6.1.0 pydynox==1.8.0)
# The tools the exports are checked with (tests/export.rs): the linters, and
# moto, whose CloudFormation deploys the template.
EXPORT_TOOLS_PACKAGES=(cfn-lint==1.58.0 python-hcl2==8.1.4 "moto[server,cloudformation]==5.2.5")

python_venv_dir() {
  if [ -n "${DYNAMO_MODEL_CACHE_DIR:-}" ]; then
    printf '%s\n' "$DYNAMO_MODEL_CACHE_DIR/$1"
  else
    printf '%s\n' "${XDG_CACHE_HOME:-$HOME/.cache}/dynamo-model/$1"
  fi
}

# provision_python_venv NAME PACKAGE...: sets PYTHON_VENV to the venv's
# interpreter, installing the packages on first use.
provision_python_venv() {
  local name=$1 dir
  shift
  dir=$(python_venv_dir "$name") || return 1
  # The marker holds the pins, so changing them reinstalls.
  if [ "$(cat "$dir/.complete" 2>/dev/null)" != "$*" ]; then
    command -v python3 >/dev/null 2>&1 || {
      echo "error: python3 is needed to install $*, and is not on PATH" >&2
      return 1
    }
    mkdir -p "$(dirname "$dir")" || return 1
    if command -v flock >/dev/null 2>&1; then
      (
        flock 9 || exit 1
        python_venv_install "$dir" "$@"
      ) 9>"$dir.lock" || return 1
    else
      python_venv_install "$dir" "$@" || return 1
    fi
  fi
  PYTHON_VENV="$dir/bin/python"
  export PYTHON_VENV
}

python_venv_install() {
  local dir=$1
  shift
  # Another process may have finished the install while we waited for the lock.
  [ "$(cat "$dir/.complete" 2>/dev/null)" = "$*" ] && return 0
  echo "provisioning $* into $dir" >&2
  rm -rf "$dir"
  python3 -m venv "$dir" || {
    echo "error: python3 -m venv failed (on Debian/Ubuntu: apt-get install python3-venv)" >&2
    return 1
  }
  "$dir/bin/python" -m pip install --quiet --disable-pip-version-check "$@" || {
    echo "error: pip could not install $*" >&2
    return 1
  }
  printf '%s\n' "$*" >"$dir/.complete"
}
