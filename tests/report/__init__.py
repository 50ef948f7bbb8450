"""Shared data for the report tests: the demo region in a SQLite file, its board pack (charts
drawn once per test process), and LibreOffice for opening files as a user's office suite would.

The expensive things are cached per process, not per fixture: a session fixture imported into
several modules would otherwise be built once per module.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from regiondash import store
from tests.conftest import demo_database_path

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts" / "board-pack"
OFFICE_ENV = "REGIONDASH_REQUIRE_OFFICE"
BROWSER_ENV = "REGIONDASH_REQUIRE_BROWSER"
OFFICE_TIMEOUT = 120
# LibreOffice's program folder holds one library per application it has installed
OFFICE_PARTS = {
    "pptx": ("libsdlo.so", "libreoffice-impress"),
    "xlsx": ("libsclo.so", "libreoffice-calc"),
}
_CACHE: dict[str, object] = {}


def _cached(key: str, build):
    if key not in _CACHE:
        _CACHE[key] = build()
    return _CACHE[key]


def demo_url(tmp_path_factory) -> str:
    """A SQLite file holding the demo region's four uploads: the test run's one demo database."""
    return f"sqlite:///{demo_database_path(tmp_path_factory)}"


def demo_inputs(tmp_path_factory, **scope):
    """report.data.load_inputs for the demo (latest as-at), whole region or one scope."""
    from regiondash.report.data import Scope, load_inputs

    key = "inputs-" + "-".join(f"{k}={v}" for k, v in sorted(scope.items()))

    def build():
        engine = store.connect(demo_url(tmp_path_factory))
        try:
            level, code = next(iter(scope.items()), (None, None))
            return load_inputs(engine, None, Scope(level, code))
        finally:
            engine.dispose()

    return _cached(key, build)


def require_chromium() -> None:
    """Skip loudly without Chromium; fail instead under REGIONDASH_REQUIRE_BROWSER=1 (CI)."""
    from regiondash.report.images import chromium_available

    if chromium_available():
        return
    message = (
        "CHROMIUM NOT INSTALLED: chart-image and board-pack tests SKIPPED "
        "(apt-get install chromium; .ci/run installs it)"
    )
    if os.environ.get(BROWSER_ENV) == "1":
        pytest.fail(f"{message} — but {BROWSER_ENV}=1 requires them")
    pytest.skip(message)


def demo_pack(tmp_path_factory):
    """The demo region's board pack, charts drawn once per test process."""
    require_chromium()
    from regiondash.report.pack import build_board_pack

    def build():
        inputs = demo_inputs(tmp_path_factory)
        steps: list[tuple[float, str]] = []
        pack = build_board_pack(
            inputs.migrations,
            inputs.phases,
            inputs.history,
            inputs.uploads,
            inputs.previous,
            inputs.as_at,
            inputs.scope_label,
            progress=lambda f, m: steps.append((f, m)),
        )
        return pack, steps

    return _cached("pack", build)


def soffice(kind: str) -> str:
    """LibreOffice's soffice able to open `kind` (pptx or xlsx); a loud skip when it is missing,
    a failure under REGIONDASH_REQUIRE_OFFICE=1 (CI)."""
    program = shutil.which("soffice")
    library, package = OFFICE_PARTS[kind]
    if program and (Path(program).resolve().parent / library).exists():
        return program
    what = "LibreOffice (soffice)" if not program else f"LibreOffice's {package}"
    message = (
        f"{what} NOT INSTALLED: opening the {kind.upper()} in an office suite SKIPPED "
        f"(apt-get install {package}; .ci/run installs it)"
    )
    if os.environ.get(OFFICE_ENV) == "1":
        pytest.fail(f"{message} — but {OFFICE_ENV}=1 requires it")
    pytest.skip(message)
    raise AssertionError("unreachable")


def convert_to_pdf(path: Path, kind: str, workdir: Path) -> Path:
    """Convert a file with LibreOffice headless, as a user's office suite opens it; the PDF."""
    program = soffice(kind)
    home = workdir / "home"
    home.mkdir(parents=True, exist_ok=True)
    outdir = workdir / "converted"
    # a profile of its own, so parallel test processes never share LibreOffice's lock
    result = subprocess.run(
        [
            program,
            "--headless",
            "--norestore",
            f"-env:UserInstallation={home.as_uri()}",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outdir),
            str(path),
        ],
        env={**os.environ, "HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=OFFICE_TIMEOUT,
        check=False,
    )
    converted = outdir / f"{path.stem}.pdf"
    assert converted.exists(), f"LibreOffice could not open {path.name}: {result.stderr}"
    return converted


def tiny_png(width: int = 16, height: int = 9) -> bytes:
    """A small white PNG, standing in for a chart where the test is not about drawing."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xff\xff\xff" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def fake_render(monkeypatch) -> list[int]:
    """Replace chart drawing with tiny PNGs (no Chromium needed); the list counts the charts."""
    from regiondash.report import images

    drawn: list[int] = []

    def render(figures, fmt="png", scale=2, progress=None):
        drawn.append(len(figures))
        return [tiny_png() for _ in figures]

    monkeypatch.setattr(images, "render", render)
    return drawn
