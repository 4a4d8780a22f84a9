"""``GET /api/stats/?area=CODE&date=YYYY-MM-DD``: the headline figures of an area as JSON, for other
systems (issue 14 item 6). The same numbers as the dashboard (fupin.monitoring.figures), as of the date
(today when omitted); scoped like every read: an area outside the user's subtree is a 404."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from fupin.api.views import READ_ERRORS, Base
from fupin.registry import selectors as registry_selectors

from . import figures


class CountOut(serializers.Serializer):
    key = serializers.CharField(help_text=_("看板指标代码：贫困户列表 ?fig= 参数，列出其中的户"))
    label = serializers.CharField()
    households = serializers.IntegerField()
    people = serializers.IntegerField(allow_null=True)


class YearOut(serializers.Serializer):
    year = serializers.IntegerField()
    exit_households = serializers.IntegerField()
    exit_people = serializers.IntegerField()
    return_households = serializers.IntegerField()
    target_households = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    target_people = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    return_cap = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)


class AreaRef(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()


class StatsOut(serializers.Serializer):
    area = AreaRef()
    date = serializers.DateField(help_text=_("数据截至日期"))
    households = CountOut(help_text=_("在册户（不含注销）"))
    poor = CountOut(help_text=_("未脱贫：贫困户(未脱贫)和返贫"))
    exited = CountOut()
    monitoring_at_risk = CountOut()
    monitoring_cleared = CountOut()
    paired = CountOut()
    incidence = serializers.FloatField(allow_null=True, help_text=_("贫困发生率（%），无农村户籍人口或角色不可见时为空"))
    by_status = CountOut(many=True)
    monitoring_by_kind = CountOut(many=True)
    years = YearOut(many=True)


def stats(data: dict[str, Any], day: Any) -> dict[str, Any]:
    h = data["headline"]
    area = data["area"]
    kinds = [k[s] for k in data["monitoring"]["kinds"] for s in figures.MONITOR_STATES]
    return {
        "area": {"code": area.code, "name": area.name, "level": area.level}, "date": day,
        "households": h["households"].as_dict(), "poor": h["poor"].as_dict(), "exited": h["exited"].as_dict(),
        "monitoring_at_risk": h["at_risk"].as_dict(), "monitoring_cleared": h["cleared"].as_dict(),
        "paired": h["paired"].as_dict(), "incidence": data["incidence"],
        "by_status": [f.as_dict() for f in data["status"]],
        "monitoring_by_kind": [f.as_dict() for f in kinds],
        "years": [{"year": e["year"], "exit_households": e["exits"].households, "exit_people": e["exits"].people,
                   "return_households": e["returns"].households, "target_households": e["target_households"],
                   "target_people": e["target_people"], "return_cap": e["return_cap"]} for e in data["exits"]],
    }


class StatsView(Base):
    serializer_class = StatsOut

    @extend_schema(
        summary="区划统计指标（看板头部数据，可按日期回溯）",
        parameters=[OpenApiParameter("area", OpenApiTypes.STR, description="区划代码，默认为本人管辖区划"),
                    OpenApiParameter("date", OpenApiTypes.DATE, description="截至日期 YYYY-MM-DD，默认今天")],
        responses={200: StatsOut, **READ_ERRORS})
    def get(self, request: Request) -> Response:
        from django.http import Http404
        from django.utils import timezone

        user = request.user
        unknown = set(request.query_params) - {"area", "date", "format"}
        if unknown:
            raise exceptions.ValidationError({k: [_("不支持的参数")] for k in sorted(unknown)})
        root = registry_selectors.browse_root(user=user)
        if root is None:
            raise Http404
        code = request.query_params.get("area", "")
        area = registry_selectors.browse_area_get(user=user, code=code) if code else root
        try:
            given = request.query_params.get("date")
            if given is not None and not given.strip():  # ?date= with nothing: a mistake, not "today"
                raise figures.BadKey(given)
            on = figures.parse_on(given)
        except figures.BadKey:
            raise exceptions.ValidationError(
                {"date": [_("日期无效：请使用 YYYY-MM-DD 格式的今天或以前的日期")]}) from None
        data = figures.dashboard(user=user, area=area, on=on)
        return Response(StatsOut(stats(data, on or timezone.localdate())).data)
