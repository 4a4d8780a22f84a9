"""/api/visits/ (issue 15 item 2): scoped list, create exactly once per client id (also when two sends
race, on PostgreSQL too), refusals in the API's error shape, photos, the OpenAPI schema."""

from __future__ import annotations

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from rest_framework.test import APIClient

from fupin.assistance.models import Visit
from fupin.assistance.services_visits import visit_create
from tests.threads import in_two_threads

from .visits_world import TODAY, make_world, picture, world_fixture  # noqa: F401  (the "world" fixture)

URL = "/api/visits/"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def body(w, key="mine", **extra):
    return {"household": w["hh"][key].pk, "on": TODAY.isoformat(), "purpose": "季度走访", **extra}


@pytest.mark.django_db
def test_a_cadre_posts_a_visit_once_and_a_resend_answers_the_stored_one(world):
    client, cid = api(world["cadre_user"]), str(uuid.uuid4())
    first = client.post(URL, body(world, client_id=cid, findings="户主腿伤", latitude=25.1234567, longitude=104.2),
                        format="json")
    assert first.status_code == 201, first.content
    data = first.json()
    assert data["cadre"] == world["cadre"].pk and data["client_id"] == cid and data["findings"] == "户主腿伤"
    assert data["latitude"] == "25.123457"
    again = client.post(URL, body(world, client_id=cid), format="json")
    assert again.status_code == 200 and again.json()["id"] == data["id"]
    assert Visit.objects.count() == 1


@pytest.mark.django_db
def test_refusals_are_in_the_error_shape_with_a_chinese_reason(world):
    client = api(world["cadre_user"])
    outside = client.post(URL, body(world, key="other", client_id=str(uuid.uuid4())), format="json")
    assert outside.status_code == 404 and "不在您的帮扶或管辖范围内" in outside.json()["error"]["message"]
    bad = client.post(URL, body(world, purpose="", extra_field=1), format="json")
    assert bad.status_code == 400 and set(bad.json()["error"]["fields"]) == {"purpose", "extra_field"}
    future = client.post(URL, body(world, on="2999-01-01"), format="json")
    assert future.status_code == 400 and "晚于今天" in future.json()["error"]["fields"]["on"][0]
    leader = api(world["county"].__class__.objects.create_user("leader1", password="x", role="leader",
                                                                area=world["tree"]["county"]))
    assert leader.post(URL, body(world), format="json").status_code == 403
    assert not Visit.objects.exists()


@pytest.mark.django_db
def test_the_list_is_scoped_and_health_text_follows_the_policy(world):
    visit_create(actor=None, household=world["hh"]["mine"], cadre=world["cadre"], client_id=None, on=TODAY,
                 purpose="季度走访", findings="大病住院")
    visit_create(actor=None, household=world["hh"]["other"], cadre=world["other_cadre"], client_id=None, on=TODAY,
                 purpose="季度走访")
    mine = api(world["cadre_user"]).get(URL).json()["results"]
    assert [r["household"] for r in mine] == [world["hh"]["mine"].pk] and mine[0]["findings"] == "大病住院"
    village = api(world["village"]).get(URL, {"household": world["hh"]["other"].pk}).json()["results"]
    assert [r["household"] for r in village] == [world["hh"]["other"].pk]
    leader = world["county"].__class__.objects.create_user("leader1", password="x", role="leader",
                                                           area=world["tree"]["county"])
    rows = api(leader).get(URL).json()["results"]
    assert len(rows) == 2 and all("findings" not in r and "follow_up" not in r for r in rows)
    other_pk = Visit.objects.get(household=world["hh"]["other"]).pk
    assert api(world["cadre_user"]).get(f"{URL}{other_pk}/").status_code == 404


@pytest.mark.django_db
def test_a_photo_goes_through_the_api_and_is_served_only_in_scope(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = api(world["cadre_user"])
    visit = client.post(URL, body(world, client_id=str(uuid.uuid4())), format="json").json()
    upload = SimpleUploadedFile("a.jpg", picture("JPEG", (2000, 1000)).read(), content_type="image/jpeg")
    response = client.post(f"{URL}{visit['id']}/photos/", {"file": upload}, format="multipart")
    assert response.status_code == 201, response.content
    photo = response.json()
    assert (photo["width"], photo["height"]) == (1600, 800)
    from django.test import Client

    web = Client()
    web.force_login(world["cadre_user"])
    assert web.get(photo["url"]).status_code == 200
    web.force_login(world["other_user"])
    assert web.get(photo["url"]).status_code == 404
    refused = client.post(f"{URL}{visit['id']}/photos/",
                          {"file": SimpleUploadedFile("x.jpg", b"GIF89a....")}, format="multipart")
    assert refused.status_code == 400 and "不是 JPG 或 PNG 照片" in refused.json()["error"]["fields"]["file"][0]


@pytest.mark.django_db
def test_the_schema_documents_the_visits_api():
    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert {"get", "post"} <= set(schema["paths"]["/api/visits/"])
    assert "post" in schema["paths"]["/api/visits/{id}/photos/"]


@pytest.mark.django_db(transaction=True)
def test_two_sends_of_one_client_id_at_once_store_one_row(tree, county_user, village_user):
    w = make_world(tree, county_user, village_user)
    cid = uuid.uuid4()

    def send():
        visit = visit_create(actor=w["cadre_user"], household=w["hh"]["mine"], cadre=w["cadre"], client_id=cid,
                             on=TODAY, purpose="季度走访")
        return visit.pk

    outcomes = in_two_threads(send)
    assert len(outcomes) == 2 and all(isinstance(o, int) for o in outcomes), outcomes
    assert outcomes[0] == outcomes[1]
    assert Visit.objects.filter(client_id=cid).count() == 1
    assert connection.vendor in {"sqlite", "postgresql"}
