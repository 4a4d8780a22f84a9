from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("users/", views.user_list, name="users"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/password/", views.user_password, name="user_password"),
    path("users/<int:pk>/lock/", views.user_active, {"active": False}, name="user_lock"),
    path("users/<int:pk>/unlock/", views.user_active, {"active": True}, name="user_unlock"),
    path("password/", views.password_change, name="password_change"),
]
