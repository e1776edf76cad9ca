"""Run one student notebook in a bubblewrap sandbox and read back plain JSON.

The sandbox (``bwrap``): no network (``--unshare-net``), a read-only view of the system, a
fresh ``/proc`` in its own pid namespace (the grader's processes and command line are not
there), a size-capped private ``/tmp`` as the only writable place, and tmpfs over the paths
it must not read (submissions, assignment, bank, output folder, ``instructor-bank``, ``HOME``).
Inside, ``_runner`` becomes an unprivileged uid with ``RLIMIT_NPROC``, memory
(``RLIMIT_AS``) and file-size (``RLIMIT_FSIZE``) caps and runs nbclient, client and kernel.
The notebook goes in on stdin; results come out as JSON lines on a pipe, read size-capped.
The whole sandbox is killed at a wall-clock limit (process group, ``--die-with-parent``; the
kernel kills every process of a pid namespace whose init dies).

Nothing in the sandbox can write Python bytecode (read-only system, PYTHONDONTWRITEBYTECODE).
In an environment whose packages were installed without it (``uv pip install`` without
``--compile-bytecode``, or ``PYTHONDONTWRITEBYTECODE`` set when they were first imported),
the runner and kernel compile every module they import from source in every notebook (about
60% of a graded notebook's CPU, measured): ``python -m compileall`` on the environment fixes it.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import secrets
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coursekit.errors import InputError, RunError

from ._answers import decode
from ._quizapi import DEFAULT_BANK

__all__ = ["CellRun", "Limits", "NotebookRun", "Sandbox", "SandboxUnavailable"]

#: Environment variables passed into the sandbox when set (public data locations).
PASS_ENV = ("COURSEKIT_DATA_DIR", "COURSEKIT_SEEDS_DIR", "LANG")
_UID_BASE = 1_900_000_000
#: Environment variable naming the grading run that started a sandboxed process.
TAG_ENV = "COURSEKIT_SANDBOX_TAG"
#: The repository's bank folder (hidden from every sandbox when coursekit runs from a checkout).
BANK_FOLDER = DEFAULT_BANK


class SandboxUnavailable(RunError):
    """No sandbox can be made here (bwrap missing or failing its self-test)."""


@dataclass(frozen=True)
class Limits:
    """What one notebook may use. Every limit must be a positive whole number."""

    cell_timeout: int = 60
    notebook_timeout: int = 600
    memory_mb: int = 2048
    max_procs: int = 64
    max_output_mb: int = 64

    def __post_init__(self) -> None:
        flags = {"cell_timeout": "--timeout", "notebook_timeout": "--notebook-timeout",
                 "memory_mb": "--memory-mb", "max_procs": "--max-procs",
                 "max_output_mb": "--max-output-mb"}
        for name, flag in flags.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise InputError(f"{flag} must be a positive whole number, got {value!r}")


@dataclass
class CellRun:
    """What happened in one code cell: ``(item id, answer)`` pairs and the first error."""

    records: list[tuple[str, Any]] = field(default_factory=list)
    error: str | None = None


@dataclass
class NotebookRun:
    """Every code cell's :class:`CellRun`; ``problem`` says why the run stopped early."""

    cells: dict[int, CellRun] = field(default_factory=dict)
    problem: str | None = None
    done: bool = False


def _existing(paths: list[Path]) -> list[Path]:
    out = []
    for path in paths:
        try:
            resolved = Path(path).expanduser().resolve()
        except (OSError, RuntimeError):
            continue
        if resolved.exists() and resolved not in out:
            out.append(resolved)
    return out


def _under(path: Path, parent: Path) -> bool:
    return path == parent or parent in path.parents


