"""A report as a Word document, laid out with named styles only.

Headings use "Heading 1" and "Heading 2", lists "List Bullet", tables "Table Grid" with their
first row marked as a header row that repeats on every page (``w:tblHeader``) and a title for
screen readers (``w:tblCaption``). A council restyles the report by supplying its own Word
document through the ``REPORTS_DOCX_TEMPLATE`` setting: its styles are used and its body text
is dropped. A style the template lacks falls back to the paragraph's default. The appendix
starts on a new page.

Each style is looked up by name once per document (``_Styles``): python-docx looks a name up by
reading every style in the document, and did so for each paragraph: over half the time a report
touching a full audit took.

Every page has a running header (``reports.page_marks``: DRAFT first on a draft) and a footer
"Page X of Y" from Word's PAGE and NUMPAGES fields, which Word and LibreOffice fill in as they lay
the pages out. A council's template keeps its own header and footer (its letterhead, a
protective marking): the running header is added below its header, and the page numbers below
its footer unless that header or footer already numbers the pages.
"""

import re
from io import BytesIO

import cairosvg
from django.conf import settings
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm

from .document import ReportDocument
from .page_marks import DRAFT_MARK, running_head


def _blank_document():
    template = settings.REPORTS_DOCX_TEMPLATE
    document = Document(template) if template else Document()
    body = document.element.body
    for element in list(body):
        if element.tag != qn("w:sectPr"):  # keep the page set-up, drop the template's text
            body.remove(element)
    return document


# Every style a report uses (headings: sections and their parts). A council's template should
# define them all; ``reports.checks`` says which it lacks.
STYLES = ("Title", "Heading 1", "Heading 2", "List Bullet", "Caption", "Table Grid")
# A chart spans the text of an A4 page with Word's default margins, drawn sharp for print.
FIGURE_WIDTH = Cm(16)
FIGURE_PIXELS = 1600


class _Styles:
    """The document's styles by kind and name, read once: each one's style id, or None where
    the document lacks it (the paragraph or table then keeps its default)."""

    def __init__(self, document):
        self._ids = {(style.type, style.name): style.style_id for style in document.styles}

    def paragraph(self, container, text: str = "", style: str | None = None):
        """A paragraph added to ``container`` (the document, a header or a footer)."""
        paragraph = container.add_paragraph(text)
        self.apply(paragraph, style)
        return paragraph

    def apply(self, paragraph, style: str | None) -> None:
        if style_id := self._ids.get((WD_STYLE_TYPE.PARAGRAPH, style)):
            paragraph._p.style = style_id

    def table(self, table, style: str) -> None:
        table._tbl.tblStyle_val = self._ids.get((WD_STYLE_TYPE.TABLE, style))


def _mark_header_row(row):
    """Word repeats the row at the top of each page and screen readers read it as headers."""
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(header)


