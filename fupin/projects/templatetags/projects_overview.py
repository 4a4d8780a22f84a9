"""``{% load projects_overview %}``: whether the shell's menu offers 项目资金 to the user (demo16)."""

from __future__ import annotations

from django import template

from fupin.projects.selectors_overview import sees_ledger

register = template.Library()


@register.filter
def sees_projects(user: object) -> bool:
    """``{% if user|sees_projects %}``: the user has a project ledger (not the household-scoped roles)."""
    return sees_ledger(user)
