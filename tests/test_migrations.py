"""The Alembic migrations and the models describe the same schema, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_appbuilder import Model
from sqlalchemy import inspect

from app.extensions import db
from tests.conftest import make_app


def test_migrations_match_models(empty_database_url, tmp_path):
    from app.cli import upgrade_database

    application = make_app(empty_database_url, tmp_path)
    with application.app_context():
        upgrade_database()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, Model.metadata)
        tables = set(inspect(db.engine).get_table_names())
        db.session.remove()
        db.engine.dispose()
    assert diff == [], f"models and migrations differ: {diff}"
    assert {"unit", "school", "person", "ab_user"} <= tables


def test_upgrade_is_idempotent_and_downgrade_returns_to_empty(empty_database_url, tmp_path):
    from flask_migrate import downgrade

    from app.cli import upgrade_database

    application = make_app(empty_database_url, tmp_path)
    with application.app_context():
        upgrade_database()
        upgrade_database()  # second run is a no-op
        downgrade(directory=application.extensions["migrate"].directory, revision="base")
        remaining = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        db.session.remove()
        db.engine.dispose()
    assert remaining == set()
