"""What every page of a report's Word and PDF files carries, worded once for both: a running
header naming the report, the body and the meeting; DRAFT on a draft's pages; "Page X of Y".

An issued report's files carry no DRAFT marking: a draft's must never pass for them.
"""

from .document import ReportDocument

DRAFT_MARK = "DRAFT"


def running_head(report: ReportDocument) -> str:
    """``Progress on the Ombudsman's recommendations: Cabinet, 15 February 2022``: the title,
    then the body and the meeting from the document's facts."""
    facts = dict(report.facts)
    # The date is kept on one line ("15 / February 2022" reads badly).
    meeting = facts.get("Meeting", "").replace(" ", "\N{NO-BREAK SPACE}")
    where = ", ".join(part for part in (facts.get("Report to", ""), meeting) if part)
    return f"{report.title}: {where}" if where else report.title
