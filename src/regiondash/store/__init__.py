"""The only module that touches the database: uploads, their rows, and the current picture.

Everything is SQLAlchemy Core. SQLite (the default, under data/) and PostgreSQL (by URL) are
both supported; see engine.connect for the locking that lets two writers queue.
"""

from regiondash.store.engine import (
    DATABASE_URL_ENV,
    DEFAULT_DATABASE_FILE,
    connect,
    database_url,
    schema_version,
)
from regiondash.store.queries import (
    current_picture,
    departed,
    latest_as_at,
    phase_history,
    picture_uploads,
    rows_to_compare,
    tracker_practices,
    upload_rows,
)
from regiondash.store.schema import SCHEMA_VERSION, SchemaTooNewError
from regiondash.store.uploads import (
    SET_ASIDE_COLUMNS,
    STATUS_STORED,
    STATUS_STORED_VALID_ROWS,
    STATUS_UNCHANGED,
    SaveOutcome,
    UploadRecord,
    list_uploads,
    save_header_mapping,
    save_upload,
    saved_header_mapping,
    set_aside_rows,
    upload_content,
    upload_mapping,
    upload_problems,
    upload_with_content,
)

__all__ = [
    "DATABASE_URL_ENV",
    "DEFAULT_DATABASE_FILE",
    "SCHEMA_VERSION",
    "SET_ASIDE_COLUMNS",
    "STATUS_STORED",
    "STATUS_STORED_VALID_ROWS",
    "STATUS_UNCHANGED",
    "SaveOutcome",
    "SchemaTooNewError",
    "UploadRecord",
    "connect",
    "current_picture",
    "database_url",
    "departed",
    "latest_as_at",
    "list_uploads",
    "phase_history",
    "picture_uploads",
    "rows_to_compare",
    "save_header_mapping",
    "save_upload",
    "saved_header_mapping",
    "schema_version",
    "set_aside_rows",
    "tracker_practices",
    "upload_content",
    "upload_mapping",
    "upload_problems",
    "upload_rows",
    "upload_with_content",
]
