from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from public import views as public_views
from scomm import views as scomm_views

admin.site.site_header = "scomm administration"
admin.site.site_title = "scomm"

urlpatterns = [
    path("", public_views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("jurisdictions/", include("jurisdictions.urls")),
    path("cases/", include("optouts.urls")),
    path("letters/", include("correspondence.urls")),
    path("reminders/", include("reminders.urls")),
    path("", include("public.urls")),
    path("admin/", admin.site.urls),
    path("healthz", scomm_views.healthz, name="healthz"),
    path("readyz", scomm_views.readyz, name="readyz"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
