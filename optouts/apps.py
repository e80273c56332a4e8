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
        # The overview's counts and each county's "opt-out pending" move with
        # every case, copy of the notice and activation, in the same
        # transaction (optouts.tally); a database migrated with cases and no
        # counts yet is counted at once.
        from django.db.models.signals import post_delete, post_migrate, post_save

        from . import tally
        from .models import OptOutRequest

        for model in (OptOutRequest, Delivery):
            post_save.connect(
                tally.on_saved, sender=model, dispatch_uid=f"tally-{model.__name__}-save"
            )
            post_delete.connect(
                tally.on_saved, sender=model, dispatch_uid=f"tally-{model.__name__}-delete"
            )
        from jurisdictions.models import Jurisdiction

        post_save.connect(tally.on_jurisdiction_saved, sender=Jurisdiction, dispatch_uid="tally-j")
        activated.connect(tally.on_activated, dispatch_uid="tally-activation")
        post_migrate.connect(tally.on_migrated, sender=self, dispatch_uid="tally-migrated")
