"""How an upload's original file is kept in uploads.content: gzip when that is smaller.

A CSV shrinks to about a tenth; an .xlsx is a zip already and gains some 5-10%; either way
the sha256 stays the hash of the original bytes, and every reader gets those bytes back.
"""

from __future__ import annotations

import gzip

IDENTITY = "identity"  # the bytes as uploaded (every upload stored before revision 0003)
GZIP = "gzip"
ENCODINGS = (IDENTITY, GZIP)


def stored_content(original: bytes) -> dict[str, object]:
    """The uploads columns content and content_encoding for a file's original bytes."""
    # mtime=0: the same file always compresses to the same bytes.
    packed = gzip.compress(original, compresslevel=6, mtime=0)
    if len(packed) < len(original):
        return {"content": packed, "content_encoding": GZIP}
    return {"content": original, "content_encoding": IDENTITY}


def original_content(stored: bytes, encoding: str) -> bytes:
    """The original bytes of a stored content column."""
    if encoding == IDENTITY:
        return bytes(stored)
    if encoding == GZIP:
        return gzip.decompress(stored)
    raise ValueError(f"unknown content encoding {encoding!r}")
