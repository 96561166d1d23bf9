"""The ombudsmen and the statutory clock rules every installation starts with.

The rules are data the council's lawyers can change in the admin. The s30(5) notice period is
two weeks in later wording of the Act and one week in the 1974 text (unverified).
"""

from django.db import migrations

OMBUDSMEN = [
    ("Local Government and Social Care Ombudsman", "LGSCO"),
    ("Housing Ombudsman", "HOS"),
    ("Parliamentary and Health Service Ombudsman", "PHSO"),
]

CLOCK_RULES = [
    dict(
        kind="s31_response",
        count=3,
        unit="months",
        counting="beginning_with",
        anchor="received_date",
        follows="",
        legal_basis=(
            "Local Government Act 1974 s31(2): consider the report and, within three months "
            "of receiving it (or a longer period the Ombudsman agrees in writing), notify the "
            "Ombudsman of the action taken or proposed. LGSCO guidance counts from the date of "
            "the report: change the anchor here if the council's lawyers decide so."
        ),
    ),
    dict(
        kind="s31_confirmation",
        count=3,
        unit="months",
        counting="within",
        anchor="other_date",
        follows="s31_response",
        legal_basis=(
            "Local Government Act 1974 s31(2A)(c): a further report may follow if the Ombudsman "
            "has no confirmation within a further three months that the action was taken."
        ),
    ),
    dict(
        kind="s30_notice",
        count=2,
        unit="weeks",
        counting="beginning_with",
        anchor="received_date",
        follows="",
        legal_basis=(
            "Local Government Act 1974 s30(5): public notice in newspapers (two weeks in later "
            "wording; one week in the 1974 text; unverified)."
        ),
    ),
    dict(
        kind="s30_inspection",
        count=3,
        unit="weeks",
        counting="beginning_with",
        anchor="other_date",
        follows="s30_notice",
        legal_basis=(
            "Local Government Act 1974 s30(4): copies of the report open to public inspection "
            "for three weeks, counted here from the public notice date."
        ),
    ),
]


def add(apps, schema_editor):
    Ombudsman = apps.get_model("recommendations", "Ombudsman")
    StatutoryClockRule = apps.get_model("recommendations", "StatutoryClockRule")
    for name, short_name in OMBUDSMEN:
        Ombudsman.objects.get_or_create(short_name=short_name, defaults={"name": name})
    for rule in CLOCK_RULES:
        StatutoryClockRule.objects.get_or_create(kind=rule["kind"], defaults=rule)


class Migration(migrations.Migration):
    dependencies = [("recommendations", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