def _needed() -> list[Path]:
    """Folders the runner needs: the interpreter, its packages, coursekit itself and the files it
    ships (in an editable checkout these are the repository's ``data/``, ``seeds/`` and
    ``chapters/quizzes/``, outside the package: under ``/tmp`` they must be bound back too)."""
    import coursekit
    from coursekit._resources import resource_path

    paths = [Path(sys.prefix), Path(sys.base_prefix), Path(sys.executable).resolve().parent,
             Path(coursekit.__file__).resolve().parent.parent]
    paths += [resource_path(kind).resolve() for kind in ("data", "seeds", "quizzes")]
    # site-packages only: other sys.path entries (the current folder) could be a hidden one
    paths += [Path(p) for p in sys.path if "-packages" in Path(p).name and Path(p).is_dir()]
    return _existing(paths)


def _bind_needed(args: list[str], needed: list[Path], covers: list[Path]) -> None:
    """Bind each needed folder that lies under one of ``covers`` back in, read-only."""
    made: set[Path] = set()
    for need in needed:
        cover = next((c for c in covers if _under(need, c)), None)
        if cover is None:
            continue
        for parent in reversed(need.parents):
            if _under(parent, cover) and parent != cover and parent not in made:
                args += ["--perms", "0755", "--dir", str(parent)]
                made.add(parent)
        args += ["--ro-bind", str(need), str(need)]


def _cover(path: Path) -> list[str]:
    """bwrap arguments that hide ``path``: an empty folder over a folder, an empty file over a
    file (a bank may be a single YAML file)."""
    return ["--tmpfs", str(path)] if path.is_dir() else ["--ro-bind", "/dev/null", str(path)]


def _private_above(needed: list[Path]) -> list[Path]:
    """Folders above a needed one that other users may not enter (no ``o+x``: a ``0700`` home, a
    checkout inside a private temporary folder). The runner's unprivileged uid could not reach
    the interpreter or coursekit through them, and every notebook would hand back nothing: they
    are covered like hidden paths, and what is needed inside is bound back (same paths)."""
    private = set()
    for need in needed:
        for parent in need.parents:
            with contextlib.suppress(OSError):
                if not parent.stat().st_mode & stat.S_IXOTH:
                    private.add(parent)
    return sorted(private)


def _mount_args(hidden: list[Path], scratch_bytes: int) -> list[str]:
    needed = _needed()
    private = set(_private_above(needed)) - set(_existing(hidden))
    hide = [p for p in sorted({*_existing(hidden), *private}, key=lambda p: len(p.parts))
            if not _under(p, Path("/tmp")) and p != Path("/")]
    hide = [p for i, p in enumerate(hide) if not any(_under(p, q) for q in hide[:i])]
    args = ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    for path in hide:
        args += _cover(path)
    _bind_needed(args, [n for n in needed if not _under(n, Path("/tmp"))], hide)
    # Hidden again if it lies inside a folder bound back in: every hidden path, also one that a
    # wider cover (a private folder, another hidden one) swallowed above. A private folder was
    # covered only to be passable: covering it again would hide what is needed.
    for path in _existing(hidden):
        if not _under(path, Path("/tmp")) and any(_under(path, n) and path != n for n in needed):
            args += _cover(path)
    args += ["--perms", "1777", "--size", str(scratch_bytes), "--tmpfs", "/tmp"]
    in_tmp = [n for n in needed if _under(n, Path("/tmp"))]
    _bind_needed(args, in_tmp, [Path("/tmp")])
    for path in _existing(hidden):  # a hidden path inside what was bound back into /tmp
        if any(_under(path, n) and path != n for n in in_tmp):
            args += _cover(path)
    return args


def _read_capped(fd: int, cap: int, sink: dict[str, Any]) -> None:
    chunks, size = [], 0
    with os.fdopen(fd, "rb") as pipe:
        while True:
            data = pipe.read(65536)
            if not data:
                break
            if size < cap:
                chunks.append(data[:cap - size])
            size += len(data)
    sink["data"], sink["size"] = b"".join(chunks), size


