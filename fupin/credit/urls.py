"""扶贫小额信贷: the pages under /credit/ (namespace "credit") and the API under /api/credit/; included from
fupin/urls.py before the API's catch-all."""

from django.urls import include, path

from . import api, views

pages = [
    path("", views.loan_list, name="loans"),
    path("loans/new/", views.loan_create, name="loan_new"),
    path("loans/<int:pk>/", views.loan_detail, name="loan"),
    path("loans/<int:pk>/repay/", views.loan_repay, name="loan_repay"),
    path("loans/<int:pk>/subsidy/<int:number>/", views.loan_subsidy, name="loan_subsidy"),
    path("loans/<int:pk>/compensate/", views.loan_compensate, name="loan_compensate"),
    path("loans/<int:pk>/recover/", views.loan_recover, name="loan_recover"),
    path("loans/<int:pk>/recoveries/<int:rid>/reverse/", views.loan_recovery_reverse, name="loan_recovery_reverse"),
    path("ratings/", views.rating_list, name="ratings"),
    path("ratings/new/", views.rating_create, name="rating_new"),
    path("ratings/notice/", views.rating_notice, name="rating_notice"),
    path("schemes/", views.scheme_list, name="schemes"),
    path("schemes/new/", views.scheme_edit, name="scheme_new"),
    path("schemes/<int:pk>/edit/", views.scheme_edit, name="scheme_edit"),
    path("statement/", views.statement, name="statement"),
    path("statement.xlsx", views.statement_xlsx, name="statement_xlsx"),
    path("fund/", views.fund, name="fund"),
    path("banks/", views.bank_list, name="banks"),
    path("banks/new/", views.bank_edit, name="bank_new"),
    path("banks/<int:pk>/edit/", views.bank_edit, name="bank_edit"),
    path("banks/<int:pk>/user/", views.bank_user, name="bank_user"),
    path("banks/<int:pk>/link/", views.bank_link, name="bank_link"),
]

api_urls = [
    path("loans/", api.LoanListView.as_view(), name="api-credit-loans"),
    path("loans/<int:pk>/", api.LoanDetailView.as_view(), name="api-credit-loan"),
    path("loans/<int:pk>/repayments/", api.RepaymentCreateView.as_view(), name="api-credit-repayments"),
    path("loans/<int:pk>/recoveries/", api.RecoveryCreateView.as_view(), name="api-credit-recoveries"),
    path("loans/<int:pk>/recoveries/<int:rid>/reversal/", api.RecoveryReverseView.as_view(),
         name="api-credit-recovery-reversal"),
]

urlpatterns = [
    path("credit/", include((pages, "credit"))),
    path("api/credit/", include(api_urls)),
]
