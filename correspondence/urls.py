from django.urls import path

from . import views, views_offices, views_sending
from .mail import views as mail_views

app_name = "correspondence"
urlpatterns = [
    path("case/<int:case_pk>/new/", views.letter_create, name="letter_create"),
    path(
        "case/<int:case_pk>/correspondence/new/",
        views.correspondence_create,
        name="correspondence_create",
    ),
    path("case/<int:case_pk>/export/", views.export_create, name="export_create"),
    path("<int:pk>/", views.letter_detail, name="letter"),
    path("<int:pk>/edit/", views.letter_edit, name="letter_edit"),
    path("<int:pk>/preview/", views_sending.letter_preview, name="letter_preview"),
    path("<int:pk>/send/", views_sending.letter_send, name="letter_send"),
    path("<int:pk>/send/confirm/", views_sending.letter_send_confirm, name="letter_send_confirm"),
    path("<int:pk>/send/pdf/", views_sending.letter_send_pdf, name="letter_send_pdf"),
    path("<int:pk>/delete/", views.letter_delete, name="letter_delete"),
    path("<int:pk>/pdf/", views.letter_pdf, name="letter_pdf"),
    path("files/<int:pk>/", views.attachment_download, name="attachment"),
    path("offices/<int:jurisdiction_pk>/", views_offices.office_list, name="office_list"),
    path(
        "offices/<int:jurisdiction_pk>/<slug:kind>/",
        views_offices.office_edit,
        name="office_edit",
    ),
    path("<int:pk>/email/", mail_views.letter_email, name="letter_email"),
    path(
        "<int:pk>/email/confirm/",
        views_sending.letter_send_confirm,
        {"by_email": True},
        name="letter_email_confirm",
    ),
    path(
        "correspondence/<int:pk>/publish/",
        mail_views.correspondence_publish,
        name="correspondence_publish",
    ),
    path("mail/<int:pk>/eml/", mail_views.mail_eml, name="mail_eml"),
    path("exports/<uuid:pk>/", views.export_detail, name="export"),
    path("exports/<uuid:pk>/status/", views.export_status, name="export_status"),
    path("exports/<uuid:pk>/download/", views.export_download, name="export_download"),
]
