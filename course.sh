#!/usr/bin/env bash
# Set up the course's virtual environment and use it.
#
#   ./course.sh lab    install everything into .venv and open JupyterLab on the course
#                      (as root, e.g. in a container, it passes --allow-root and warns)
#   ./course.sh test   install everything into .venv and run the whole test suite
#   ./course.sh setup  only install
#
# Environment variables:
#   PYTHON            the interpreter to build .venv from (default: the newest python3.x >= 3.11 found)
#   TORCH_INDEX_URL   a pip index to take PyTorch from, e.g. https://download.pytorch.org/whl/cpu
#                     for a small CPU-only build (default: pip's own configuration)
#   ANNCOURSE_VENV    where the virtual environment lives (default: .venv)
set -euo pipefail
cd "$(dirname "$0")"

VENV=${ANNCOURSE_VENV:-.venv}
TORCH_VERSION=2.13.0

find_python() {
    if [ -n "${PYTHON:-}" ]; then echo "$PYTHON"; return; fi
    for candidate in python3.13 python3.12 python3.11 python3 python; do
        if command -v "$candidate" >/dev/null 2>&1 &&
           "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "$candidate"; return
        fi
    done
    echo "error: anncourse needs Python 3.11 or newer (nbgrader 0.9.6 does); none was found." >&2
    echo "Install one, or point PYTHON at it: PYTHON=/path/to/python3.11 $0 $*" >&2
    exit 1
}

setup() {
    local extras=$1
    if [ ! -x "$VENV/bin/python" ]; then
        local py
        py=$(find_python)
        echo "Creating the virtual environment $VENV with $($py --version)"
        "$py" -m venv "$VENV"
        "$VENV/bin/python" -m pip install --quiet --upgrade pip
    fi
    # Reinstall only when the project's requirements changed.
    local stamp="$VENV/.anncourse-$extras"
    local want
    want=$(cksum < pyproject.toml)
    # JupyterLab's defaults for the course (no news prompt); cheap, so always.
    "$VENV/bin/python" binder/install-lab-settings --prefix "$VENV" >/dev/null
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        return
    fi
    echo "Installing anncourse[$extras] into $VENV (this takes a minute the first time)"
    # PyTorch first, pinned, so that the project's range is already satisfied
    # and pip does not replace it with a multi-GB CUDA build.
    if ! "$VENV/bin/python" -c "import torch" >/dev/null 2>&1; then
        if [ -n "${TORCH_INDEX_URL:-}" ]; then
            "$VENV/bin/python" -m pip install --quiet "torch==$TORCH_VERSION" --index-url "$TORCH_INDEX_URL"
        else
            "$VENV/bin/python" -m pip install --quiet "torch==$TORCH_VERSION"
        fi
    fi
    "$VENV/bin/python" -m pip install --quiet -e ".[$extras]"
    echo "$want" > "$stamp"
}

# Tools the course runs by name (nbgrader calls `alembic`) come from the environment.
export PATH="$PWD/$VENV/bin:$PATH"

# System packages the tests use: bubblewrap, which autograding needs to isolate
# learners' code (README, "Grading and its security model"), Debian's Chromium
# for the browser test, and a colour emoji font so that the headings it renders
# have no missing-glyph boxes, and PostgreSQL's server for the gradebook test.
# Install them where we can, else say so.
ensure_system_packages() {
    local missing=()
    command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
    [ -x /usr/bin/chromium ] || missing+=(chromium)
    if command -v dpkg >/dev/null 2>&1; then
        dpkg -s fonts-noto-color-emoji >/dev/null 2>&1 || missing+=(fonts-noto-color-emoji)
        # MathJax served locally, for the feedback test's check that math renders
        # and its Safe extension refuses javascript: links.
        dpkg -s libjs-mathjax >/dev/null 2>&1 || missing+=(libjs-mathjax)
        # The PostgreSQL server, for the gradebook test's throwaway cluster
        # (tests/test_gradebook_postgres.py; it does not use Debian's own cluster).
        compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
    fi
    [ ${#missing[@]} -eq 0 ] && return
    local sudo=()
    if [ "$(id -u)" != 0 ]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo=(sudo -n); else sudo=(none); fi
    fi
    if [ "${sudo[0]:-}" != none ] && command -v apt-get >/dev/null 2>&1; then
        echo "Installing ${missing[*]} (apt-get) for the tests"
        ("${sudo[@]}" apt-get update -qq &&
         DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}") >/dev/null ||
            echo "warning: could not install ${missing[*]}" >&2
    else
        echo "warning: ${missing[*]} not installed: the autograding tests (bubblewrap) and the" >&2
        echo "         browser tests (chromium, fonts-noto-color-emoji, libjs-mathjax) and the PostgreSQL" >&2
        echo "         gradebook test (postgresql) are skipped or degraded." >&2
        echo "         Install them with your package manager." >&2
    fi
}

command=${1:-}
case "$command" in
    lab)
        shift
        setup course,torch
        root_flag=()
        if [ "$(id -u)" = 0 ]; then
            # Docker containers and many cloud VMs run as root; JupyterLab refuses without this.
            echo "warning: running JupyterLab as root (passing --allow-root)" >&2
            root_flag=(--allow-root)
        fi
        exec "$VENV/bin/jupyter" lab --ServerApp.root_dir="$PWD" \
            --ServerApp.default_url=/lab/tree/course ${root_flag[@]+"${root_flag[@]}"} "$@"
        ;;
    test)
        shift
        setup test
        ensure_system_packages
        exec "$VENV/bin/python" -m pytest -n auto --dist loadfile "$@"
        ;;
    setup)
        setup test
        ;;
    *)
        sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
        exit 2
        ;;
esac
