from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "public"
    verbose_name = "Public dashboard, follows, feeds and API"

    def ready(self):
        from . import signals  # noqa: F401  (connects the followers' notices)
