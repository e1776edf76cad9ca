#!/usr/bin/env bash
# setup.sh of a coursekit autograder bundle (written by `coursekit gradescope`).
#
# Gradescope runs this once, as root, when it builds the autograder image; the bundle's files are
# in /autograder/source ("Autograder Specifications",
# https://gradescope-autograders.readthedocs.io/en/latest/specs/). It installs bubblewrap (the
# grading sandbox), a Python of the version the pins were made with, the pinned dependencies
# from PyPI (requirements.txt) and the coursekit wheel of this bundle, then tries the sandbox.
#
# For a local trial run: COURSEKIT_AUTOGRADER_ROOT replaces /autograder, and
# COURSEKIT_AUTOGRADER_PYTHON=/path/to/python skips every install step (apt-get, venv, pip) and
# only runs the sandbox self-test with that interpreter.
set -euo pipefail

ROOT="${COURSEKIT_AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"
VENV="${COURSEKIT_AUTOGRADER_VENV:-/opt/coursekit/venv}"
PYVER="@PYTHON_VERSION@"
WHEEL="@WHEEL@"

if [ -z "${COURSEKIT_AUTOGRADER_PYTHON:-}" ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends bubblewrap ca-certificates
    if ! command -v "python$PYVER" >/dev/null 2>&1 \
            || ! "python$PYVER" -c 'import ensurepip, venv' >/dev/null 2>&1; then
        apt-get install -y --no-install-recommends "python$PYVER" "python$PYVER-venv" || {
            echo "setup.sh: Python $PYVER is not available from apt on this image; choose a" \
                 "Gradescope base image that has it, or rebuild the bundle with that Python" >&2
            exit 1
        }
    fi
    "python$PYVER" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --no-cache-dir --upgrade pip
    "$VENV/bin/python" -m pip install --no-cache-dir -r "$SOURCE/requirements.txt"
    "$VENV/bin/python" -m pip install --no-cache-dir --no-deps "$SOURCE/$WHEEL"
    PYTHON="$VENV/bin/python"
else
    PYTHON="$COURSEKIT_AUTOGRADER_PYTHON"
fi

# Report whether the sandbox works in this image (it never fails the build: run_autograder
# refuses to run student code without it unless the bundle was built with --unsafe-no-sandbox).
"$PYTHON" -m coursekit.assignments.gradescope selftest --root "$ROOT"
