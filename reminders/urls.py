from django.urls import path

from . import views

app_name = "reminders"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read/", views.notifications_read, name="read"),
    path("preferences/", views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("cases/<int:pk>/snooze/", views.snooze, name="snooze"),
    path("snoozes/<int:pk>/cancel/", views.snooze_cancel, name="snooze_cancel"),
]
