from django.urls import path

from . import views, views_schedules

app_name = "jurisdictions"
urlpatterns = [
    path("", views.jurisdiction_list, name="list"),
    path("<int:pk>/", views.jurisdiction_detail, name="detail"),
    path("states/<str:postal_code>/", views.state_detail, name="state"),
    path("schedules/upload/", views_schedules.schedule_upload, name="schedule_upload"),
    path("schedules/<int:pk>/", views_schedules.schedule_preview, name="schedule_preview"),
    path("schedules/<int:pk>/status/", views_schedules.schedule_status, name="schedule_status"),
    path("schedules/<int:pk>/recheck/", views_schedules.schedule_recheck, name="schedule_recheck"),
    path("schedules/<int:pk>/discard/", views_schedules.schedule_discard, name="schedule_discard"),
]
