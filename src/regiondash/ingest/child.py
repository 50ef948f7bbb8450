"""Reading untrusted input in a fresh, limited child process, whose reply is bounded both ways.

The server never parses a spreadsheet, a CSV or a database pull itself: a `python -I` child does,
under an address-space limit and a wall-clock deadline, and sends back plain data. The child
refuses a reply larger than Limits.max_reply_bytes, and the server stops reading (and kills the
child) past the same size, so no input can grow the server by more than that.
The child imports only the modules it names: never pandas or streamlit.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import pickle
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import ClassVar

from regiondash.ingest.limits import Limits

log = logging.getLogger(__name__)

# The child must not import the real package: regiondash/__init__.py and its subpackages pull
# in pandas, which would add about a second to every read and hundreds of MB to the limited
# child. Registering bare package modules with the right __path__ lets it import just the
# modules it needs.
_PACKAGES = ("regiondash", "regiondash.ingest", "regiondash.sources")
_BOOTSTRAP = (
    "import importlib, sys, types\n"
    "import os\n"
    "sys.path[:] = sys.argv[4].split(os.pathsep)\n"
    "root = sys.argv[1]\n"
    "for name in sys.argv[3].split(','):\n"
    "    module = types.ModuleType(name)\n"
    "    module.__path__ = [root + '/' + name.replace('.', '/')]\n"
    "    sys.modules[name] = module\n"
    "module_name, _, function = sys.argv[2].partition(':')\n"
    "getattr(importlib.import_module(module_name), function)()\n"
)
_SOURCE_ROOT = Path(__file__).resolve().parent.parent.parent
_STDERR_KEPT = 64 * 1024  # what is kept of a child's stderr for the log


@dataclass
class ChildRun:
    """How one child ended: its reply when it sent a readable one."""

    status: str  # "ok" | "timeout" | "reply_too_large" | "died"
    reply: dict | None
    code: int | None
    stderr: bytes
    seconds: float


class _ReplyUnpickler(pickle.Unpickler):
    """Unpickles a child's reply allowing nothing but plain data and dates."""

    # The child has just read hostile input; should a reader bug ever let the input take it
    # over, its reply must still not be able to run code in the server.
    _ALLOWED: ClassVar[dict[tuple[str, str], type]] = {
        ("datetime", "date"): dt.date,
        ("datetime", "datetime"): dt.datetime,
    }

    def find_class(self, module: str, name: str):
        try:
            return self._ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(f"{module}.{name} not allowed") from None


def run_child(entry: str, request: dict, limits: Limits, timeout: float) -> ChildRun:
    """Run `module:function` (which calls serve) in a fresh child with the request on its stdin;
    the child's pickled reply is read back within limits.max_reply_bytes and the timeout."""
    return start_child(entry, request, limits, timeout).finish()


def start_child(entry: str, request: dict, limits: Limits, timeout: float) -> RunningChild:
    """Start run_child's child and return at once: the request is written and the reply read
    by background threads, so the caller can do other work until RunningChild.finish()."""
    started = time.monotonic()
    if timeout <= 0:
        return RunningChild(entry, None, started, timeout, limits.max_reply_bytes)
    payload = pickle.dumps({**request, "limits": asdict(limits)}, protocol=pickle.HIGHEST_PROTOCOL)
    command = [
        sys.executable,
        "-I",  # no PYTHON* variables, user site or script directory: only the venv's packages
        "-c",
        _BOOTSTRAP,
        str(_SOURCE_ROOT),
        entry,
        ",".join(_PACKAGES),
        # The server's own import path, so the child finds the packages the server does (a
        # PYTHONPATH install included) while -I keeps every other PYTHON* setting out.
        os.pathsep.join(p for p in sys.path if p and Path(p).is_absolute()),
    ]
    try:
        # No preexec_fn: the server is threaded. The child limits itself before reading.
        proc = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            close_fds=True,
            # Rust's allocation-failure handler otherwise prints a long backtrace.
            env={**os.environ, "RUST_BACKTRACE": "0"},
        )
    except OSError as exc:
        log.error("could not start a reader child: %s", exc)
        child = RunningChild(entry, None, started, timeout, limits.max_reply_bytes)
        child.start_error = f"start failed: {exc}".encode()
        return child
    child = RunningChild(entry, proc, started, timeout, limits.max_reply_bytes)
    child.begin(payload)
    return child


