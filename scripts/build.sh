#!/usr/bin/env bash
# Builds one zip per Lambda into build/: the library's parts it needs (the example's code too) plus their dependencies as manylinux
# wheels for the Lambda architecture, versions pinned by constraints.txt. Prints the sizes.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/build.sh [--arch arm64|x86_64] [--python 3.13]
  Writes build/orders.zip (durable function) and build/webhook.zip (Slack webhook).
USAGE
}

arch=arm64 python_version=3.13
while [[ $# -gt 0 ]]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --arch) arch="${2:?--arch needs a value}"; shift 2 ;;
    --python) python_version="${2:?--python needs a value}"; shift 2 ;;
    *) echo "error: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done
case "$arch" in
  arm64) platform=manylinux2014_aarch64 ;;
  x86_64) platform=manylinux2014_x86_64 ;;
  *) echo "error: --arch must be arm64 or x86_64, not '$arch'" >&2; exit 2 ;;
esac

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/bootstrap.sh"
python="$root/.venv/bin/python"
out="${BUILD_DIR:-$root/build}"
mkdir -p "$out"

# Lambda's code directory is read-only: bytecode not shipped in the zip is compiled again on every
# cold start. Compiling needs the runtime's own Python (bytecode is per version); hash-checked,
# never timestamp-checked, so the zip's timestamps cannot invalidate it.
runtime_python() {  # prints a working python$python_version (on PATH or under pyenv), if any
  local candidate
  for candidate in "$(command -v "python$python_version" || true)" \
    "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$python_version"*/bin/"python$python_version"; do
    if [[ -x "$candidate" ]] && "$candidate" -c 'import sys; assert sys.version_info[:2] == tuple(map(int, sys.argv[1].split(".")))' "$python_version" 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
}

precompile() {  # staging directory
  local target_python
  target_python="$(runtime_python)"
  if [[ -z "$target_python" ]]; then
    echo "warning: no python$python_version here: the bundle ships without bytecode, so each cold start compiles it" >&2
    return 0
  fi
  "$target_python" -m compileall -q -j 0 --invalidation-mode unchecked-hash "$1" >/dev/null \
    || { echo "error: python$python_version could not compile the bundle" >&2; return 1; }
}

bundle() {  # name, requirements file, our packages...
  local name="$1" requirements="$2"; shift 2
  local staging="$out/$name"
  rm -rf "$staging" "$out/$name.zip"
  mkdir -p "$staging"
  "$python" -m pip install --quiet --disable-pip-version-check \
    --target "$staging" --platform "$platform" --implementation cp \
    --python-version "$python_version" --only-binary=:all: \
    -c "$root/constraints.txt" -r "$requirements"
  local path target
  for path in "$@"; do  # paths from the repository root; src/ is where the library lives
    target="$staging/${path#src/}"
    mkdir -p "$(dirname "$target")"
    cp -R "$root/$path" "$target"
  done
  find "$staging" -name '__pycache__' -type d -prune -exec rm -rf {} +
  precompile "$staging"
  "$python" -c 'import shutil, sys; shutil.make_archive(sys.argv[1], "zip", root_dir=sys.argv[2])' \
    "$out/$name" "$staging"
  rm -rf "$staging"
  printf '%-8s %6s KiB  %s\n' "$name" "$(( $(stat -c %s "$out/$name.zip") / 1024 ))" "$out/$name.zip"
}

lib=(src/greenlight/__init__.py src/greenlight/py.typed src/greenlight/core src/greenlight/aws
  src/greenlight/slack)
bundle orders "$root/scripts/lib/requirements-orders.txt" "${lib[@]}" src/greenlight/gate \
  examples/__init__.py examples/orders
bundle webhook "$root/scripts/lib/requirements-webhook.txt" "${lib[@]}" src/greenlight/webhook
