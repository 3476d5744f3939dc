"""The REST API under a JWT (no browser session) obeys the token user's scope and field
visibility, exactly like the pages do for the same account."""

from __future__ import annotations

from app.extensions import db
from app.personnel.models import Person
from app.security.models import PortalUser
from app.security.scope import scope_for_user, scoped_query
from tests.conftest import DEMO_PASSWORD


def bearer(app, username: str) -> dict[str, str]:
    """Headers of a real API client: a token from POST /api/v1/security/login."""
    response = app.test_client().post(
        "/api/v1/security/login",
        json={"username": username, "password": DEMO_PASSWORD, "provider": "db"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return {"Authorization": f"Bearer {response.get_json()['access_token']}"}


def _user(username: str) -> PortalUser:
    return db.session.query(PortalUser).filter_by(username=username).one()


def test_api_under_a_jwt_sees_exactly_the_users_scope(app):
    for username in ("xa", "so", "hieutruong"):
        headers = bearer(app, username)
        in_scope = scoped_query(Person, scope_for_user(_user(username)))
        listing = app.test_client().get("/api/v1/person/", headers=headers).get_json()
        assert listing["count"] == in_scope.count() > 0, username
        assert set(listing["ids"]) <= {p.id for p in in_scope}, username
    outside = db.session.query(Person).filter(Person.unit_id == _user("giaovien2").unit_id).first()
    response = app.test_client().get(f"/api/v1/person/{outside.id}", headers=bearer(app, "xa"))
    assert response.status_code == 404


def test_api_under_a_jwt_masks_what_the_user_may_not_see(app):
    person = (
        scoped_query(Person, scope_for_user(_user("xa")))
        .filter(Person.national_id.isnot(None))
        .first()
    )
    hidden = app.test_client().get(f"/api/v1/person/{person.id}", headers=bearer(app, "xa"))
    assert hidden.status_code == 200
    assert (
        hidden.get_json()["result"]["national_id"]
        == "•" * (len(person.national_id) - 3) + person.national_id[-3:]
    )
    shown = app.test_client().get(f"/api/v1/person/{person.id}", headers=bearer(app, "so"))
    assert shown.get_json()["result"]["national_id"] == person.national_id
