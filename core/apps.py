from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "scomm core"

    def ready(self):
        from . import pagecache

        pagecache.connect()
