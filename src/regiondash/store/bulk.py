"""Fast bulk inserts: COPY on PostgreSQL, one executemany of plain tuples on SQLite."""

from __future__ import annotations

from itertools import repeat
from typing import Any

from sqlalchemy import Connection, Table, insert
from sqlalchemy.exc import DBAPIError


def insert_columns(conn: Connection, table: Table, columns: dict[str, list[Any]]) -> None:
    """Insert equal-length column lists of driver-ready values into table, in conn's transaction."""
    # Driver-ready (frames.parameter_values) because this bypasses SQLAlchemy's per-row parameter
    # processing, which costs about a second per 80,000 rows.
    names = list(columns)
    if not names or not columns[names[0]]:
        return
    rows = zip(*columns.values(), strict=True)
    dialect = conn.dialect
    quote = dialect.identifier_preparer.quote
    target = dialect.identifier_preparer.format_table(table)
    column_list = ", ".join(quote(name) for name in names)
    if dialect.name == "postgresql":
        # The driver connection is the one in our transaction, so COPY commits or rolls back
        # with everything else.
        statement = f"COPY {target} ({column_list}) FROM STDIN"
        driver = conn.connection.driver_connection
        if driver is None:  # only a closed or invalidated connection has no driver connection
            raise RuntimeError("the connection has no driver connection to COPY through")
        try:
            with driver.cursor() as cursor, cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
        except dialect.loaded_dbapi.Error as error:
            # Raise what every other statement raises (IntegrityError and friends).
            raise DBAPIError.instance(statement, None, error, dialect.loaded_dbapi.Error) from error
        return
    if dialect.paramstyle == "qmark":
        placeholders = ", ".join(repeat("?", len(names)))
        conn.exec_driver_sql(
            f"INSERT INTO {target} ({column_list}) VALUES ({placeholders})", list(rows)
        )
        return
    conn.execute(insert(table), [dict(zip(names, row, strict=True)) for row in rows])
