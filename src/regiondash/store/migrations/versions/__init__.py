"""The revisions, 0001 onwards (Alembic reads this folder's files; it skips this one)."""
