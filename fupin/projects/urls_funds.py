"""项目资金 pages of issue 16 (money16), /projects/funds/… (namespace "funds"; see fupin/projects/urls.py)."""

from django.urls import path

from . import views_funds as v

urlpatterns = [
    path("", v.documents, name="documents"),
    path("documents/new/", v.document_new, name="document_new"),
    path("documents/<int:pk>/", v.document_detail, name="document"),
    path("negative/", v.negative_list, name="negative"),
    path("allocations/new/", v.allocation_new, name="allocation_new"),
    path("allocations/<int:allocation>/pay/", v.payment_new, name="payment_new"),
    path("allocations/<int:allocation>/batch/", v.batch_new, name="batch_new"),
    path("payments/", v.payments, name="payments"),
    path("batches/", v.batches, name="batches"),
    path("batches/<int:pk>/", v.batch_detail, name="batch"),
    path("batches/<int:pk>/pay/", v.batch_pay, name="batch_pay"),
    path("batches/<int:pk>/cancel/", v.batch_cancel, name="batch_cancel"),
    path("trail/", v.trail, name="trail"),
    path("trail/project/<int:pk>/", v.project_trail, name="project_trail"),
]
