from django.apps import AppConfig


class ScommConfig(AppConfig):
    name = "scomm"
    verbose_name = "scomm"

    def ready(self):
        from . import pagecache

        pagecache.connect()
