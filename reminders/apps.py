from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "reminders"
    verbose_name = "Reminders for stalled cases"

    def ready(self):
        from . import signals  # noqa: F401  (staff told of replies and failed copies)
