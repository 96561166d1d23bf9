"""The columns of the tracker import and export.

They are documented for users in ``docs/tracker-csv.md``; keep that page in step with
``IMPORT_COLUMNS`` and ``EXPORT_COLUMNS``.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    meaning: str
    required: bool = False
    format: str = ""
    example: str = ""


IMPORT_COLUMNS: tuple[Column, ...] = (
    Column("complaint_reference", "The Ombudsman's reference", True, "text", "21 000 001"),
    Column("ombudsman", "Who made the recommendation", True, "short name", "LGSCO"),
    Column(
        "complaint_title", "A short, pseudonymised title", True, "text", "Cross-border referral"
    ),
    Column("service_area", "The service complained about", False, "text", "Children's Services"),
    Column(
        "finding",
        "The Ombudsman's finding",
        True,
        "fault with injustice, fault, no fault (or fault_injustice, fault, no_fault)",
        "fault with injustice",
    ),
    Column("public_interest_report", "Was it a public interest report?", True, "yes or no", "yes"),
    Column("report_date", "The date of the report", True, "YYYY-MM-DD or DD/MM/YYYY", "2021-11-26"),
    Column("received_date", "The date the report was received", False, "a date", "29/11/2021"),
    Column(
        "organisations",
        "Every organisation the complaint binds, as named in the app",
        True,
        "names separated by ;",
        "Northam Council; Southam Council",
    ),
    Column(
        "organisation",
        "The organisation this recommendation binds (one of organisations)",
        True,
        "a name",
        "Northam Council",
    ),
    Column("recommendation_number", "Its number in the report", True, "a whole number", "1"),
    Column("recommendation", "What the Ombudsman recommended", True, "text", "Share the learning"),
    Column(
        "kind",
        "What sort of recommendation it is",
        True,
        "personal remedy, service improvement, learning, audit, committee consideration, "
        "statutory response",
        "learning",
    ),
    Column(
        "expected_evidence",
        "The evidence the Ombudsman expects",
        True,
        "text",
        "Copies of the briefing",
    ),
    Column(
        "rule",
        "How the due date is counted; blank or 'stated' for a date the Ombudsman stated",
        False,
        "stated; within N units of report date; N units beginning with date received "
        "(units: days, weeks, months, working days)",
        "within 3 months of report date",
    ),
    Column(
        "due_date",
        "Required for a stated date; otherwise optional, and it must match the rule",
        False,
        "a date",
        "2022-02-26",
    ),
    Column(
        "status",
        "Where the recommendation stands",
        True,
        "open, in progress, complied, not complied, withdrawn",
        "complied",
    ),
    Column(
        "completed_on",
        "Required for complied and not complied; blank otherwise",
        False,
        "a date",
        "2022-02-20",
    ),
    Column("owner", "Who owns it: a user of the app", False, "username or email", "officer"),
    Column(
        "evidence",
        "A link to the evidence; required for complied",
        False,
        "a web address",
        "https://example.org/minutes/12",
    ),
)

EXPORT_COLUMNS: tuple[Column, ...] = (
    Column("complaint_reference", "The Ombudsman's reference"),
    Column("ombudsman", "The Ombudsman's short name"),
    Column("organisation", "The organisation the recommendation binds"),
    Column("recommendation_number", "Its number in the report"),
    Column("recommendation", "What the Ombudsman recommended"),
    Column("kind", "What sort of recommendation it is"),
    Column("rule", "How the due date is counted, in the syntax the import accepts"),
    Column("rule_description", "The rule in words, with the date it counts from"),
    Column("original_due_date", "The due date before any extension (YYYY-MM-DD)"),
    Column("due_date", "The due date now, after any extension (YYYY-MM-DD)"),
    Column("status", "Where the recommendation stands"),
    Column("completed_on", "When it was complied or not complied (YYYY-MM-DD)"),
    Column("outcome", "Compliance on the export date: on time, late, overdue..."),
    Column("owner", "The owner's username"),
)

COLUMN_ORDER = {column.name: position for position, column in enumerate(IMPORT_COLUMNS)}
REQUIRED = frozenset(column.name for column in IMPORT_COLUMNS if column.required)
