from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "scomm core"

    def ready(self):
        # A finished task marks its outbox row done, in whichever process runs it.
        from . import outbox  # noqa: F401
