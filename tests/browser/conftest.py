"""Fixtures for the browser tests: the demo database, a running Streamlit server and Chromium.

The server is `streamlit run app.py` in a subprocess of its own process group, on a free port,
against a temporary SQLite file holding the demo region; it is always stopped by killing that
group. Chromium is Debian's /usr/bin/chromium driven by Playwright (never `playwright install`).
Without Chromium these tests skip loudly, unless REGIONDASH_REQUIRE_BROWSER=1 (CI), which
turns the skip into a failure.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from regiondash import store
from tests.conftest import demo_database_path

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1440, "height": 1000}
REQUIRE_ENV = "REGIONDASH_REQUIRE_BROWSER"
WAIT_MS = 60_000  # Streamlit runs are slow-ish on 2 cores; every wait allows a minute
SERVER_START_S = 60.0
SERVER_STOP_S = 10.0


def browser_unavailable(why: str) -> None:
    """Skip loudly, or fail when the browser tests are required (CI sets the variable)."""
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{why} and {REQUIRE_ENV}=1: the browser tests must run here", pytrace=False)
    pytest.skip(
        f"!!! BROWSER TESTS SKIPPED: {why}. Install Debian's chromium "
        f"(scripts/install-system-deps.sh); set {REQUIRE_ENV}=1 to make this a failure !!!"
    )


@pytest.fixture(scope="session")
def chromium_executable() -> Path:
    """Debian's Chromium, or a loud skip (a failure under REGIONDASH_REQUIRE_BROWSER=1)."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        browser_unavailable(f"{CHROMIUM} is missing")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        browser_unavailable("the playwright package is not installed (pip install -e '.[dev]')")
    return CHROMIUM


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory) -> Path:
    """A SQLite file holding the demo region (4 uploads), loaded once and copied per server."""
    return demo_database_path(tmp_path_factory)  # tests/conftest.py's one demo database


def copy_database(source: Path, target: Path) -> str:
    """Copy a SQLite database consistently (the backup API, not a file copy); return its URL."""
    with (
        contextlib.closing(sqlite3.connect(source)) as src,
        contextlib.closing(sqlite3.connect(target)) as dst,
    ):
        src.backup(dst)
    return f"sqlite:///{target}"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class AppServer:
    """A running `streamlit run app.py` and the database it reads."""

    base_url: str
    db_url: str
    log: Path
    pid: int
    used: bool = False  # set once a test has asked for any page's address

    def url(self, path: str = "") -> str:
        self.used = True
        return f"{self.base_url}/{path.lstrip('/')}"

    def engine(self):
        """A store engine on the server's database, for checking what the app did."""
        return store.connect(self.db_url)


def _log_tail(log: Path, lines: int = 40) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _stop(proc: subprocess.Popen) -> None:
    """Stop the server's whole process group: TERM, then KILL if it lingers."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=SERVER_STOP_S)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=SERVER_STOP_S)


@contextlib.contextmanager
def running_app(db_url: str, workdir: Path) -> Iterator[AppServer]:
    """Start the app on a free port against db_url, wait for its health check, always stop it."""
    port = free_port()
    log = workdir / f"streamlit-{port}.log"
    env = {**os.environ, store.DATABASE_URL_ENV: db_url}
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        # Other people edit the sources while tests run: a "source changed" prompt or rerun
        # must not race the assertions.
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
    ]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so teardown can kill all of it
        )
    try:
        base_url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + SERVER_START_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"streamlit exited with {proc.returncode}:\n{_log_tail(log)}")
            try:
                with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as reply:
                    if reply.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"streamlit not healthy after {SERVER_START_S:.0f}s:\n{_log_tail(log)}")
            time.sleep(0.1)
        yield AppServer(base_url, db_url, log, proc.pid)
    finally:
        _stop(proc)


@pytest.fixture(scope="session")
def app_server(chromium_executable, demo_database, tmp_path_factory) -> Iterator[AppServer]:
    """The app, shared by the tests of this session, on its own copy of the demo database."""
    workdir = tmp_path_factory.mktemp("app")
    db_url = copy_database(demo_database, workdir / "regiondash.sqlite")
    with running_app(db_url, workdir) as server:
        yield server


@pytest.fixture
def fresh_app_server(app_server, demo_database, tmp_path) -> Iterator[AppServer]:
    """A server that has not yet served a single page (for first-request tests): the shared
    one when nothing has used it yet (the first test of the module), else one of its own."""
    if not app_server.used:
        yield app_server
        return
    db_url = copy_database(demo_database, tmp_path / "regiondash.sqlite")
    with running_app(db_url, tmp_path) as server:
        yield server


@pytest.fixture(scope="session")
def browser(chromium_executable):
    """One headless Chromium for the session."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=WAIT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(chromium_executable), args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can tell that a test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page(browser, request):
    """A fresh browser context (so a fresh Streamlit session) and page at 1440x1000.

    When the test fails, what the browser showed is saved as FAILED-<test>.png."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(WAIT_MS)
    try:
        page = context.new_page()
        yield page
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name)
            with contextlib.suppress(Exception):
                page.screenshot(path=str(SCREENSHOTS / f"FAILED-{name}.png"), full_page=True)
    finally:
        context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """test-artifacts/screenshots/ (gitignored): one full-page PNG per page visited."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
