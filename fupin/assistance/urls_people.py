"""Who helps (issue 15 item 1, who15): included by fupin/assistance/urls.py (namespace "assistance")."""

from django.urls import path

from . import views_people as v

urlpatterns = [
    path("cadres/", v.cadre_list, name="cadres"),
    path("cadres/new/", v.cadre_edit, name="cadre_new"),
    path("cadres/<int:pk>/", v.cadre_detail, name="cadre"),
    path("cadres/<int:pk>/edit/", v.cadre_edit, name="cadre_edit"),
    path("cadres/<int:pk>/leave/", v.cadre_leave, name="cadre_leave"),
    path("cadres/<int:pk>/reassign/", v.cadre_reassign, name="cadre_reassign"),
    path("units/", v.unit_list, name="units"),
    path("units/new/", v.unit_edit, name="unit_new"),
    path("units/<int:pk>/", v.unit_detail, name="unit"),
    path("units/<int:pk>/edit/", v.unit_edit, name="unit_edit"),
    path("teams/", v.team_list, name="teams"),
    path("teams/new/", v.team_new, name="team_new"),
    path("teams/<int:pk>/", v.team_detail, name="team"),
    path("teams/<int:pk>/end/", v.team_end, name="team_end"),
    path("teams/<int:pk>/postings/", v.team_posting, name="team_posting"),
    path("teams/<int:pk>/presence/", v.presence, name="presence"),
    path("teams/postings/<int:pk>/end/", v.posting_end, name="team_posting_end"),
    path("links/", v.link_list, name="links"),
    path("links/new/", v.link_new, name="link_new"),
    path("links/<int:pk>/end/", v.link_end, name="link_end"),
    path("pairings/", v.pairing_village, name="pairings"),
    path("pairings/<int:pk>/end/", v.pairing_end, name="pairing_end"),
    path("households/<int:pk>/pairings/", v.household_pairings, name="household_pairings"),
    path("rules/", v.rule_list, name="rules"),
    path("rules/<str:key>/", v.rule_edit, name="rule_edit"),
]