class Sandbox:
    """Runs notebooks under ``limits`` with ``hidden`` paths out of sight.

    With ``unsafe=True`` nothing isolates the code (no bwrap): only the limits apply. Without
    it, a failing self-test raises :class:`SandboxUnavailable` saying why.
    """

    def __init__(self, limits: Limits, hidden: list[Path], unsafe: bool = False) -> None:
        self.limits, self.unsafe = limits, unsafe
        self._live: set[subprocess.Popen[bytes]] = set()
        self._lock = threading.Lock()
        self.hidden = [*hidden, Path.home(), *_quiz_folders()]
        if not unsafe:
            self._self_test()

    def kill_all(self) -> None:
        """Kill every sandbox still running (on Ctrl-C or an error in the grader)."""
        with self._lock:
            live = list(self._live)
        for process in live:
            _kill_group(process)

    def _command(self, inner: list[str], uid: int | None) -> list[str]:
        env = {"PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
               "HOME": "/tmp/home", "TMPDIR": "/tmp", "JUPYTER_RUNTIME_DIR": "/tmp/.runtime",
               "JUPYTER_CONFIG_DIR": "/tmp/.jupyter", "IPYTHONDIR": "/tmp/.ipython",
               "JUPYTER_PLATFORM_DIRS": "1", "MPLCONFIGDIR": "/tmp/.mpl", "MPLBACKEND": "Agg",
               "PYTHONDONTWRITEBYTECODE": "1", "OPENBLAS_NUM_THREADS": "1",
               "OMP_NUM_THREADS": "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1",
               "LANG": "C.UTF-8"}
        env.update({k: os.environ[k] for k in PASS_ENV if k in os.environ})
        # Which grading run a sandboxed process belongs to (for tests and for an
        # administrator's `ps e`); it grants nothing.
        env[TAG_ENV] = os.environ.get(TAG_ENV) or f"coursekit-grade-{os.getpid()}"
        if self.unsafe:
            return inner
        command = [_bwrap(), "--unshare-net", "--unshare-pid", "--unshare-ipc",
                   "--unshare-uts", "--unshare-cgroup-try", "--die-with-parent",
                   "--new-session", "--hostname", "sandbox",
                   *_mount_args(self.hidden, self.limits.max_output_mb << 20),
                   "--chdir", "/tmp", "--clearenv"]
        for key, value in env.items():
            command += ["--setenv", key, value]
        return [*command, *inner]

    def _self_test(self) -> None:
        if _bwrap() is None:
            raise SandboxUnavailable("bubblewrap (bwrap) is not installed (Debian/Ubuntu: "
                                     "apt-get install bubblewrap)")
        probe = ("import socket, os, coursekit\n"
                 "s = socket.socket()\n"
                 "s.settimeout(1)\n"
                 "try:\n    s.connect(('1.1.1.1', 53))\n    print('network')\n"
                 "except OSError:\n    print('isolated', len(os.listdir('/proc')))\n")
        command = self._command([sys.executable, "-c", probe], None)
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=60,
                                  stdin=subprocess.DEVNULL, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SandboxUnavailable(f"bwrap could not start: {exc}") from None
        if done.returncode != 0 or not done.stdout.startswith("isolated"):
            why = (done.stderr.strip().splitlines() or [done.stdout.strip() or "no output"])[-1]
            raise SandboxUnavailable(f"the bwrap self-test failed: {why}")

    def run(self, notebook: bytes) -> NotebookRun:
        """Run one notebook (its bytes) and return what each code cell recorded."""
        limits = self.limits
        read_fd, write_fd = os.pipe()
        uid = None if self.unsafe or os.geteuid() != 0 else \
            _UID_BASE + secrets.randbelow(100_000_000)
        inner = [sys.executable, "-m", "coursekit.assignments._runner",
                 "--timeout", str(limits.cell_timeout), "--max-procs", str(limits.max_procs),
                 "--memory-mb", str(limits.memory_mb), "--max-file-mb",
                 str(limits.max_output_mb), "--result-fd", str(write_fd)]
        if uid is not None:
            inner += ["--uid", str(uid)]
        workdir = None
        if self.unsafe:
            workdir = tempfile.mkdtemp(prefix="coursekit-unsafe-")
            inner += ["--workdir", workdir]
        with tempfile.TemporaryFile() as errors:
            try:
                process = subprocess.Popen(self._command(inner, uid), stdin=subprocess.PIPE,
                                           stdout=subprocess.DEVNULL, stderr=errors,
                                           pass_fds=(write_fd,), start_new_session=True,
                                           cwd=workdir or "/")
            finally:
                os.close(write_fd)
            with self._lock:
                self._live.add(process)
            sink: dict[str, Any] = {}
            reader = threading.Thread(target=_read_capped, args=(
                read_fd, limits.max_output_mb << 20, sink), daemon=True)
            reader.start()
            killed = False
            try:
                process.stdin.write(notebook)
                process.stdin.close()
            except (BrokenPipeError, OSError):
                pass
            try:
                process.wait(timeout=limits.notebook_timeout)
            except subprocess.TimeoutExpired:
                killed = True
            finally:
                _kill_group(process)
                if uid is not None:
                    _kill_uid(uid)
                with self._lock:
                    self._live.discard(process)
            reader.join(timeout=30)
            errors.seek(0)
            stderr = errors.read(4000).decode("utf-8", "replace")
        if workdir:
            shutil.rmtree(workdir, ignore_errors=True)
        run = _parse(sink.get("data", b""), sink.get("size", 0), limits.max_output_mb << 20)
        if killed:
            run.problem = f"the notebook ran over its {limits.notebook_timeout} s limit"
        elif run.problem is None and not run.done and process.returncode != 0:
            tail = stderr.strip().splitlines()[-1:] or [f"exit status {process.returncode}"]
            run.problem = f"the notebook run failed: {tail[0][:300]}"
        return run