def _add_table(document, styles: _Styles, table):
    styles.paragraph(document, table.caption, "Caption")
    grid = document.add_table(rows=1, cols=len(table.header))
    styles.table(grid, "Table Grid")
    caption = OxmlElement("w:tblCaption")
    caption.set(qn("w:val"), table.caption)
    grid._tbl.tblPr.append(caption)
    header = grid.rows[0]
    _mark_header_row(header)
    for cell, text in zip(header.cells, table.header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    for values in table.rows:
        for cell, text in zip(grid.add_row().cells, values, strict=True):
            cell.text = text


def _set_language(document, language):
    """The language screen readers and spelling use for the text (the template's may differ)."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")) if defaults is not None else None
    if run_defaults is None or run_defaults.find(qn("w:rPr")) is None:
        return
    properties = run_defaults.find(qn("w:rPr"))
    lang = properties.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        properties.append(lang)
    lang.set(qn("w:val"), language)


# A field's instruction that puts the page number (not NUMPAGES, not SECTIONPAGES).
_PAGE_FIELD = re.compile(r"^\s*PAGE\b")


def _field(paragraph, instruction: str) -> None:
    """A simple field (``w:fldSimple``): python-docx has no API for fields. No cached result:
    Word computes page fields in headers and footers whenever it lays the pages out."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), f" {instruction} ")
    paragraph._p.append(field)


def _numbers_pages(part) -> bool:
    """Whether a header or footer from a council's template already shows the page number."""
    element = part._element
    instructions = [field.get(qn("w:instr"), "") for field in element.iter(qn("w:fldSimple"))]
    instructions += [text.text or "" for text in element.iter(qn("w:instrText"))]
    return any(_PAGE_FIELD.match(instruction) for instruction in instructions)


def _new_paragraph(part, styles: _Styles, style: str):
    """The part's one empty paragraph (a header or footer just made has one), or a new one
    after the template's content."""
    paragraphs = part.paragraphs
    if len(part._element) == 1 and len(paragraphs) == 1 and not paragraphs[0].runs:
        paragraph = paragraphs[0]
        styles.apply(paragraph, style)
        return paragraph
    return styles.paragraph(part, style=style)


def _headers_and_footers(document):
    """Each (header, footer) pair Word shows: every page's, the first page's when the template
    has a different first page, the even pages' when it has different odd and even pages."""
    section = document.sections[0]  # the template's body, with its section breaks, is dropped
    pairs = [(section.header, section.footer)]
    if section.different_first_page_header_footer:
        pairs.append((section.first_page_header, section.first_page_footer))
    if document.settings.odd_and_even_pages_header_footer:
        pairs.append((section.even_page_header, section.even_page_footer))
    return pairs


def _mark_pages(document, styles: _Styles, report: ReportDocument, *, draft: bool) -> None:
    for header, footer in _headers_and_footers(document):
        numbered = _numbers_pages(header) or _numbers_pages(footer)
        head = _new_paragraph(header, styles, "Header")
        if draft:
            head.add_run(DRAFT_MARK).bold = True
            head.add_run(" ")
        head.add_run(running_head(report))
        if not numbered:
            foot = _new_paragraph(footer, styles, "Footer")
            foot.add_run("Page ")
            _field(foot, "PAGE")
            foot.add_run(" of ")
            _field(foot, "NUMPAGES")


def _add_figure(document, styles: _Styles, figure) -> None:
    """The chart as a picture the width of the text, with its description as the picture's
    alternative text (``wp:docPr/@descr``), and its caption below. CairoSVG draws the same SVG
    the preview and the PDF show."""
    png = cairosvg.svg2png(bytestring=figure.svg.encode(), output_width=FIGURE_PIXELS)
    document.add_picture(BytesIO(png), width=FIGURE_WIDTH)
    picture = document.paragraphs[-1]._p
    for properties in picture.iter(qn("wp:docPr")):
        properties.set("descr", figure.description)
        properties.set("title", figure.caption)
    styles.paragraph(document, figure.caption, "Caption")


def _add_blocks(document, styles: _Styles, blocks) -> None:
    for block in blocks:
        match block.kind:
            case "heading":
                styles.paragraph(document, block.text, f"Heading {block.level}")
            case "paragraph":
                document.add_paragraph(block.text)
            case "bullets":
                for item in block.items:
                    styles.paragraph(document, item, "List Bullet")
            case "table":
                _add_table(document, styles, block)
            case "figure":
                _add_figure(document, styles, block)


def render_docx(report: ReportDocument, *, draft: bool = False) -> bytes:
    """The report as a Word document; ``draft`` marks every page's header DRAFT."""
    document = _blank_document()
    styles = _Styles(document)
    _mark_pages(document, styles, report, draft=draft)
    _set_language(document, "en-GB")
    properties = document.core_properties
    properties.title = report.title
    properties.subject = " ".join(value for _, value in report.facts[:2])
    properties.author = settings.COUNCIL_NAME
    properties.language = "en-GB"
    styles.paragraph(document, report.title, "Title")
    for label, value in report.facts:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label}: ").bold = True
        paragraph.add_run(value)
    _add_blocks(document, styles, report.blocks)
    if report.appendix:
        document.add_page_break()
        _add_blocks(document, styles, report.appendix)
    out = BytesIO()
    document.save(out)
    return out.getvalue()
