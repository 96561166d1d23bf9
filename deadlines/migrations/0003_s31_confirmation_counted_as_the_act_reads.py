"""The s31(2A)(c) clock is counted as the Act words it, and a rule can begin the day after.

s31(2A)(c) allows "a period of three months beginning with the end of the period so allowed" (by
s31(2)). The rule every installation started with counted "within 3 months of" the s31(2) due
date, which is neither reading where that date is a month's last day (28 Feb 2022 gave 28 May,
where the Act read literally gives 27 May and "beginning with the day after" 31 May). The default
becomes the literal reading: the last day of the s31(2) period is the first day of this one
(25 Feb 2022 gives 24 May 2022). "Beginning with the day after" is a new counting, for the
council's lawyers to choose in the admin if they read the Act that way.

The rule is changed only while it is still the one the app installed: a rule the council's
lawyers have edited, or removed, stays as they left it. Clocks already made are not moved: each
keeps the rule it was counted by, shown beside its date; only clocks made from now on use the
new rule (as when the lawyers change a rule in the admin).
"""

from django.db import migrations, models
from django.db.migrations.exceptions import IrreversibleError
from django.utils import timezone

KIND = "s31_confirmation"
INSTALLED = dict(
    count=3,
    unit="months",
    counting="within",
    anchor="other_date",
    follows="s31_response",
    legal_basis=(
        "Local Government Act 1974 s31(2A)(c): a further report may follow if the Ombudsman "
        "has no confirmation within a further three months that the action was taken."
    ),
)
AS_THE_ACT_READS = dict(
    INSTALLED,
    counting="beginning_with",
    legal_basis=(
        "Local Government Act 1974 s31(2A)(c): a further report may follow if the Ombudsman "
        'has no confirmation, "within a period of three months beginning with the end of the '
        'period so allowed" by s31(2), that the action was taken. Counted as the Act reads: '
        "the last day of the s31(2) period is the first day of this one (25 February 2022 "
        "gives 24 May 2022). If the council's lawyers read it as beginning the day after, set "
        "the counting to 'a period beginning with the day after a date' (25 February 2022 then "
        "gives 25 May 2022)."
    ),
)
REASON = (
    "Upgrade: counted as Local Government Act 1974 s31(2A)(c) reads, a period of 3 months "
    "beginning with the end of the s31(2) period, no longer within 3 months of it. Clocks "
    "made before keep the rule they were counted by."
)
COUNTINGS = [
    ("stated", "a date the Ombudsman stated"),
    ("within", "within a period of a date"),
    ("beginning_with", "a period beginning with a date"),
    ("beginning_day_after", "a period beginning with the day after a date"),
]
RULE_COUNTING_HELP = (
    "'A period beginning with a date' makes that date the period's first day; 'beginning with "
    "the day after' starts it the next day. s31(2A)(c) (\"beginning with the end of the period "
    "so allowed\") can be read either way: the council's lawyers choose. A change applies to "
    "clocks made after it; those made before keep their rule."
)


def count_as_the_act_reads(apps, schema_editor):
    """Change the installed rule (compare-and-set on every field) and say so in its history.

    The history entry is written once: migrating back and forward again finds it there.
    """
    rule_model = apps.get_model("deadlines", "StatutoryClockRule")
    history_model = apps.get_model("deadlines", "HistoricalStatutoryClockRule")
    if not rule_model.objects.filter(kind=KIND, **INSTALLED).update(**AS_THE_ACT_READS):
        return  # the council's lawyers changed the rule, or removed it: theirs to keep
    rule = rule_model.objects.get(kind=KIND)
    if not history_model.objects.filter(id=rule.pk, history_change_reason=REASON).exists():
        history_model.objects.create(
            id=rule.pk,
            kind=KIND,
            **AS_THE_ACT_READS,
            history_date=timezone.now(),
            history_type="~",
            history_change_reason=REASON,
            history_user=None,
        )


def count_within_again(apps, schema_editor):
    """Put the installed rule back, if it is still the one this migration set.

    Refused while a rule or a deadline counts "beginning with the day after", which the code
    before this migration cannot count. The history entry stays: history is only ever added to.
    """
    rule_model = apps.get_model("deadlines", "StatutoryClockRule")
    deadline_model = apps.get_model("deadlines", "Deadline")
    if (
        rule_model.objects.filter(counting="beginning_day_after").exists()
        or deadline_model.objects.filter(counting="beginning_day_after").exists()
    ):
        raise IrreversibleError(
            "Some rules or deadlines count 'a period beginning with the day after a date', "
            "which the app before this migration cannot count: change them first."
        )
    rule_model.objects.filter(kind=KIND, **AS_THE_ACT_READS).update(**INSTALLED)


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0002_tables_renamed")]

    operations = [
        migrations.AlterField(
            model_name="deadline",
            name="counting",
            field=models.CharField(choices=COUNTINGS, default="within", max_length=20),
        ),
        migrations.AlterField(
            model_name="historicaldeadline",
            name="counting",
            field=models.CharField(choices=COUNTINGS, default="within", max_length=20),
        ),
        migrations.AlterField(
            model_name="historicalstatutoryclockrule",
            name="counting",
            field=models.CharField(choices=COUNTINGS, help_text=RULE_COUNTING_HELP, max_length=20),
        ),
        migrations.AlterField(
            model_name="statutoryclockrule",
            name="counting",
            field=models.CharField(choices=COUNTINGS, help_text=RULE_COUNTING_HELP, max_length=20),
        ),
        migrations.RunPython(count_as_the_act_reads, count_within_again),
    ]
