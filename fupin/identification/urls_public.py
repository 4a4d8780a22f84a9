"""The public notice board (/public/): no login, nothing but the notices running today."""

from django.urls import path

from . import public

urlpatterns = [
    path("", public.public_board, name="public_board"),
    path("<int:pk>/", public.public_notice, name="public_notice"),
    path("<int:pk>/notice.pdf", public.public_notice_pdf, name="public_notice_pdf"),
]
