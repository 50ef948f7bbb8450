"""Store connection failures: one plain line and exit 2, never a traceback, a hang or a password.

Everything here stays on the loopback interface: a refused port, and a local server that accepts
TCP connections but never answers the PostgreSQL handshake (what a blackholed host looks like to
the client once the connection is made)."""

import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
import tomllib
from pathlib import Path

import pytest

from regiondash import store
from regiondash.cli import main
from regiondash.store import engine

REGIONDASH = [sys.executable, "-c", "import sys; from regiondash.cli import main; sys.exit(main())"]


def run_cli(*argv: str, timeout: float = 60) -> tuple[int, str, str, float]:
    started = time.monotonic()
    done = subprocess.run(
        [*REGIONDASH, *argv], capture_output=True, text=True, timeout=timeout, check=False
    )
    return done.returncode, done.stdout, done.stderr, time.monotonic() - started


def assert_one_plain_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert lines[0].startswith("regiondash: cannot use the database ")
    return lines[0]


@pytest.fixture
def silent_server():
    """A loopback port that accepts connections and never says anything."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            accepted.append(conn)  # held open, never answered

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(timeout=2)
    for conn in accepted:
        conn.close()
    server.close()


def test_a_host_that_never_answers_fails_within_the_connect_timeout(silent_server, capsys):
    url = f"postgresql+psycopg://u:secret@127.0.0.1:{silent_server}/x"
    # Timed in this process, so a loaded machine's slow interpreter start does not count.
    started = time.monotonic()
    code = main(["summary", "--db", url])
    took = time.monotonic() - started
    err = capsys.readouterr().err
    assert code == 2, err
    assert took < engine.PG_CONNECT_TIMEOUT_S + 5, took
    line = assert_one_plain_line(err)
    assert f"u:***@127.0.0.1:{silent_server}/x" in line
    assert "secret" not in err
    # The console command too: one plain line, exit 2, well before the old hang of 90 s and more.
    code, _, err, took = run_cli("summary", "--db", url, timeout=90)
    assert code == 2, err
    assert took < 60, took
    assert f"u:***@127.0.0.1:{silent_server}/x" in assert_one_plain_line(err)
    assert "secret" not in err


def test_a_refused_port_is_one_line_naming_the_host_without_the_password(capsys):
    code = main(["summary", "--db", "postgresql+psycopg://u:secret@127.0.0.1:1/x"])
    err = capsys.readouterr().err
    assert code == 2
    line = assert_one_plain_line(err)
    assert "postgresql+psycopg://u:***@127.0.0.1:1/x" in line
    assert "refused" in line.lower()
    assert "secret" not in err


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("postgres://", "names no database"),
        ("nonsense", "not a database URL"),
        ("postgresql+nodriver://x", "no database driver for postgresql+nodriver://"),
        ("mysql://u:hunter22@h/x", "no database driver for mysql://"),
        ("postgresql://u:hunter22@h:notaport/x", "not a database URL"),
    ],
)
def test_a_malformed_url_is_one_line_and_exit_2(capsys, url, says):
    code = main(["summary", "--db", url])
    err = capsys.readouterr().err
    assert code == 2
    line = assert_one_plain_line(err)
    assert says in line
    assert "hunter22" not in err


def test_a_malformed_url_from_a_subprocess_has_no_traceback():
    code, out, err, _ = run_cli("summary", "--db", "nonsense")
    assert code == 2
    assert out == ""
    assert_one_plain_line(err)


def test_the_postgresql_engine_pings_and_has_a_connect_timeout(monkeypatch):
    made = {}

    def fake_create_engine(url, **kwargs):
        made.update(kwargs)
        raise RuntimeError("stop here")

    monkeypatch.setattr(engine, "create_engine", fake_create_engine)
    with pytest.raises(RuntimeError):
        store.connect("postgresql://u:p@127.0.0.1:1/x")
    assert made["pool_pre_ping"] is True
    assert made["connect_args"] == {"connect_timeout": engine.PG_CONNECT_TIMEOUT_S}
    made.clear()
    with pytest.raises(RuntimeError):
        store.connect("postgresql://u:p@127.0.0.1:1/x?connect_timeout=3")
    assert made["connect_args"] == {}  # the URL's own timeout is used


def test_describe_url_masks_a_password_even_when_the_url_does_not_parse():
    assert engine.describe_url("postgresql://u:pw@h/x") == "postgresql://u:***@h/x"
    assert (
        engine.describe_url("postgresql://u:pw@h:notaport/x") == "postgresql://u:***@h:notaport/x"
    )


# Read-only databases. The test process runs as root in CI, and root ignores file permissions, so
# a chmod 0444 file would still be written to; these open the file read-only through SQLite's own
# URI flag (?mode=ro), which refuses every write whoever the process runs as.


def read_only_url(path) -> str:
    return f"sqlite:///file:{path}?mode=ro&uri=true"


@pytest.fixture
def stored_db(tmp_path):
    from tests.app.conftest import _load

    path = tmp_path / "stored.db"
    _load(f"sqlite:///{path}")
    return path


@pytest.mark.parametrize("journal", ["wal", "delete"])
def test_a_read_only_database_still_answers_summary(capsys, stored_db, journal):
    if journal == "delete":  # a file copied from elsewhere, never opened by regiondash for write
        import sqlite3

        with sqlite3.connect(stored_db) as conn:
            conn.execute("PRAGMA journal_mode = DELETE")
    code = main(["summary", "--db", read_only_url(stored_db), "--as-at", "2026-03-10"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.startswith("As at 10 Mar 2026: 6 migrations")


def test_storing_into_a_read_only_database_says_so_in_one_line(capsys, stored_db, tmp_path):
    tracker = tmp_path / "another tracker.csv"
    tracker.write_text("Practice Code,New supplier,Go Live Date\nJ81002,EMIS,02/03/2026\n")
    code = main(["import", str(tracker), "--db", read_only_url(stored_db), "--as-at", "2026-03-12"])
    err = capsys.readouterr().err
    assert code == 2
    line = assert_one_plain_line(err)
    assert "the database is read-only" in line


# Safe defaults for a deployment (issue 10): what .streamlit/config.toml, the Makefile and
# docs/deployment-checklist.md promise, checked against each other and the importer's limits.

ROOT = Path(__file__).resolve().parents[1]


def streamlit_config() -> dict:
    return tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())


def test_the_upload_limit_in_streamlit_matches_the_importers_own():
    from regiondash.ingest.worker import DEFAULT_LIMITS

    # Streamlit's maxUploadSize is in megabytes of 1024 * 1024 bytes.
    assert streamlit_config()["server"]["maxUploadSize"] * 2**20 == DEFAULT_LIMITS.max_file_bytes


def test_streamlit_is_set_to_the_safe_options_the_checklist_promises():
    from streamlit.config import ShowErrorDetailsConfigOptions

    config = streamlit_config()
    assert config["client"]["showErrorDetails"] == ShowErrorDetailsConfigOptions.NONE.value
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"]["enableCORS"] is True
    assert config["server"]["enableStaticServing"] is False
    assert config["server"]["headless"] is True
    # no table toolbar download: it would write formula text raw
    assert config["client"]["disableDataExport"] is True


@pytest.mark.parametrize(
    "item",
    [
        "TLS",
        "HSTS",
        "Strict-Transport-Security",
        "Allowed hosts",
        "server.allowedHosts",
        "server.enableXsrfProtection = true",
        "server.enableCORS = true",
        "frame-ancestors",
        'client.showErrorDetails = "none"',
        "websocket timeouts",
        "server.websocketPingInterval",
        "server.maxUploadSize = 50",
        "client_max_body_size",
        "127.0.0.1",
        "mode=ro",
    ],
)
def test_the_deployment_checklist_names_each_item(item):
    assert item in (ROOT / "docs" / "deployment-checklist.md").read_text()


def test_make_run_listens_on_loopback_unless_told_otherwise():
    def dry_run(*extra: str) -> str:
        done = subprocess.run(
            ["make", "-n", "-C", str(ROOT), "run", *extra],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        return done.stdout

    assert "--server.address 127.0.0.1 " in dry_run()
    assert "--server.address 0.0.0.0 " in dry_run("ADDRESS=0.0.0.0")


# The same with real file permissions. Root ignores them, so when the tests run as root (as in
# CI) the command runs as user nobody through setpriv and a Python interpreter nobody may run,
# with this checkout on PYTHONPATH; where there is none, these skip and say why.

NOBODY = 65534
CLI = "import sys; from regiondash.cli import main; sys.exit(main(sys.argv[1:]))"


def unprivileged_command() -> list[str]:
    if os.geteuid() != 0:
        return [sys.executable, "-c", CLI]
    setpriv = shutil.which("setpriv")
    python = f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}"
    if setpriv is None or not Path(python).exists():
        pytest.skip(
            "PERMISSION TESTS SKIPPED: running as root, which ignores file permissions, and no "
            f"setpriv or {python} to run the command as nobody"
        )
    command = [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    command += ["env", f"PYTHONPATH={UNPRIVILEGED_PATH}", "HOME=/tmp", python, "-c", CLI]
    probe = subprocess.run([*command, "--help"], capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        pytest.skip(
            "PERMISSION TESTS SKIPPED: running as root, which ignores file permissions, and "
            f"regiondash cannot be run as nobody here: {probe.stderr.strip()[-200:]}"
        )
    return command


UNPRIVILEGED_PATH = os.pathsep.join([sysconfig.get_paths()["purelib"], str(ROOT / "src")])


@pytest.fixture
def shared_folder():
    """A folder under /tmp that user nobody can reach (pytest's tmp_path is root's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="regiondash-ro-"))
    folder.chmod(0o777)
    yield folder
    folder.chmod(0o755)
    shutil.rmtree(folder)


