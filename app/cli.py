"""`flask portal ...` commands: set up the database, sync roles, load data, create an admin."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

portal_cli = AppGroup("portal", help="Quản trị cổng: khởi tạo CSDL, đồng bộ vai trò, dữ liệu mẫu.")


def upgrade_database() -> None:
    from flask_migrate import upgrade

    upgrade(directory=current_app.extensions["migrate"].directory)


def setup_database(demo: bool, password: str | None = None) -> str | None:
    """Upgrade the schema, sync roles, load reference data; optionally the demo data set.

    Returns the demo password when demo accounts were created in this call.
    """
    from app.data.loader import load_reference_data
    from app.security.sync import sync_permissions_and_roles

    upgrade_database()
    sync_permissions_and_roles(current_app.appbuilder)
    load_reference_data()
    if demo:
        from app.data.demo import load_demo

        return load_demo(password)
    return None


@portal_cli.command("init")
@click.option("--demo/--no-demo", default=False, help="Nạp bộ dữ liệu mẫu và tài khoản mẫu.")
def init_command(demo: bool) -> None:
    """Nâng cấp CSDL, đồng bộ vai trò và nạp danh mục."""
    password = setup_database(demo, current_app.config.get("DEMO_PASSWORD"))
    click.echo("Đã khởi tạo cơ sở dữ liệu.")
    if password:
        click.echo(f"Mật khẩu các tài khoản mẫu: {password}")


@portal_cli.command("sync")
def sync_command() -> None:
    """Đồng bộ quyền và danh mục vai trò."""
    from app.security.sync import sync_permissions_and_roles

    sync_permissions_and_roles(current_app.appbuilder)
    click.echo("Đã đồng bộ quyền và vai trò.")


@portal_cli.command("create-admin")
@click.option("--username", required=True)
@click.option("--email", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_admin_command(username: str, email: str, password: str) -> None:
    """Tạo tài khoản Quản trị hệ thống đầu tiên."""
    from app.security.roles import ADMIN

    sm = current_app.appbuilder.sm
    role = sm.find_role(ADMIN)
    if role is None:
        raise click.ClickException("Chưa có vai trò quản trị: hãy chạy 'flask portal init' trước.")
    if sm.find_user(username=username):
        raise click.ClickException(f"Tên đăng nhập '{username}' đã tồn tại.")
    user = sm.add_user(username, "Quản trị", "hệ thống", email, role, password=password)
    if not user:
        raise click.ClickException("Không tạo được tài khoản; xem nhật ký để biết lý do.")
    click.echo(f"Đã tạo tài khoản quản trị '{username}'.")


def init_app(app: Flask) -> None:
    app.cli.add_command(portal_cli)
