"""A report as a tagged PDF (PDF/UA-1), from the same HTML as the preview, by WeasyPrint.

The HTML is the project's own template with escaped text, and WeasyPrint may fetch nothing:
the stylesheet is read from this app's static folder and every other address is refused.

Every page carries the running header and "Page X of Y" in its margins (``@page`` margin boxes,
``report-pdf.css``). A draft's pages also say DRAFT in the header and across the page, in text
that prints and that a screen reader reads; an issued report's carry no DRAFT marking.
"""

from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string

from .document import ReportDocument
from .page_marks import DRAFT_MARK, running_head

STYLESHEET = Path(__file__).resolve().parent / "static" / "reports" / "report-pdf.css"


def _fetch_nothing(url, *args, **kwargs):
    raise ValueError(f"The report may not load {url}")


def render_pdf(report: ReportDocument, *, draft: bool = False) -> bytes:
    """The report as a PDF; ``draft`` marks every page DRAFT."""
    # Imported here: loading Pango costs a second that pages without a PDF should not pay.
    from weasyprint import CSS, HTML

    html = render_to_string(
        "reports/report_pdf.html",
        {
            "document": report,
            "council_name": settings.COUNCIL_NAME,
            "running_head": running_head(report),
            "draft_mark": DRAFT_MARK if draft else "",
        },
    )
    return HTML(string=html, url_fetcher=_fetch_nothing).write_pdf(
        stylesheets=[CSS(filename=str(STYLESHEET))],
        # Tagged, with the title shown and the language set: what PDF/UA-1 asks for.
        pdf_variant="pdf/ua-1",
    )