def stored_file(folder: Path) -> Path:
    from tests.app.conftest import _load

    path = folder / "stored.db"
    _load(f"sqlite:///{path}")
    path.chmod(0o444)
    return path


def test_a_file_nobody_may_write_is_read_and_an_import_says_read_only(shared_folder):
    command = unprivileged_command()
    path = stored_file(shared_folder)
    url = f"sqlite:///{path}"
    done = subprocess.run(
        [*command, "summary", "--db", url, "--as-at", "2026-03-10"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("As at 10 Mar 2026: 6 migrations")
    tracker = shared_folder / "another tracker.csv"
    tracker.write_text("Practice Code,New supplier,Go Live Date\nJ81002,EMIS,02/03/2026\n")
    tracker.chmod(0o644)
    done = subprocess.run(
        [*command, "import", str(tracker), "--db", url, "--as-at", "2026-03-12"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 2
    assert "the database is read-only" in assert_one_plain_line(done.stderr)


def test_a_wal_file_in_a_folder_nobody_may_write_says_how_to_read_it(shared_folder):
    command = unprivileged_command()
    path = stored_file(shared_folder)
    shared_folder.chmod(0o555)
    done = subprocess.run(
        [*command, "summary", "--db", f"sqlite:///{path}"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 2
    assert "immutable=1" in assert_one_plain_line(done.stderr)
    immutable = f"sqlite:///file:{path}?mode=ro&immutable=1&uri=true"
    done = subprocess.run(
        [*command, "summary", "--db", immutable, "--as-at", "2026-03-10"],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("As at 10 Mar 2026: 6 migrations")
