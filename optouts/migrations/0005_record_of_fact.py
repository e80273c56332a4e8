"""
The record of fact: a date of record with its precision on every timeline
event (the approximate dates become month dates) and on the opening of a
request; a meeting postponed or cancelled; outcomes for a request made after
activation.
"""

import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def approximate_to_month(apps, schema_editor):
    """An approximate date of record was, in every case on file, known to the month."""
    CaseEvent = apps.get_model("optouts", "CaseEvent")
    CaseEvent.objects.filter(date_is_approximate=True).update(date_precision="month")


def month_to_approximate(apps, schema_editor):
    CaseEvent = apps.get_model("optouts", "CaseEvent")
    CaseEvent.objects.exclude(date_precision="day").update(date_is_approximate=True)


class Migration(migrations.Migration):

    dependencies = [
        ('optouts', '0004_requesters_receipts'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='optoutrequest',
            name='optout_stage_valid',
        ),
        migrations.RemoveConstraint(
            model_name='optoutrequest',
            name='optout_outcome_valid',
        ),
        migrations.AddField(
            model_name='caseevent',
            name='date_precision',
            field=models.CharField(choices=[('day', 'On the day'), ('month', 'In the month'), ('on_or_before', 'On or before')], default='day', max_length=12),
        ),
        migrations.RunPython(approximate_to_month, month_to_approximate),
        migrations.RemoveField(
            model_name='caseevent',
            name='date_is_approximate',
        ),
        migrations.AddField(
            model_name='historicaloptoutrequest',
            name='meeting_change_by',
            field=models.CharField(blank=True, choices=[('jurisdiction', 'The jurisdiction'), ('ice', 'ICE'), ('state', 'The state'), ('other', 'Someone else')], max_length=12),
        ),
        migrations.AddField(
            model_name='historicaloptoutrequest',
            name='meeting_change_reason',
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name='historicaloptoutrequest',
            name='meeting_was_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='meeting postponed or cancelled'),
        ),
        migrations.AddField(
            model_name='historicaloptoutrequest',
            name='opened_precision',
            field=models.CharField(choices=[('day', 'On the day'), ('month', 'In the month'), ('on_or_before', 'On or before')], default='day', max_length=12),
        ),
        migrations.AddField(
            model_name='optoutrequest',
            name='meeting_change_by',
            field=models.CharField(blank=True, choices=[('jurisdiction', 'The jurisdiction'), ('ice', 'ICE'), ('state', 'The state'), ('other', 'Someone else')], max_length=12),
        ),
        migrations.AddField(
            model_name='optoutrequest',
            name='meeting_change_reason',
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name='optoutrequest',
            name='meeting_was_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='meeting postponed or cancelled'),
        ),
        migrations.AddField(
            model_name='optoutrequest',
            name='opened_precision',
            field=models.CharField(choices=[('day', 'On the day'), ('month', 'In the month'), ('on_or_before', 'On or before')], default='day', max_length=12),
        ),
        migrations.AlterField(
            model_name='caseevent',
            name='from_stage',
            field=models.CharField(blank=True, choices=[('draft', 'Draft'), ('notice_sent', 'Notice sent'), ('meeting_requested', 'Meeting requested'), ('meeting_scheduled', 'Meeting scheduled'), ('meeting_postponed', 'Meeting postponed'), ('meeting_cancelled', 'Meeting cancelled'), ('meeting_held', 'Meeting held'), ('resolved', 'Resolved'), ('withdrawn', 'Withdrawn')], max_length=20),
        ),
        migrations.AlterField(
            model_name='caseevent',
            name='occurred_on',
            field=models.DateField(default=django.utils.timezone.localdate, verbose_name='date of record'),
        ),
        migrations.AlterField(
            model_name='caseevent',
            name='to_stage',
            field=models.CharField(blank=True, choices=[('draft', 'Draft'), ('notice_sent', 'Notice sent'), ('meeting_requested', 'Meeting requested'), ('meeting_scheduled', 'Meeting scheduled'), ('meeting_postponed', 'Meeting postponed'), ('meeting_cancelled', 'Meeting cancelled'), ('meeting_held', 'Meeting held'), ('resolved', 'Resolved'), ('withdrawn', 'Withdrawn')], max_length=20),
        ),
        migrations.AlterField(
            model_name='historicaloptoutrequest',
            name='outcome',
            field=models.CharField(blank=True, choices=[('removed', 'Removed from the deployment plan'), ('date_adjusted', 'Activation date adjusted'), ('denied', 'Denied / activated as scheduled'), ('refused', 'Refused: participation is mandatory'), ('gave_up', 'The jurisdiction stopped asking'), ('deactivated', 'ICE deactivated the jurisdiction'), ('other', 'Other')], max_length=20),
        ),
        migrations.AlterField(
            model_name='historicaloptoutrequest',
            name='stage',
            field=models.CharField(choices=[('draft', 'Draft'), ('notice_sent', 'Notice sent'), ('meeting_requested', 'Meeting requested'), ('meeting_scheduled', 'Meeting scheduled'), ('meeting_postponed', 'Meeting postponed'), ('meeting_cancelled', 'Meeting cancelled'), ('meeting_held', 'Meeting held'), ('resolved', 'Resolved'), ('withdrawn', 'Withdrawn')], default='draft', max_length=20),
        ),
        migrations.AlterField(
            model_name='optoutrequest',
            name='outcome',
            field=models.CharField(blank=True, choices=[('removed', 'Removed from the deployment plan'), ('date_adjusted', 'Activation date adjusted'), ('denied', 'Denied / activated as scheduled'), ('refused', 'Refused: participation is mandatory'), ('gave_up', 'The jurisdiction stopped asking'), ('deactivated', 'ICE deactivated the jurisdiction'), ('other', 'Other')], max_length=20),
        ),
        migrations.AlterField(
            model_name='optoutrequest',
            name='stage',
            field=models.CharField(choices=[('draft', 'Draft'), ('notice_sent', 'Notice sent'), ('meeting_requested', 'Meeting requested'), ('meeting_scheduled', 'Meeting scheduled'), ('meeting_postponed', 'Meeting postponed'), ('meeting_cancelled', 'Meeting cancelled'), ('meeting_held', 'Meeting held'), ('resolved', 'Resolved'), ('withdrawn', 'Withdrawn')], default='draft', max_length=20),
        ),
        migrations.AddConstraint(
            model_name='caseevent',
            constraint=models.CheckConstraint(condition=models.Q(('date_precision__in', ['day', 'month', 'on_or_before'])), name='event_date_precision_valid'),
        ),
        migrations.AddConstraint(
            model_name='optoutrequest',
            constraint=models.CheckConstraint(condition=models.Q(('stage__in', ['draft', 'notice_sent', 'meeting_requested', 'meeting_scheduled', 'meeting_postponed', 'meeting_cancelled', 'meeting_held', 'resolved', 'withdrawn'])), name='optout_stage_valid'),
        ),
        migrations.AddConstraint(
            model_name='optoutrequest',
            constraint=models.CheckConstraint(condition=models.Q(('outcome', ''), ('outcome__in', ['removed', 'date_adjusted', 'denied', 'refused', 'gave_up', 'deactivated', 'other']), _connector='OR'), name='optout_outcome_valid'),
        ),
        migrations.AddConstraint(
            model_name='optoutrequest',
            constraint=models.CheckConstraint(condition=models.Q(('opened_precision__in', ['day', 'month', 'on_or_before']), models.Q(('meeting_change_by', ''), ('meeting_change_by__in', ['jurisdiction', 'ice', 'state', 'other']), _connector='OR')), name='optout_opened_precision_and_meeting_party_valid'),
        ),
    ]
