from django.urls import path

from . import bulk, views

urlpatterns = [
    path("households/", views.household_list, name="household_list"),
    path("households/villages/", views.village_options, name="village_options"),
    path("households/new/", views.household_create, name="household_create"),
    path("households/new/area/", views.household_area_picker, name="household_area_picker"),
    path("households/new/area/search/", views.household_area_search, name="household_area_search"),
    path("households/new/member/", views.household_member_row, name="household_member_row"),
    path("households/bulk/correct/", bulk.household_bulk_correct, name="household_bulk_correct"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/reveal/", views.household_reveal, name="household_reveal"),
    path("households/<int:pk>/edit/", views.household_edit, name="household_edit"),
    path("households/<int:pk>/status/", views.status_change, name="status_change"),
    path("households/<int:pk>/members/new/", views.member_add, name="member_add"),
    path("households/<int:pk>/years/new/", views.yearly_edit, name="yearly_add"),
    path("households/<int:pk>/years/<int:year>/", views.yearly_edit, name="yearly_edit"),
    path("members/<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path("members/<int:pk>/make-head/", views.member_make_head, name="member_make_head"),
]
