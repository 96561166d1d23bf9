"""The tracker's one set of columns: what the import reads, the template holds and the export
writes, so that an export edited in Excel imports back.

``IMPORT_COLUMNS`` are the ones a user fills in (the template's header row), with those the
apps above add (``import_columns()``; see ``extensions``). The export writes them first, in
the same order, then ``FROM_EXPORT``: columns the app fills in, which the import
accepts and ignores (``ignored``), except ``version``, which it reads to refuse a change made
on a stale copy. The import page shows ``all_columns()`` as a table, and ``docs/tracker-csv.md``
describes them for users: keep that page in step (a test compares the two).
"""

from dataclasses import dataclass

from .extensions import tracker_extensions


@dataclass(frozen=True)
class Column:
    name: str
    meaning: str
    required: bool = False
    format: str = ""
    example: str = ""
    when: str = ""  # when an optional column is needed, in words ("For a stated rule")
    from_export: bool = False  # the export fills it in; not in the template
    ignored: bool = False  # the import accepts it and does not read it

    @property
    def required_text(self) -> str:
        """The "Required" cell of the column table on the import page."""
        if self.required:
            return "Yes"
        if self.from_export:
            return "No: the export fills it in"
        return self.when or "No"


IMPORT_COLUMNS: tuple[Column, ...] = (
    Column("complaint_reference", "The Ombudsman's reference", True, "text", "21 000 001"),
    Column("ombudsman", "Who made the recommendation", True, "LGSCO, HOS or PHSO", "LGSCO"),
    Column(
        "complaint_title",
        "A short title, pseudonymised: never a child's or family member's name",
        True,
        "text",
        "Cross-border referral",
    ),
    Column("service_area", "The service complained about", False, "text", "Children's Services"),
    Column(
        "finding",
        "The Ombudsman's finding",
        True,
        "fault with injustice, fault or no fault",
        "fault with injustice",
    ),
    Column("public_interest_report", "Was it a public interest report?", True, "yes or no", "yes"),
    Column("report_date", "The date of the report", True, "YYYY-MM-DD or DD/MM/YYYY", "2021-11-26"),
    Column(
        "received_date",
        "The date the report was received",
        False,
        "a date",
        "29/11/2021",
        when="For a rule that counts from it, and for the statutory clocks",
    ),
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
    Column("recommendation_number", "Its number in the report", True, "a whole number from 1", "1"),
    Column("recommendation", "What the Ombudsman recommended", True, "text", "Share the learning"),
    Column(
        "kind",
        "What sort of recommendation it is",
        True,
        "personal remedy, service improvement, learning, audit, committee consideration or "
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
        "The date the rule gives, or the date the Ombudsman stated (before any extension); "
        "with a rule it may be left blank",
        False,
        "a date",
        "2022-02-26",
        when="For a stated rule",
    ),
    Column(
        "status",
        "Where the recommendation stands",
        True,
        "open, in progress, complied, not complied or withdrawn (exported also as evidence "
        "sent, awaiting the Ombudsman, which only the app sets)",
        "complied",
    ),
    Column(
        "completed_on",
        "The day it was complied or not complied, or its evidence sent to the Ombudsman; "
        "blank otherwise",
        False,
        "a date, not in the future",
        "2022-02-20",
        when="For complied, not complied and evidence sent",
    ),
    Column("owner", "Who owns it: a user of the app", False, "username or email", "officer"),
    Column(
        "evidence",
        "A link to the evidence (an export gives the latest link)",
        False,
        "a web address starting https://",
        "https://example.org/minutes/12",
        when="For complied, unless the app already holds its evidence",
    ),
)

FROM_EXPORT: tuple[Column, ...] = (
    Column(
        "rule_description",
        "The rule in words, with the date it counts from",
        format="text",
        example="Within 3 months of the date of the report (26 November 2021)",
        from_export=True,
        ignored=True,
    ),
    Column(
        "current_due_date",
        "The due date now, after any agreed extension",
        format="YYYY-MM-DD",
        example="2022-03-31",
        from_export=True,
        ignored=True,
    ),
    Column(
        "outcome",
        "Compliance on the day of the export",
        format="open, overdue, complied on time, complied late, not complied or withdrawn",
        example="Complied late",
        from_export=True,
        ignored=True,
    ),
    Column(
        "version",
        "The recommendation's version when exported: the import changes a status only if "
        "nobody has changed the recommendation in the app since. Leave it as it is",
        format="a whole number",
        example="3",
        from_export=True,
    ),
)

REQUIRED = frozenset(column.name for column in IMPORT_COLUMNS if column.required)


def import_columns() -> tuple[Column, ...]:
    """The columns a user fills in: ours (``IMPORT_COLUMNS``), then those of the apps that
    extend the tracker (``extensions``), read when asked for, so that every extension is in."""
    return IMPORT_COLUMNS + tuple(
        column for extension in tracker_extensions() for column in extension.columns
    )


def all_columns() -> tuple[Column, ...]:
    """Every column, as the export writes them: ``import_columns()``, then ``FROM_EXPORT``."""
    return import_columns() + FROM_EXPORT


def column_order() -> dict[str, int]:
    return {column.name: position for position, column in enumerate(all_columns())}
