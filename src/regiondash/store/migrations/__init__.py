"""Alembic revisions of the store's schema, run by regiondash.store.migrate (no alembic.ini).

A revision writes out the tables and columns it makes, never importing the live Table
definitions in store/schema.py, which describe only the newest schema. On SQLite, ALTERs go
through ``op.batch_alter_table``: adding a column is a plain ALTER TABLE, but any change that
makes batch mode rebuild a table would DROP it, and with foreign keys on (they cannot be switched
off inside the upgrade's transaction) dropping ``uploads`` or ``upload_migrations`` deletes
their child rows by ON DELETE CASCADE; such a revision must rebuild the children too.
"""
