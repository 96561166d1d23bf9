"""Show what ``audits.presentation`` decided: tags for outcomes, the sample table's cells, the
user's audit cases on the home page and the case audit's actions on a recommendation's page."""

from django import template

from audits import presentation
from audits.selectors import audit_cases_for, recommendation_programmes
from recommendations.presentation import tag_html

register = template.Library()


@register.simple_tag
def show_tag(tag):
    """``{% show_tag tag %}`` for a ``recommendations.presentation.Tag``."""
    return tag_html(tag)


@register.simple_tag
def outcome_status(outcome):
    """``{% outcome_status outcome %}``: Not started, Draft or Submitted."""
    return tag_html(presentation.outcome_tag(outcome))


@register.filter
def similar_issues_cell(row):
    return presentation.similar_issues_cell(row)


@register.filter
def yes_no(value):
    return presentation.yes_no(value)


@register.filter
def grade_label(value):
    return presentation.grade_label(value)


@register.simple_tag(takes_context=True)
def with_audit_actions(context, actions, recommendation):
    """``{% with_audit_actions actions recommendation as actions %}``: a recommendation page's
    actions, then what the case audit offers there: links to its audits, and setting one up
    (so recommendations need not know audits)."""
    user = context["user"]
    programmes = recommendation_programmes(user, recommendation)
    audit_actions = presentation.recommendation_audit_actions(recommendation, programmes, user=user)
    return [*actions, *audit_actions]


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
