from django.urls import path

from . import views, views_receipts, views_schedules

app_name = "optouts"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_create, name="create"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/notice/", views.case_notice, name="notice"),
    path("<int:pk>/receipt/", views_receipts.case_receipt, name="receipt"),
    path(
        "<int:pk>/copies/<int:delivery_pk>/proof/",
        views_receipts.receipt_proof,
        name="receipt_proof",
    ),
    path("<int:pk>/events/", views.case_event, name="event"),
    path("<int:pk>/reopen/", views.case_reopen, name="reopen"),
    path("<int:pk>/act/<slug:action>/", views.case_action, name="action"),
    path("schedules/<int:pk>/apply/", views_schedules.schedule_apply, name="schedule_apply"),
]
