"""Alembic's environment: run the revisions on the connection regiondash hands over.

regiondash.store.migrate puts its own connection, already inside the transaction that holds the
write lock, in ``config.attributes["connection"]``; Alembic sees that transaction and runs every
revision (and the version stamp) inside it, so an upgrade is all or nothing.
"""

from alembic import context

from regiondash.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,  # SQLite has no ALTER for most changes: batch mode rebuilds the table
)
with context.begin_transaction():
    context.run_migrations()
