from django.apps import AppConfig


class OptoutsConfig(AppConfig):
    name = "optouts"
    verbose_name = "Opt-out requests"

    def ready(self):
        # The directory announces activations inside its transaction; the cases
        # record them on their timelines in that same transaction
        # (optouts.services.activation).
        # A schedule's check asks which requests and resolutions its rows touch.
        from jurisdictions.schedules import guards
        from jurisdictions.signals import activated

        from .services.activation import on_jurisdictions_activated
        from .services.schedules import schedule_cases_at_stake

        activated.connect(on_jurisdictions_activated, dispatch_uid="optouts-activation")
        # Every row of a case's timeline and copies of its notice, however it
        # is written (the admin too), touches the case (services.touch).
        from .models import CaseEvent, Delivery
        from .services.touch import connect_case_touch

        connect_case_touch(CaseEvent)
        connect_case_touch(Delivery)
        guards.cases_provider(schedule_cases_at_stake)