def _parse(data: bytes, size: int, cap: int) -> NotebookRun:
    """The last complete JSON line written by the runner, decoded (never imported)."""
    run = NotebookRun()
    if size > cap:
        run.problem = f"the notebook's output passed the {cap >> 20} MB limit"
    state = None
    for line in reversed(data.splitlines()):
        try:
            candidate = json.loads(line)
        except (ValueError, RecursionError):
            continue
        if isinstance(candidate, dict) and isinstance(candidate.get("cells"), dict):
            state = candidate
            break
    if state is None:
        run.problem = run.problem or ("the notebook run handed back no readable results"
                                      if data else "the notebook run handed back nothing")
        return run
    for key, cell in state["cells"].items():
        try:
            index = int(key)
            records = [(str(r[0]), decode(r[1])) for r in cell.get("records", [])
                       if isinstance(r, list) and len(r) == 2]
            error = cell.get("error")
            run.cells[index] = CellRun(records, str(error)[:600] if error else None)
        except (TypeError, ValueError, AttributeError, RecursionError):
            run.problem = "the notebook run handed back malformed results"
    stopped = state.get("stopped")
    run.done = state.get("done") is True
    if stopped and not run.done:
        run.problem = run.problem or str(stopped)[:300]
    return run


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _kill_uid(uid: int) -> None:
    """Kill every process still running as the sandbox's own uid (none should be)."""
    for _ in range(20):
        found = False
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                if proc.stat().st_uid == uid:
                    os.kill(int(proc.name), signal.SIGKILL)
                    found = True
            except (OSError, ValueError):
                continue
        if not found:
            return
        time.sleep(0.05)


def _quiz_folders() -> list[Path]:
    """The repository's own instructor bank when coursekit runs from a checkout (keys that no
    sandbox may read). The public quiz files stay visible: they hold no private value, and
    a student's ``quiz.show`` and ``check`` need them."""
    import coursekit

    checkout = Path(coursekit.__file__).resolve().parent.parent.parent
    return [checkout / BANK_FOLDER]


@functools.cache
def _bwrap() -> str | None:
    return shutil.which("bwrap")
