"""Run the portal on the embedded database: `python run.py`.

On an empty database it applies the migrations, loads reference data and the
demo data set, then prints how to log in. Honours PORT, DATABASE_URL,
SECRET_KEY, UPLOAD_DIR and DEMO_PASSWORD.
"""

from __future__ import annotations

import os

from werkzeug.serving import WSGIRequestHandler

from app import create_app

app = create_app()


class RequestHandler(WSGIRequestHandler):
    """Werkzeug's `Server` header names Werkzeug's and Python's versions, a free hint for
    anyone looking for a known hole: send the product name only (as gunicorn does)."""

    def version_string(self) -> str:
        return "Werkzeug"


def main() -> None:
    from app.cli import setup_database

    with app.app_context():
        password = setup_database(demo=True, password=app.config.get("DEMO_PASSWORD"))
    port = int(os.environ.get("PORT", app.config.get("PORT", 5000)))
    print("=" * 70)
    print(f"Cổng quản lý đội ngũ nhà giáo: http://127.0.0.1:{port}/")
    if password:
        print(
            "Tài khoản mẫu: admin, bo, so, lanhdaoso, xa, hieutruong, nhansu, totruong, giaovien, giaovien2"
        )
        print(f"Mật khẩu chung của các tài khoản mẫu: {password}")
    else:
        print("Dữ liệu mẫu đã có sẵn; dùng mật khẩu đã in ở lần chạy đầu (hoặc DEMO_PASSWORD).")
    print("=" * 70)
    app.run(
        host=os.environ.get("HOST", "127.0.0.1"),
        port=port,
        debug=False,
        request_handler=RequestHandler,
    )


if __name__ == "__main__":
    main()
