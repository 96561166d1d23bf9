"""Deadline, Extension and StatutoryClockRule move here from recommendations.

State only: the tables stay as they are (renamed in 0002), so no row is copied or lost.
"""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

# The models' content types move with them, so the permissions granted on them (and the admin
# log and history that point at them) carry over.
MOVED = [
    "deadline",
    "extension",
    "statutoryclockrule",
    "historicaldeadline",
    "historicalextension",
    "historicalstatutoryclockrule",
]


def content_types_move(apps, schema_editor):
    content_types = apps.get_model("contenttypes", "ContentType").objects
    content_types.filter(app_label="recommendations", model__in=MOVED).update(app_label="deadlines")


def content_types_move_back(apps, schema_editor):
    content_types = apps.get_model("contenttypes", "ContentType").objects
    content_types.filter(app_label="deadlines", model__in=MOVED).update(app_label="recommendations")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("organisations", "0003_history_reasons_as_text"),
        ("recommendations", "0005_tracker_uploads"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        # Every migration that creates permissions for the models in its state runs first,
        # while they are only the recommendations app's: otherwise each app would have them.
        ("accounts", "0007_administrators_leave_shared_data"),
        ("dashboard", "0002_dashboard_role"),
        ("reports", "0003_history_reasons_as_text"),
        ("viewlog", "0003_managers_read_the_log"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Deadline",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("recommendation", "Recommendation"),
                                    ("s31_response", "s31(2) response to the Ombudsman"),
                                    (
                                        "s31_confirmation",
                                        "s31(2A)(c) confirmation that action was taken",
                                    ),
                                    ("s30_notice", "s30(5) public notice"),
                                    ("s30_inspection", "s30(4) public inspection period"),
                                    ("audit_programme", "Audit programme"),
                                    ("full_audit", "Full audit"),
                                    ("live_concern", "Live concern awaiting a response"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("title", models.CharField(max_length=300)),
                        (
                            "counting",
                            models.CharField(
                                choices=[
                                    ("stated", "a date the Ombudsman stated"),
                                    ("within", "within a period of a date"),
                                    ("beginning_with", "a period beginning with a date"),
                                ],
                                default="within",
                                max_length=20,
                            ),
                        ),
                        ("count", models.PositiveSmallIntegerField(blank=True, null=True)),
                        (
                            "unit",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("days", "days"),
                                    ("weeks", "weeks"),
                                    ("months", "months"),
                                    ("working_days", "working days"),
                                ],
                                max_length=20,
                            ),
                        ),
                        (
                            "anchor",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("report_date", "the date of the report"),
                                    ("received_date", "the date the report was received"),
                                    ("other_date", "another date"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("anchor_date", models.DateField(blank=True, null=True)),
                        (
                            "anchor_label",
                            models.CharField(
                                blank=True,
                                help_text="What the rule counts from, in words.",
                                max_length=200,
                            ),
                        ),
                        (
                            "computed_due_date",
                            models.DateField(
                                blank=True,
                                help_text="What the rule gives, before any override or extension.",
                                null=True,
                            ),
                        ),
                        (
                            "override_reason",
                            models.TextField(
                                blank=True,
                                help_text="Why the due date differs from what the rule gives.",
                            ),
                        ),
                        ("original_due_date", models.DateField()),
                        ("due_date", models.DateField()),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("open", "Open"),
                                    ("met", "Met"),
                                    ("not_met", "Not met"),
                                    ("withdrawn", "Withdrawn"),
                                ],
                                default="open",
                                max_length=20,
                            ),
                        ),
                        ("completed_on", models.DateField(blank=True, null=True)),
                        ("version", models.PositiveIntegerField(default=1, editable=False)),
                        (
                            "complaint",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="deadlines",
                                to="recommendations.complaint",
                            ),
                        ),
                        (
                            "organisation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="deadlines",
                                to="organisations.organisation",
                            ),
                        ),
                        (
                            "owner",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="deadlines",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "recommendations_deadline",
                        "ordering": ["due_date", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="Extension",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("requested", "Requested"),
                                    ("agreed", "Agreed"),
                                    ("refused", "Refused"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("previous_due_date", models.DateField()),
                        ("new_due_date", models.DateField()),
                        ("reason", models.TextField()),
                        (
                            "basis",
                            models.CharField(
                                choices=[
                                    ("agreed_in_writing", "Agreed by the Ombudsman in writing"),
                                    ("stated_by_ombudsman", "A new date stated by the Ombudsman"),
                                    (
                                        "committee_decision",
                                        "Decision of a committee of elected members",
                                    ),
                                    ("other", "Other (explain in the reason)"),
                                ],
                                max_length=30,
                            ),
                        ),
                        (
                            "basis_reference",
                            models.CharField(
                                blank=True,
                                help_text="For example the date or reference of the letter.",
                                max_length=200,
                            ),
                        ),
                        ("requested_at", models.DateTimeField()),
                        ("decided_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "deadline",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="extensions",
                                to="deadlines.deadline",
                            ),
                        ),
                        (
                            "decided_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "requested_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "recommendations_extension",
                        "ordering": ["requested_at", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="HistoricalDeadline",
                    fields=[
                        (
                            "id",
                            models.BigIntegerField(
                                auto_created=True, blank=True, db_index=True, verbose_name="ID"
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("recommendation", "Recommendation"),
                                    ("s31_response", "s31(2) response to the Ombudsman"),
                                    (
                                        "s31_confirmation",
                                        "s31(2A)(c) confirmation that action was taken",
                                    ),
                                    ("s30_notice", "s30(5) public notice"),
                                    ("s30_inspection", "s30(4) public inspection period"),
                                    ("audit_programme", "Audit programme"),
                                    ("full_audit", "Full audit"),
                                    ("live_concern", "Live concern awaiting a response"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("title", models.CharField(max_length=300)),
                        (
                            "counting",
                            models.CharField(
                                choices=[
                                    ("stated", "a date the Ombudsman stated"),
                                    ("within", "within a period of a date"),
                                    ("beginning_with", "a period beginning with a date"),
                                ],
                                default="within",
                                max_length=20,
                            ),
                        ),
                        ("count", models.PositiveSmallIntegerField(blank=True, null=True)),
                        (
                            "unit",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("days", "days"),
                                    ("weeks", "weeks"),
                                    ("months", "months"),
                                    ("working_days", "working days"),
                                ],
                                max_length=20,
                            ),
                        ),
                        (
                            "anchor",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("report_date", "the date of the report"),
                                    ("received_date", "the date the report was received"),
                                    ("other_date", "another date"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("anchor_date", models.DateField(blank=True, null=True)),
                        (
                            "anchor_label",
                            models.CharField(
                                blank=True,
                                help_text="What the rule counts from, in words.",
                                max_length=200,
                            ),
                        ),
                        (
                            "computed_due_date",
                            models.DateField(
                                blank=True,
                                help_text="What the rule gives, before any override or extension.",
                                null=True,
                            ),
                        ),
                        (
                            "override_reason",
                            models.TextField(
                                blank=True,
                                help_text="Why the due date differs from what the rule gives.",
                            ),
                        ),
                        ("original_due_date", models.DateField()),
                        ("due_date", models.DateField()),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("open", "Open"),
                                    ("met", "Met"),
                                    ("not_met", "Not met"),
                                    ("withdrawn", "Withdrawn"),
                                ],
                                default="open",
                                max_length=20,
                            ),
                        ),
                        ("completed_on", models.DateField(blank=True, null=True)),
                        ("version", models.PositiveIntegerField(default=1, editable=False)),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.TextField(null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")],
                                max_length=1,
                            ),
                        ),
                        (
                            "complaint",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="recommendations.complaint",
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "organisation",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="organisations.organisation",
                            ),
                        ),
                        (
                            "owner",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical deadline",
                        "verbose_name_plural": "historical deadlines",
                        "db_table": "recommendations_historicaldeadline",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="HistoricalExtension",
                    fields=[
                        (
                            "id",
                            models.BigIntegerField(
                                auto_created=True, blank=True, db_index=True, verbose_name="ID"
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("requested", "Requested"),
                                    ("agreed", "Agreed"),
                                    ("refused", "Refused"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("previous_due_date", models.DateField()),
                        ("new_due_date", models.DateField()),
                        ("reason", models.TextField()),
                        (
                            "basis",
                            models.CharField(
                                choices=[
                                    ("agreed_in_writing", "Agreed by the Ombudsman in writing"),
                                    ("stated_by_ombudsman", "A new date stated by the Ombudsman"),
                                    (
                                        "committee_decision",
                                        "Decision of a committee of elected members",
                                    ),
                                    ("other", "Other (explain in the reason)"),
                                ],
                                max_length=30,
                            ),
                        ),
                        (
                            "basis_reference",
                            models.CharField(
                                blank=True,
                                help_text="For example the date or reference of the letter.",
                                max_length=200,
                            ),
                        ),
                        ("requested_at", models.DateTimeField()),
                        ("decided_at", models.DateTimeField(blank=True, null=True)),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.TextField(null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")],
                                max_length=1,
                            ),
                        ),
                        (
                            "deadline",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="deadlines.deadline",
                            ),
                        ),
                        (
                            "decided_by",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "requested_by",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical extension",
                        "verbose_name_plural": "historical extensions",
                        "db_table": "recommendations_historicalextension",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="HistoricalStatutoryClockRule",
                    fields=[
                        (
                            "id",
                            models.BigIntegerField(
                                auto_created=True, blank=True, db_index=True, verbose_name="ID"
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("recommendation", "Recommendation"),
                                    ("s31_response", "s31(2) response to the Ombudsman"),
                                    (
                                        "s31_confirmation",
                                        "s31(2A)(c) confirmation that action was taken",
                                    ),
                                    ("s30_notice", "s30(5) public notice"),
                                    ("s30_inspection", "s30(4) public inspection period"),
                                    ("audit_programme", "Audit programme"),
                                    ("full_audit", "Full audit"),
                                    ("live_concern", "Live concern awaiting a response"),
                                ],
                                db_index=True,
                                max_length=20,
                            ),
                        ),
                        ("count", models.PositiveSmallIntegerField()),
                        (
                            "unit",
                            models.CharField(
                                choices=[
                                    ("days", "days"),
                                    ("weeks", "weeks"),
                                    ("months", "months"),
                                    ("working_days", "working days"),
                                ],
                                max_length=20,
                            ),
                        ),
                        (
                            "counting",
                            models.CharField(
                                choices=[
                                    ("stated", "a date the Ombudsman stated"),
                                    ("within", "within a period of a date"),
                                    ("beginning_with", "a period beginning with a date"),
                                ],
                                max_length=20,
                            ),
                        ),
                        (
                            "anchor",
                            models.CharField(
                                choices=[
                                    ("report_date", "the date of the report"),
                                    ("received_date", "the date the report was received"),
                                    ("other_date", "another date"),
                                ],
                                help_text="'Another date' means the due date of the clock this one follows.",
                                max_length=20,
                            ),
                        ),
                        (
                            "follows",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("recommendation", "Recommendation"),
                                    ("s31_response", "s31(2) response to the Ombudsman"),
                                    (
                                        "s31_confirmation",
                                        "s31(2A)(c) confirmation that action was taken",
                                    ),
                                    ("s30_notice", "s30(5) public notice"),
                                    ("s30_inspection", "s30(4) public inspection period"),
                                    ("audit_programme", "Audit programme"),
                                    ("full_audit", "Full audit"),
                                    ("live_concern", "Live concern awaiting a response"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("legal_basis", models.TextField()),
                        ("history_id", models.AutoField(primary_key=True, serialize=False)),
                        ("history_date", models.DateTimeField(db_index=True)),
                        ("history_change_reason", models.TextField(null=True)),
                        (
                            "history_type",
                            models.CharField(
                                choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")],
                                max_length=1,
                            ),
                        ),
                        (
                            "history_user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "historical statutory clock rule",
                        "verbose_name_plural": "historical statutory clock rules",
                        "db_table": "recommendations_historicalstatutoryclockrule",
                        "ordering": ("-history_date", "-history_id"),
                        "get_latest_by": ("history_date", "history_id"),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name="StatutoryClockRule",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("recommendation", "Recommendation"),
                                    ("s31_response", "s31(2) response to the Ombudsman"),
                                    (
                                        "s31_confirmation",
                                        "s31(2A)(c) confirmation that action was taken",
                                    ),
                                    ("s30_notice", "s30(5) public notice"),
                                    ("s30_inspection", "s30(4) public inspection period"),
                                    ("audit_programme", "Audit programme"),
                                    ("full_audit", "Full audit"),
                                    ("live_concern", "Live concern awaiting a response"),
                                ],
                                max_length=20,
                                unique=True,
                            ),
                        ),
                        ("count", models.PositiveSmallIntegerField()),
                        (
                            "unit",
                            models.CharField(
                                choices=[
                                    ("days", "days"),
                                    ("weeks", "weeks"),
                                    ("months", "months"),
                                    ("working_days", "working days"),
                                ],
                                max_length=20,
                            ),
                        ),
                        (
                            "counting",
                            models.CharField(
                                choices=[
                                    ("stated", "a date the Ombudsman stated"),
                                    ("within", "within a period of a date"),
                                    ("beginning_with", "a period beginning with a date"),
                                ],
                                max_length=20,
                            ),
                        ),
                        (
                            "anchor",
                            models.CharField(
                                choices=[
                                    ("report_date", "the date of the report"),
                                    ("received_date", "the date the report was received"),
                                    ("other_date", "another date"),
                                ],
                                help_text="'Another date' means the due date of the clock this one follows.",
                                max_length=20,
                            ),
                        ),
                        (
                            "follows",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("recommendation", "Recommendation"),
                                    ("s31_response", "s31(2) response to the Ombudsman"),
                                    (
                                        "s31_confirmation",
                                        "s31(2A)(c) confirmation that action was taken",
                                    ),
                                    ("s30_notice", "s30(5) public notice"),
                                    ("s30_inspection", "s30(4) public inspection period"),
                                    ("audit_programme", "Audit programme"),
                                    ("full_audit", "Full audit"),
                                    ("live_concern", "Live concern awaiting a response"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("legal_basis", models.TextField()),
                    ],
                    options={
                        "db_table": "recommendations_statutoryclockrule",
                        "ordering": ["pk"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("kind", "recommendation"), _negated=True),
                                    models.Q(("counting", "stated"), _negated=True),
                                ),
                                name="clock_rule_is_statutory_period",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("anchor", "other_date"), ("follows__gt", "")),
                                    models.Q(
                                        models.Q(("anchor", "other_date"), _negated=True),
                                        ("follows", ""),
                                    ),
                                    _connector="OR",
                                ),
                                name="clock_rule_follows_only_with_other_anchor",
                            ),
                        ],
                    },
                ),
                migrations.AddIndex(
                    model_name="deadline",
                    index=models.Index(
                        fields=["status", "due_date"], name="recommendat_status_e2fb48_idx"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="deadline",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("completed_on__isnull", False), ("status__in", ["met", "not_met"])
                            ),
                            models.Q(
                                ("completed_on__isnull", True),
                                ("status__in", ["open", "withdrawn"]),
                            ),
                            _connector="OR",
                        ),
                        name="deadline_completed_on_matches_status",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="deadline",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("counting", "stated"),
                            models.Q(("anchor_date__isnull", False), ("count__gte", 1)),
                            _connector="OR",
                        ),
                        name="deadline_rule_has_period_and_anchor",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="deadline",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(
                            (
                                "kind__in",
                                [
                                    "s31_response",
                                    "s31_confirmation",
                                    "s30_notice",
                                    "s30_inspection",
                                ],
                            )
                        ),
                        fields=("complaint", "organisation", "kind"),
                        name="one_statutory_clock_per_organisation",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="extension",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("new_due_date__gt", models.F("previous_due_date"))),
                        name="extension_moves_date_later",
                        violation_error_message="An extension must move the due date later.",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_move, content_types_move_back),
    ]
