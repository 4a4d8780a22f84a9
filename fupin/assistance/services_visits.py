"""走访 (issue 15 item 2): logging a visit and its photos. Atomic, scope-checked and audited.

Who may log a visit (CAPABILITIES["log_visit"]): a 帮扶责任人 for the households paired to it now (its
household scope), always as its own cadre record; the writers (村, 乡镇, 县) for the households of their
subtree, as a cadre who helps the household (an ongoing pairing) or as their own cadre record. Both
are one question to the policy: is the household among ``policy.visible_households(actor)``.

Exactly once: a phone gives each visit a ``client_id`` (a UUID) when it is logged, maybe offline, and
may send it more than once (a lost answer, a retry, two tabs). The first send stores it; every later
send of the same id returns the stored visit (``visit.replayed`` is True) — even when two sends race:
the unique index keeps one row and the loser's IntegrityError is turned into the stored visit.
"""

from __future__ import annotations

import datetime
import io
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fupin.accounts import policy
from fupin.audit.services import audit_create
from fupin.lib import uploads
from fupin.registry.models import Household
from fupin.registry.services import _refuse_cancelled

from .models import Cadre, Pairing, Visit, VisitPhoto

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from fupin.accounts.models import User

#: Photos are stored at most this many pixels on their longer side (a phone's 4000 px photo is ~5 MB;
#: 1600 px shows every detail a visit record needs at a tenth of that).
PHOTO_MAX_PX = 1600
#: Photos per visit (a visit record, not an album).
PHOTOS_PER_VISIT = 6


def own_cadre(user: User | None) -> Cadre | None:
    """The cadre record linked to ``user``'s account, if any."""
    if user is None or not getattr(user, "pk", None):
        return None
    return Cadre.objects.filter(user=user).first()


def visit_cadres(*, actor: User | None, household: Household) -> list[Cadre]:
    """The cadres ``actor`` may log a visit of ``household`` for: a household-scoped account (帮扶责任人)
    only its own cadre record; a writer the cadres paired with the household now, and its own record."""
    mine = own_cadre(actor)
    if actor is not None and policy.scoped_by_households(actor):
        return [mine] if mine is not None else []
    ids = set(Pairing.objects.ongoing().filter(household=household).values_list("cadre_id", flat=True))
    if mine is not None:
        ids.add(mine.pk)
    return list(Cadre.objects.filter(pk__in=ids).order_by("name", "id"))


def _check_may_log(actor: User | None, household: Household, cadre: Cadre) -> None:
    if actor is None:  # the system (demo, commands without --user)
        return
    if not policy.can(actor, "log_visit"):
        raise PermissionDenied(_("您的角色不能登记走访"))
    if not policy.visible_households(actor).filter(pk=household.pk).exists():
        raise ValidationError({"household": _("户 %(n)s 不在您的帮扶或管辖范围内，不能登记走访")
                               % {"n": household.number}})
    if cadre.pk not in {c.pk for c in visit_cadres(actor=actor, household=household)}:
        if policy.scoped_by_households(actor):
            raise ValidationError({"cadre": _("只能以本人身份登记走访")})
        raise ValidationError({"cadre": _("%(c)s 不是户 %(n)s 的帮扶责任人，不能以其名义登记走访")
                               % {"c": cadre, "n": household.number}})


def _replay(actor: User | None, household: Household, client_id: uuid.UUID) -> Visit | None:
    """The visit already stored under ``client_id``, when it is this actor's visit of this household;
    a ValidationError when the id is someone else's (never their visit back)."""
    stored = Visit.objects.select_related("cadre").filter(client_id=client_id).first()
    if stored is None:
        return None
    recorder = getattr(actor, "pk", None)
    if stored.household_id != household.pk or stored.recorded_by_id != recorder:
        raise ValidationError({"client_id": _("终端记录号 %(id)s 已被另一条走访记录使用") % {"id": client_id}})
    stored.replayed = True
    return stored


