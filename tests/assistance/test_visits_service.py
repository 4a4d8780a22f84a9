"""visit_create and visit_photo_add (issue 15 item 2): scope, exactly once per client id, audit, photos."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from fupin.accounts.models import Role
from fupin.assistance.models import Visit, VisitPhoto
from fupin.assistance.services_visits import PHOTO_MAX_PX, visit_create, visit_photo_add
from fupin.audit.models import AuditEvent
from tests import factories

from .visits_world import TODAY, picture, world_fixture  # noqa: F401  (the "world" fixture)

pytestmark = pytest.mark.django_db


def log(w, actor, key="mine", cadre=None, client_id=None, **extra):
    return visit_create(actor=actor, household=w["hh"][key], cadre=cadre or w["cadre"], client_id=client_id,
                        on=extra.pop("on", TODAY), purpose=extra.pop("purpose", "季度走访"), **extra)


def test_a_cadre_logs_a_visit_of_its_household_audited(world):
    visit = log(world, world["cadre_user"], findings="  生活正常 ", latitude="25.0123456", longitude=104.3)
    assert not visit.replayed and visit.recorded_by == world["cadre_user"]
    assert visit.findings == "生活正常" and str(visit.latitude) == "25.012346"
    event = AuditEvent.objects.get(entity="assistance.visit", entity_id=str(visit.pk))
    assert "登记走访" in event.summary and event.area_path == world["hh"]["mine"].area_path


def test_a_cadre_may_not_log_for_a_household_not_paired_to_it(world):
    with pytest.raises(ValidationError) as exc:
        log(world, world["cadre_user"], key="other")
    assert "不在您的帮扶或管辖范围内" in str(exc.value)
    assert not Visit.objects.exists()


def test_a_cadre_logs_only_as_itself(world):
    with pytest.raises(ValidationError, match="只能以本人身份登记走访"):
        log(world, world["cadre_user"], cadre=world["other_cadre"])


def test_a_village_writer_logs_for_its_subtree_as_a_paired_cadre(world):
    visit = log(world, world["village"], key="other", cadre=world["other_cadre"])
    assert visit.cadre == world["other_cadre"] and visit.recorded_by == world["village"]
    with pytest.raises(ValidationError, match="不是户 .* 的帮扶责任人"):
        log(world, world["village"], key="other", cadre=world["cadre"])
    with pytest.raises(ValidationError, match="不在您的帮扶或管辖范围内"):
        log(world, world["village"], key="a2", cadre=world["cadre"])


def test_read_only_roles_are_refused(world):
    leader = factories.user("leader", Role.LEADER, world["tree"]["county"])
    with pytest.raises(PermissionDenied):
        log(world, leader)


def test_the_same_client_id_is_stored_once(world):
    cid = uuid.uuid4()
    first = log(world, world["cadre_user"], client_id=cid)
    again = log(world, world["cadre_user"], client_id=str(cid), purpose="别的内容")
    assert again.replayed and again.pk == first.pk and again.purpose == "季度走访"
    assert Visit.objects.count() == 1
    assert AuditEvent.objects.filter(entity="assistance.visit").count() == 1


def test_a_client_id_of_someone_else_is_refused_not_returned(world):
    cid = uuid.uuid4()
    log(world, world["village"], key="other", cadre=world["other_cadre"], client_id=cid)
    with pytest.raises(ValidationError, match="已被另一条走访记录使用"):
        log(world, world["cadre_user"], client_id=cid)


def test_future_dates_and_a_blank_purpose_are_refused(world):
    with pytest.raises(ValidationError, match="晚于今天"):
        log(world, world["cadre_user"], on=TODAY + datetime.timedelta(days=1))
    with pytest.raises(ValidationError, match="请填写走访事由"):
        log(world, world["cadre_user"], purpose="  ")
    with pytest.raises(ValidationError, match="纬度须在"):
        log(world, world["cadre_user"], latitude=123)


def test_a_photo_is_resized_stripped_and_stored_once(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    visit = log(world, world["cadre_user"])
    upload = SimpleUploadedFile("IMG_0001.jpg", picture("JPEG", (4000, 3000)).read())
    photo = visit_photo_add(actor=world["cadre_user"], visit=visit, upload=upload)
    assert (photo.width, photo.height) == (PHOTO_MAX_PX, 1200) and photo.content_type == "image/jpeg"
    with Image.open(photo.file.path) as stored:
        assert stored.size == (PHOTO_MAX_PX, 1200) and not stored.getexif()
    upload.seek(0)
    assert visit_photo_add(actor=world["cadre_user"], visit=visit, upload=upload).pk == photo.pk
    assert VisitPhoto.objects.count() == 1
    assert AuditEvent.objects.filter(entity="assistance.visitphoto").count() == 1


def test_a_photo_is_recognised_by_its_bytes_not_its_name(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.ATTACHMENT_MAX_MB = 1
    visit = log(world, world["cadre_user"])
    png = visit_photo_add(actor=world["cadre_user"], visit=visit,
                          upload=SimpleUploadedFile("looks.jpg", picture("PNG", (200, 100)).read()))
    assert png.content_type == "image/png" and png.extension == ".png"
    with pytest.raises(ValidationError, match="不是 JPG 或 PNG 照片"):
        visit_photo_add(actor=world["cadre_user"], visit=visit,
                        upload=SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not a photo"))
    with pytest.raises(ValidationError, match="超过 1 MB 的上限"):
        visit_photo_add(actor=world["cadre_user"], visit=visit,
                        upload=SimpleUploadedFile("big.jpg", b"\xff\xd8\xff" + b"0" * (1024 * 1024 + 1)))
    with pytest.raises(PermissionDenied):
        visit_photo_add(actor=world["other_user"], visit=visit,
                        upload=SimpleUploadedFile("p.png", picture("PNG", (20, 20)).read()))
