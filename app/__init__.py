"""Application factory of Cổng quản lý đội ngũ nhà giáo."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask
from flask_appbuilder import AppBuilder
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app import models  # noqa: F401  (all mappers before FAB starts)
from app.extensions import csrf, db, migrate
from app.i18n import TRANSLATIONS_DIR, compile_catalogs

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    """SQLite runs in WAL mode with foreign keys enforced, like PostgreSQL would."""
    module = type(dbapi_connection).__module__
    if module.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_path=os.environ.get("INSTANCE_DIR") or None)
    app.config.from_object("config")
    if overrides:
        app.config.update(overrides)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS_DIR)
    Path(app.config["UPLOAD_DIR"]).mkdir(parents=True, exist_ok=True)
    compile_catalogs()
    from app import web

    web.install_converters(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR))
    csrf.init_app(app)

    appbuilder = AppBuilder()
    with app.app_context():
        appbuilder.init_app(app, db.session)
        from app import views

        views.register(appbuilder)

    from app import cli, security

    web.init_app(app)
    security.init_app(app)
    cli.init_app(app)
    proxies = int(app.config.get("TRUSTED_PROXIES", 0))
    if proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    return app
