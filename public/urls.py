from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from . import api, feeds, views, views_calendar, views_follow

app_name = "public"

router = SimpleRouter()
router.register("cases", api.CaseViewSet, basename="api-case")
router.register("events", api.EventViewSet, basename="api-event")
router.register("jurisdictions", api.JurisdictionViewSet, basename="api-jurisdiction")
router.register("state-agreements", api.StateAgreementViewSet, basename="api-state-agreement")

urlpatterns = [
    path("favicon.ico", views.favicon, name="favicon"),
    path("map/", views.county_map, name="map"),
    path("map.svg", views.county_map_image, name="map_svg"),
    path("data/", views.data_page, name="data"),
    path("follow/", views_follow.follow, name="follow"),
    path("follow/confirm/<str:token>/", views_follow.follow_confirm, name="follow_confirm"),
    path("follow/unsubscribe/<str:token>/", views_follow.unsubscribe, name="unsubscribe"),
    path("feeds/events.atom", feeds.AllEventsFeed(), name="feed_events"),
    path("feeds/cases/<int:pk>.atom", feeds.CaseEventsFeed(), name="feed_case"),
    path("feeds/states/<str:postal_code>.atom", feeds.StateEventsFeed(), name="feed_state"),
    path("cases.csv", views.cases_csv, name="cases_csv"),
    path("calendar.ics", views_calendar.calendar_ics, name="calendar"),
    path("cases/<int:pk>/calendar.ics", views_calendar.calendar_ics, name="case_calendar"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/", include(router.urls)),
    # Ends with a slash, so that /api/cases still redirects to /api/cases/.
    re_path(r"^api/(?:.*/)?$", api.not_found, name="api-not-found"),
]
