from django.core.management.base import BaseCommand

from scomm.demo import DEMO_PASSWORD, demo_load


class Command(BaseCommand):
    help = "Load every state and county, the SIBs and ICE's office, and the real 2010 cases. Safe to run twice."

    def handle(self, *args, **options):
        created = demo_load()
        self.stdout.write(
            f"Loaded {created['states']} new states, {created['jurisdictions']} new jurisdictions, "
            f"{created['cases']} new cases."
        )
        self.stdout.write(
            "Demo accounts (password " + DEMO_PASSWORD + "): " + ", ".join(created["users"])
        )
