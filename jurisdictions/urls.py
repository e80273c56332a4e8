from django.urls import path

from . import views

app_name = "jurisdictions"
urlpatterns = [
    path("", views.jurisdiction_list, name="list"),
    path("<int:pk>/", views.jurisdiction_detail, name="detail"),
]
