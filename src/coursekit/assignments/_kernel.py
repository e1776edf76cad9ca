"""The grading kernel: ipykernel without its debugger (``python -m coursekit.assignments._kernel
-f CONNECTION_FILE``), started by ``_execute`` inside the sandbox.

ipykernel imports debugpy (and its pydevd) in every kernel it starts, to advertise and serve
the Jupyter debugger: about 0.5 s of CPU per graded notebook, for a debugger nobody attaches
to a grading run (ipykernel 7 has no option to skip it; ipython/ipykernel#1543 and #1545
propose one). Here ``ipykernel.debugger`` is imported while ``debugpy`` cannot be, so it
records "no debugpy" and the kernel starts without a debugger. The block is lifted before any
student code runs: a notebook that imports debugpy itself still can.
"""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["main"]


def main() -> None:
    """Start an IPython kernel (the arguments are ipykernel's) with no debugger."""
    # As ipykernel_launcher: the working folder (the student's) is off sys.path while
    # ipykernel loads; IPKernelApp.init_path puts it back for the notebook's code.
    if sys.path[0] == "" or Path(sys.path[0]) == Path.cwd():
        del sys.path[0]
    blocked = "debugpy" not in sys.modules
    if blocked:
        sys.modules["debugpy"] = None  # type: ignore[assignment]  # import raises ImportError
    try:
        import ipykernel.debugger  # noqa: F401  # now says _is_debugpy_available = False
    finally:
        if blocked:
            del sys.modules["debugpy"]
    from ipykernel.kernelapp import launch_new_instance

    launch_new_instance()


if __name__ == "__main__":
    main()
