"""The identification and exit cases in the API (for the cadres' phones): list, one case with its steps,
and taking a step. Reads go through the scoped selectors (outside scope → 404); a step goes through
services.case_step with the request's user (the role, the scope, the table, the notice period, the vote
and the checklist are the service's; a step someone took first → 409)."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from fupin import workflow
from fupin.api import serializers as s
from fupin.api.errors import Conflict
from fupin.api.filters import AreaCodeFilterMixin, StrictFilterSet, YearFilter
from fupin.api.views import ACTION_ERRORS, ETAG, READ_ERRORS, Base, etag, optional_version

from . import rules, selectors, services
from .models import Case, CaseKind, Origin, Step


class CaseFilter(AreaCodeFilterMixin, StrictFilterSet):
    kind = django_filters.ChoiceFilter(choices=CaseKind.choices)
    step = django_filters.ChoiceFilter(choices=Step.choices)
    year = YearFilter()
    area = django_filters.CharFilter(method="filter_area", max_length=15,
                                     help_text=_("区划代码：只列出该区划（含下级）内的案件"))

    class Meta:
        model = Case
        fields = ["kind", "step", "year"]

    def filter_area(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        return queryset.filter(area_path__startswith=self._area(value).path)


class CaseEventOut(s.PolicyOut):
    """One step; the opinion is free text that may name an illness: it follows the health rule."""

    from_step = s.ChoiceOut(Step)
    to_step = s.ChoiceOut(Step)
    date = serializers.DateField()
    opinion = serializers.CharField()
    sent_back = serializers.BooleanField()
    representatives = serializers.IntegerField(allow_null=True)
    present = serializers.IntegerField(allow_null=True)
    votes_for = serializers.IntegerField(allow_null=True)
    votes_against = serializers.IntegerField(allow_null=True)
    votes_abstain = serializers.IntegerField(allow_null=True)
    checklist = serializers.JSONField()
    actor_name = serializers.CharField()


class CaseOut(s.PolicyOut):
    """A case; ``reason`` (申请理由) follows the health rule like every free text about a household."""

    id = serializers.IntegerField()
    kind = s.ChoiceOut(CaseKind)
    household = serializers.IntegerField(source="household_id", allow_null=True)
    household_number = serializers.CharField(source="household.number", default="")
    head_name = serializers.CharField(source="household.head_name", default="")
    area = serializers.CharField(source="area.code")
    area_name = serializers.CharField(source="area.name")
    year = serializers.IntegerField()
    origin = s.ChoiceOut(Origin)
    step = s.ChoiceOut(Step)
    reason = serializers.CharField()
    version = serializers.IntegerField()
    updated_at = serializers.DateTimeField()


class CaseDetailOut(CaseOut):
    events = serializers.SerializerMethodField()
    next_steps = serializers.SerializerMethodField()

    def get_events(self, case: Case) -> list[dict]:
        request = self.context.get("request")
        return s.represent_many(CaseEventOut, case.events.order_by("created_at", "id"), request=request)

    def get_next_steps(self, case: Case) -> list[dict]:
        user = getattr(self.context.get("request"), "user", None)
        return [{"code": t, "label": rules.step_label(t), "back": rules.is_back(case.step, t)}
                for t in rules.next_steps(case) if rules.may_take(user, t, case)]


class VotesIn(s.StrictInput):
    representatives = serializers.IntegerField(min_value=0, max_value=10000)
    present = serializers.IntegerField(min_value=0, max_value=10000)
    votes_for = serializers.IntegerField(min_value=0, max_value=10000)
    votes_against = serializers.IntegerField(min_value=0, max_value=10000, required=False)
    votes_abstain = serializers.IntegerField(min_value=0, max_value=10000, required=False)


class CheckItemIn(s.StrictInput):
    ok = serializers.BooleanField()
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class CaseStepIn(s.StrictInput):
    to = serializers.ChoiceField(choices=Step.choices, help_text=_("目标环节（前进、退回、不予通过或撤回）"))
    opinion = serializers.CharField(max_length=500, help_text=_("意见（退回、不予通过须写明理由）"))
    date = serializers.DateField(required=False)
    votes = VotesIn(required=False, help_text=_("村评定、民主评议的表决情况"))
    checklist = serializers.DictField(child=CheckItemIn(), required=False, help_text=_(
        "入户核查清单：%(keys)s，每项 {ok, note}") % {"keys": "、".join(rules.CHECKLIST)})
    version = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False)


class CaseListView(Base):
    serializer_class = CaseOut
    filterset_class = CaseFilter

    def get_queryset(self) -> QuerySet[Case]:
        if self.fake():
            return Case.objects.none()
        return selectors.cases_for(self.request.user).select_related("household", "area").order_by("-updated_at", "-id")

    @extend_schema(summary="识别退出案件列表", responses={200: CaseOut(many=True), **READ_ERRORS})
    def get(self, request: Request) -> Response:
        qs = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(s.represent_many(CaseOut, page, request=request))


class CaseDetailView(Base):
    serializer_class = CaseDetailOut

    @extend_schema(summary="案件详情（含各环节记录和当前可办环节）", responses={200: CaseDetailOut, **READ_ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        case = selectors.case_get(request.user, pk)
        return Response(CaseDetailOut(case, context={"request": request}).data, headers=etag(case))


class CaseStepView(Base):
    serializer_class = CaseDetailOut

    @extend_schema(summary="办理案件环节（前进、退回、不予通过、撤回）", request=CaseStepIn, parameters=[ETAG],
                   responses={200: CaseDetailOut, **ACTION_ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        case = selectors.case_get(request.user, pk)
        ser = CaseStepIn(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        version = optional_version(request, data)
        try:
            services.case_step(actor=request.user, case=case, to=data["to"], opinion=data["opinion"],
                               date=data.get("date"), votes=data.get("votes"), checklist=data.get("checklist"),
                               expected_version=version)
        except workflow.Conflict as exc:
            raise Conflict(exc.messages[0]) from None
        case = selectors.case_get(request.user, pk)
        return Response(CaseDetailOut(case, context={"request": request}).data, headers=etag(case))
