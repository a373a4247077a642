"""Alembic environment: runs on the connection handed over by cockpit.store.migrate."""

from alembic import context

from cockpit.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through cockpit.store.migrate.upgrade (python run.py serve migrates)")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
