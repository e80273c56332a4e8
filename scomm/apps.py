from django.apps import AppConfig


class ScommConfig(AppConfig):
    name = "scomm"
    verbose_name = "scomm"
