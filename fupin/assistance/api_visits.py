"""走访 in the API (/api/visits/): the scoped list, logging a visit (exactly once per ``client_id``) and
adding a photo to it. Reads go through fupin.assistance.selectors_visits (the policy's household
scope: outside it → 404); writes through fupin.assistance.services_visits with the request's user.

The phone's offline queue (fupin/static/assistance/offline.js) sends its visits here with the signed-in
session and the CSRF token it reads when it sends (or with a token: Authorization: Token …). A first
send answers 201; a send of a client id already stored answers 200 with the stored visit."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from fupin.accounts import policy
from fupin.api import serializers as s
from fupin.api.filters import IdFilter, StrictFilterSet
from fupin.api.views import ACTION_ERRORS, READ_ERRORS, Base

from . import selectors_visits as selectors
from . import services_visits as services
from .models import Cadre, Visit, VisitPhoto


class VisitFilter(StrictFilterSet):
    household = IdFilter(field_name="household_id", help_text=_("户 id：只列出该户的走访"))
    cadre = IdFilter(field_name="cadre_id", help_text=_("帮扶干部 id：只列出该干部的走访"))
    since = django_filters.DateFilter(field_name="on", lookup_expr="gte", help_text=_("走访日期不早于"))
    until = django_filters.DateFilter(field_name="on", lookup_expr="lte", help_text=_("走访日期不晚于"))

    class Meta:
        model = Visit
        fields = ["household", "cadre", "since", "until"]


class PhotoOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    url = serializers.SerializerMethodField()

    def get_url(self, photo: VisitPhoto) -> str:
        return reverse("visits:visit_photo", args=[photo.visit_id, photo.pk])


class VisitOut(s.PolicyOut):
    """A visit. ``findings``, ``help_given`` and ``follow_up`` may name an illness: they follow the
    health rule (left out for 领导 and 审计)."""

    id = serializers.IntegerField()
    household = serializers.IntegerField(source="household_id")
    household_number = serializers.CharField(source="household.number")
    head_name = serializers.CharField(source="household.head_name")
    cadre = serializers.IntegerField(source="cadre_id")
    cadre_name = serializers.CharField(source="cadre.name")
    on = serializers.DateField()
    purpose = serializers.CharField()
    findings = serializers.CharField()
    help_given = serializers.CharField()
    follow_up = serializers.CharField()
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    client_id = serializers.UUIDField(allow_null=True)
    photos = PhotoOut(many=True)
    created_at = serializers.DateTimeField()


class VisitIn(s.StrictInput):
    household = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    cadre = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False,
                                     help_text=_("走访干部 id；帮扶责任人账号不填（即本人）"))
    client_id = serializers.UUIDField(required=False, allow_null=True,
                                      help_text=_("终端生成的记录号（UUID）：同一记录号重复提交只保存一次"))
    on = serializers.DateField()
    purpose = serializers.CharField(max_length=100)
    findings = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    help_given = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    follow_up = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    latitude = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90,
                                      help_text=_("纬度（可选，定位所得）"))
    longitude = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180,
                                       help_text=_("经度（可选）"))


class PhotoIn(serializers.Serializer):
    file = serializers.FileField(help_text=_("JPG 或 PNG 照片（按文件内容识别）"))


def _visits(request: Request) -> QuerySet[Visit]:
    return (selectors.visits_for(request.user).select_related("household", "cadre")
            .prefetch_related("photos").order_by("-on", "-id"))


def _cadre(request: Request, cadre_pk: int | None) -> Cadre:
    """The cadre the visit is logged as: the given one, or the caller's own record."""
    if cadre_pk is None:
        cadre = services.own_cadre(request.user)
        if cadre is None:
            raise exceptions.ValidationError({"cadre": [_("您的账号未关联帮扶干部，请选择走访干部")]})
        return cadre
    cadre = Cadre.objects.filter(pk=cadre_pk).first()
    if cadre is None:
        raise exceptions.ValidationError({"cadre": [_("帮扶干部 %(id)s 不存在") % {"id": cadre_pk}]})
    return cadre


class VisitListView(Base):
    serializer_class = VisitOut
    filterset_class = VisitFilter

    def get_queryset(self) -> QuerySet[Visit]:
        if self.fake():
            return Visit.objects.none()
        return _visits(self.request)

    @extend_schema(summary="走访记录列表", responses={200: VisitOut(many=True), **READ_ERRORS})
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(s.represent_many(VisitOut, page, request=request))

    @extend_schema(summary="登记走访（按 client_id 去重：重复提交返回已保存的记录，状态 200）", request=VisitIn,
                   responses={201: VisitOut, 200: VisitOut, **ACTION_ERRORS})
    def post(self, request: Request) -> Response:
        if not policy.can(request.user, "log_visit"):
            raise exceptions.PermissionDenied(_("您的角色不能登记走访"))
        ser = VisitIn(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        household = policy.visible_households(request.user).filter(pk=data.pop("household")).first()
        if household is None:
            raise exceptions.NotFound(_("该户不存在，或不在您的帮扶或管辖范围内"))
        cadre = _cadre(request, data.pop("cadre", None))
        data.setdefault("client_id", None)
        visit = services.visit_create(actor=request.user, household=household, cadre=cadre, **data)
        status = 200 if visit.replayed else 201
        visit = _visits(request).get(pk=visit.pk)
        return Response(VisitOut(visit, context={"request": request}).data, status=status)


class VisitDetailView(Base):
    serializer_class = VisitOut

    @extend_schema(summary="走访记录详情", responses={200: VisitOut, **READ_ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        visit = selectors.visit_get(request.user, pk)
        return Response(VisitOut(visit, context={"request": request}).data)


class VisitPhotoView(Base):
    serializer_class = PhotoOut
    parser_classes = [MultiPartParser]

    @extend_schema(summary="上传走访照片（JPG/PNG，按内容识别，缩放至 1600 像素以内；同一照片只存一次）",
                   request={"multipart/form-data": PhotoIn}, responses={201: PhotoOut, **ACTION_ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        visit = selectors.visit_get(request.user, pk)
        if not policy.can(request.user, "log_visit"):
            raise exceptions.PermissionDenied(_("您的角色不能上传走访照片"))
        upload = request.FILES.get("file")
        if upload is None:
            raise exceptions.ValidationError({"file": [_("请选择要上传的照片")]})
        photo = services.visit_photo_add(actor=request.user, visit=visit, upload=upload)
        return Response(PhotoOut(photo).data, status=201)
