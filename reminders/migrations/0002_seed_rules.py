"""The default rules of the design; an admin edits them afterwards."""

from django.db import migrations

RULES = [
    {
        "code": "activation-near",
        "name": "Activation date near",
        "stage": "",
        "anchor": "activation",
        "before": True,
        "days": "30, 14, 7, 1",
        "is_urgent": True,
        "position": 0,
        "message": "The jurisdiction's scheduled activation date is near and its opt-out "
        "request is still open. Make sure the SIB and ICE have the written notice, and "
        "press for an answer before the date.",
    },
    {
        "code": "draft-untouched",
        "name": "Draft untouched",
        "stage": "draft",
        "anchor": "last_change",
        "days": "7",
        "position": 10,
        "message": "This opt-out request has been a draft, untouched, for a week. The notice "
        "counts only once it reaches both the State Identification Bureau and ICE.",
    },
    {
        "code": "notice-no-meeting",
        "name": "No meeting requested after the notice",
        "stage": "notice_sent",
        "anchor": "stage_entered",
        "days": "14",
        "repeat_every": 7,
        "position": 20,
        "message": "The notice went to the SIB and ICE, and ICE has not asked for a meeting. "
        "Follow up with ICE.",
    },
    {
        "code": "notice-follow-up-letter",
        "name": "Follow-up letter due",
        "stage": "notice_sent",
        "anchor": "stage_entered",
        "days": "30",
        "position": 30,
        "message": "Thirty days without an answer: the follow-up letter is ready to draft "
        "from its template and send.",
    },
    {
        "code": "meeting-not-scheduled",
        "name": "Meeting requested, not scheduled",
        "stage": "meeting_requested",
        "anchor": "stage_entered",
        "days": "14",
        "position": 40,
        "message": "ICE asked for a meeting two weeks ago and no date is set.",
    },
    {
        "code": "meeting-soon",
        "name": "Meeting in three business days",
        "stage": "meeting_scheduled",
        "anchor": "meeting",
        "before": True,
        "days": "3",
        "business_days": True,
        "position": 50,
        "message": "The meeting with ICE, the state and federal partners is three business "
        "days away.",
    },
    {
        "code": "meeting-unrecorded",
        "name": "Meeting date passed, nothing recorded",
        "stage": "meeting_scheduled",
        "anchor": "meeting",
        "days": "1",
        "business_days": True,
        "position": 60,
        "message": "The meeting's date has passed and the case does not say it was held. "
        "Record the meeting, or its new date.",
    },
    {
        "code": "no-resolution",
        "name": "No resolution after the meeting",
        "stage": "meeting_held",
        "anchor": "stage_entered",
        "days": "30",
        "position": 70,
        "message": "The meeting was held thirty days ago and no resolution is recorded.",
    },
]


def seed(apps, schema_editor):
    ReminderRule = apps.get_model("reminders", "ReminderRule")
    for rule in RULES:
        ReminderRule.objects.get_or_create(code=rule["code"], defaults=rule)


def unseed(apps, schema_editor):
    ReminderRule = apps.get_model("reminders", "ReminderRule")
    ReminderRule.objects.filter(code__in=[r["code"] for r in RULES], reminders__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("reminders", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
