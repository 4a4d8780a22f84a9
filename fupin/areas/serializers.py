"""The areas' API schemas."""

from __future__ import annotations

from rest_framework import serializers

from fupin.api.serializers import ChoiceOut
from fupin.areas.models import Area, Level


class AreaOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = ChoiceOut(Level)
    parent = serializers.SerializerMethodField()
    rural_population = serializers.IntegerField(allow_null=True)

    def get_parent(self, obj: Area) -> str | None:
        return obj.parent.code if obj.parent_id else None


class AreaRefOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
