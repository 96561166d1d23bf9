"""System checks for what a deployment configures for reports and can get wrong: a council's
Word template that is missing, unreadable or lacks the styles reports are laid out with."""

from django.conf import settings
from django.core.checks import Error, Warning, register

from .docx import STYLES


@register()
def docx_template_check(app_configs, **kwargs):
    path = settings.REPORTS_DOCX_TEMPLATE
    if not path:
        return []
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError

    try:
        template = Document(path)
    except (OSError, PackageNotFoundError, ValueError, KeyError) as error:
        return [
            Error(
                f"REPORTS_DOCX_TEMPLATE ({path}) cannot be read as a Word document: {error}",
                hint="Point it at a .docx file the app can read, or unset it for the default "
                "layout.",
                id="reports.E001",
            )
        ]
    missing = [name for name in STYLES if name not in template.styles]
    if missing:
        return [
            Warning(
                f"REPORTS_DOCX_TEMPLATE lacks the styles {', '.join(missing)}: reports fall "
                "back to plain paragraphs there.",
                hint="Add the styles to the template in Word (Styles pane), or unset it.",
                id="reports.W001",
            )
        ]
    return []