def _coordinate(value: Decimal | float | str | None, low: int, high: int, field: str, label: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except ArithmeticError as exc:
        raise ValidationError({field: _("%(l)s“%(v)s”不是数字") % {"l": label, "v": value}}) from exc
    if not low <= number <= high:
        raise ValidationError({field: _("%(l)s须在 %(a)s 到 %(b)s 之间") % {"l": label, "a": low, "b": high}})
    return number


@transaction.atomic
def visit_create(*, actor: User | None, household: Household, cadre: Cadre, client_id: uuid.UUID | str | None,
                 on: datetime.date, purpose: str, findings: str = "", help_given: str = "", follow_up: str = "",
                 latitude: Decimal | float | str | None = None,
                 longitude: Decimal | float | str | None = None) -> Visit:
    """登记走访. Returns the visit; ``visit.replayed`` is True when ``client_id`` had been stored
    already (the stored visit is returned unchanged, nothing written)."""
    if client_id not in (None, ""):
        try:
            client_id = client_id if isinstance(client_id, uuid.UUID) else uuid.UUID(str(client_id))
        except ValueError as exc:
            raise ValidationError({"client_id": _("终端记录号“%(v)s”格式不对") % {"v": client_id}}) from exc
        stored = _replay(actor, household, client_id)
        if stored is not None:
            return stored
    else:
        client_id = None
    _check_may_log(actor, household, cadre)
    _refuse_cancelled(household)
    if on > timezone.localdate():
        raise ValidationError({"on": _("走访日期 %(d)s 晚于今天") % {"d": on}})
    visit = Visit(household=household, cadre=cadre, on=on, purpose=(purpose or "").strip(),
                  findings=(findings or "").strip(), help_given=(help_given or "").strip(),
                  follow_up=(follow_up or "").strip(), client_id=client_id,
                  latitude=_coordinate(latitude, -90, 90, "latitude", _("纬度")),
                  longitude=_coordinate(longitude, -180, 180, "longitude", _("经度")),
                  recorded_by=actor if getattr(actor, "pk", None) else None)
    if not visit.purpose:
        raise ValidationError({"purpose": _("请填写走访事由")})
    visit.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            visit.save()
    except IntegrityError:
        # Two sends of one client id at once: the other stored it first; answer with its visit.
        stored = _replay(actor, household, client_id) if client_id is not None else None
        if stored is None:
            raise
        return stored
    audit_create(actor=actor, obj=visit, area_path=household.area_path,
                 summary=_("登记走访：%(c)s → %(n)s（%(d)s）") % {"c": cadre, "n": household.number, "d": on})
    visit.replayed = False
    return visit


def _resized(upload: UploadedFile, content_type: str) -> tuple[bytes, int, int]:
    """The picture at most PHOTO_MAX_PX on its longer side, turned upright, without its metadata (a
    phone's EXIF carries the place and the device), in its own format."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(upload) as image:
            image.load()
            picture = ImageOps.exif_transpose(image)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as exc:
        raise ValidationError({"file": _("“%(n)s”不是可以打开的图片") % {"n": upload.name}}) from exc
    picture.thumbnail((PHOTO_MAX_PX, PHOTO_MAX_PX), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if content_type == "image/jpeg":
        picture.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    else:
        picture.save(out, "PNG", optimize=True)
    return out.getvalue(), picture.width, picture.height


@transaction.atomic
def visit_photo_add(*, actor: User | None, visit: Visit, upload: UploadedFile) -> VisitPhoto:
    """A photo of ``visit``: only by whoever recorded the visit (or a writer of its household's area);
    checked (size, JPEG/PNG by its bytes), resized, stored under its checksum. The same picture sent
    again for the same visit returns the stored photo."""
    visit = Visit.objects.select_for_update().select_related("household__area", "cadre").get(pk=visit.pk)
    household = visit.household
    if actor is not None and not (visit.recorded_by_id == actor.pk or policy.in_write_scope(actor, household.area)):
        raise PermissionDenied(_("只有登记该走访的人或所在区划的干部可以上传照片"))
    checked = uploads.check_upload(upload, signatures=uploads.IMAGES, default_name=_("走访照片"),
                                   refused=_("“%(n)s”不是 JPG 或 PNG 照片，不能上传"))
    stored = visit.photos.filter(sha256=checked.sha256).first()
    if stored is not None:
        return stored
    if visit.photos.count() >= PHOTOS_PER_VISIT:
        raise ValidationError({"file": _("每条走访记录最多 %(m)d 张照片") % {"m": PHOTOS_PER_VISIT}})
    data, width, height = _resized(upload, checked.content_type)
    photo = VisitPhoto(visit=visit, name=checked.name, content_type=checked.content_type,
                       extension=checked.extension, size=len(data), width=width, height=height,
                       sha256=checked.sha256, uploaded_by=actor if getattr(actor, "pk", None) else None)
    photo.file.save(f"{checked.sha256}{checked.extension}", ContentFile(data), save=False)
    photo.full_clean(validate_unique=False)
    photo.save()
    audit_create(actor=actor, obj=photo, area_path=household.area_path,
                 summary=_("上传走访照片“%(p)s”：%(n)s（%(d)s）") % {"p": photo.name, "n": household.number, "d": visit.on})
    return photo
