"""Show what ``audits.presentation`` decided: tags for outcomes, the sample table's cells, and
the user's audit cases on the home page."""

from django import template

from audits import presentation
from audits.selectors import audit_cases_for

register = template.Library()


@register.inclusion_tag("includes/tag.html")
def show_tag(tag):
    """``{% show_tag tag %}`` for a ``recommendations.presentation.Tag``."""
    return {"text": tag.text, "colour": tag.colour}


@register.inclusion_tag("includes/tag.html")
def outcome_status(outcome):
    """``{% outcome_status outcome %}``: Not started, Draft or Submitted."""
    tag = presentation.outcome_tag(outcome)
    return {"text": tag.text, "colour": tag.colour}


@register.filter
def similar_issues_cell(row):
    return presentation.similar_issues_cell(row)


@register.filter
def yes_no(value):
    return presentation.yes_no(value)


@register.filter
def grade_label(value):
    return presentation.grade_label(value)


@register.filter
def percent(share):
    """A share between 0 and 1 as a percentage: ``{{ 0.375|percent }}`` gives 37.5%."""
    return presentation.percent(share)


@register.inclusion_tag("audits/includes/my_cases_summary.html", takes_context=True)
def my_audit_cases(context):
    """The home page's "Your audit cases": how many are still to record, with a link."""
    user = context["user"]
    if not user.has_perm("audits.record_audit_outcome"):
        return {"show": False}
    rows = presentation.my_cases(audit_cases_for(user), user=user)
    return {
        "show": True,
        "total": len(rows),
        "to_record": sum(1 for row in rows if not (row.outcome and row.outcome.is_locked)),
    }
