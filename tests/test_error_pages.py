"""Errors answer with generic Vietnamese pages: no stack trace, no SQL, no internals."""

from __future__ import annotations

from tests.conftest import make_app


def test_500_page_is_generic_and_vietnamese(template_database, tmp_path):
    from app.extensions import db
    from tests.conftest import _fresh_copy, _pg_drop

    url, pg_name = _fresh_copy(template_database, tmp_path)
    application = make_app(url, tmp_path, PROPAGATE_EXCEPTIONS=False, TESTING=False)

    @application.route("/boom")
    def boom():
        raise RuntimeError("SELECT secret FROM person -- Traceback detail")

    with application.app_context():
        response = application.test_client().get("/boom")
        api = application.test_client().get("/api/v1/boom-missing")
        db.session.remove()
        db.engine.dispose()
    if pg_name:
        _pg_drop(pg_name)
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Hệ thống gặp lỗi" in html
    assert "SELECT" not in html and "Traceback" not in html and "RuntimeError" not in html
    assert api.status_code == 404 and "Không tìm thấy" in api.get_json()["message"]


def test_404_and_405_pages_are_vietnamese(client):
    missing = client.get("/khong-ton-tai")
    assert missing.status_code == 404
    assert "Không tìm thấy trang hoặc bản ghi" in missing.get_data(as_text=True)
    wrong_method = client.delete("/login/")
    assert wrong_method.status_code == 405
    assert "Thao tác không được hỗ trợ" in wrong_method.get_data(as_text=True)