class RunningChild:
    """A child started by start_child: its stdin written and its stdout and stderr read by
    daemon threads, stdout only up to max_out bytes (past that the child is killed)."""

    def __init__(
        self,
        entry: str,
        proc: subprocess.Popen | None,
        started: float,
        timeout: float,
        max_out: int,
    ):
        self.entry, self.proc, self.started = entry, proc, started
        self.timeout, self.max_out = timeout, max_out
        self.out, self.err = bytearray(), bytearray()
        self.too_large = threading.Event()
        self.threads: list[threading.Thread] = []
        self.start_error: bytes | None = None

    def begin(self, payload: bytes) -> None:
        """Start the threads that feed the child its request and collect what it writes."""
        proc = self.proc
        assert proc is not None

        def write() -> None:
            try:
                proc.stdin.write(payload)  # type: ignore[union-attr]
                proc.stdin.close()  # type: ignore[union-attr]
            except OSError:
                pass  # the child died or stopped reading: its exit says why

        def read_out() -> None:
            while chunk := proc.stdout.read1(1 << 16):  # type: ignore[union-attr]
                self.out.extend(chunk)
                if len(self.out) > self.max_out:
                    self.too_large.set()
                    proc.kill()
                    return

        def read_err() -> None:
            while chunk := proc.stderr.read1(1 << 16):  # type: ignore[union-attr]
                if len(self.err) < _STDERR_KEPT:
                    self.err.extend(chunk[: _STDERR_KEPT - len(self.err)])

        self.threads = [
            threading.Thread(target=f, daemon=True) for f in (write, read_out, read_err)
        ]
        for thread in self.threads:
            thread.start()

    def kill(self) -> None:
        """Stop the child now and wait for it to go."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def finish(self) -> ChildRun:
        """Wait for the child (killing it past its timeout) and classify how it ended."""
        proc = self.proc
        if proc is None:
            status = "died" if self.start_error is not None else "timeout"
            return ChildRun(status, None, None, self.start_error or b"", 0.0)
        try:
            status = self._wait(proc)
        except BaseException:
            # Never leave a reader running behind us (e.g. the server is shutting down).
            proc.kill()
            proc.wait()
            raise
        out, err = bytes(self.out), bytes(self.err)
        seconds = time.monotonic() - self.started
        if status != "ok":
            return ChildRun(status, None, proc.returncode, err, seconds)
        reply = read_reply(out) if proc.returncode == 0 and out else None
        if out and reply is None:
            log.error("%s sent an unreadable reply", self.entry)
        status = "ok" if reply is not None else "died"
        return ChildRun(status, reply, proc.returncode, err, seconds)

    def _wait(self, proc: subprocess.Popen) -> str:
        status = "ok"
        try:
            proc.wait(timeout=max(0.0, self.started + self.timeout - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            status = "timeout"
        for thread in self.threads:
            thread.join()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
        return "reply_too_large" if self.too_large.is_set() else status


def read_reply(out: bytes) -> dict | None:
    """A child's pickled reply as a dict with a status, or None for anything else."""
    try:
        loaded = _ReplyUnpickler(io.BytesIO(out)).load()
    except Exception:  # any garbage from a compromised or broken child
        return None
    return loaded if isinstance(loaded, dict) and "status" in loaded else None


# --------------------------------------------------------------------------------------------
# Child side


def limit_self(limits: Limits) -> None:
    """Cap this child's address space (hard limit too, so nothing it runs can lift it) and
    turn core files off: a crash must not leave one holding someone's data."""
    import resource  # POSIX only, and only needed here

    limit = limits.worker_memory_bytes
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def serve(handler: Callable[[dict], dict]) -> None:
    """A child's main: the request from stdin, handler's reply pickled to stdout, refused in
    the child when larger than the request's limits allow."""
    # Keep the reply channel for ourselves; anything a library prints goes to stderr instead.
    reply_fd = os.dup(1)
    os.dup2(2, 1)
    request = pickle.load(sys.stdin.buffer)  # from our own parent, not from the upload
    memory_reply = pickle.dumps({"status": "memory"})
    try:
        reply = pickle.dumps(handler(request), protocol=pickle.HIGHEST_PROTOCOL)
        limit = request["limits"]["max_reply_bytes"]
        if len(reply) > limit:
            reply = pickle.dumps({"status": "reply_too_large", "bytes": len(reply)})
    except MemoryError:
        reply = memory_reply
    with os.fdopen(reply_fd, "wb") as out:
        out.write(reply)
