"""The resource limits one upload (a file or a database pull) is read within."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Limits:
    """Resource limits for one upload."""

    max_file_bytes: int = 50 * 2**20
    max_uncompressed_bytes: int = 400 * 2**20
    max_compression_ratio: float = 200.0  # per zip entry, only checked for entries > 1 MiB
    max_zip_entries: int = 5000
    max_sheet_rows: int = 200_000
    max_sheet_columns: int = 1_000
    max_sheet_cells: int = 5_000_000
    # Text is bounded in the reader, before anything reaches the server: a cell's text is cut to
    # max_cell_chars (the longest field a tracker has, notes, keeps 2,000; the cut is reported
    # with the cell), and a file whose cells hold more text than max_text_chars in all is
    # refused. A national tracker of 6,200 practices holds about 4 million characters.
    max_cell_chars: int = 2_000
    max_text_chars: int = 16_000_000
    # The reader's reply to the server (its cells, pickled): refused past this, in the reader
    # and again by the server as it reads, so no file can grow the server by more.
    max_reply_bytes: int = 64 * 2**20
    worker_memory_bytes: int = 3 * 2**30  # RLIMIT_AS of the child
    worker_seconds: float = 120.0  # wall clock for both attempts together


DEFAULT_LIMITS = Limits()
