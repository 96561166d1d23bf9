"""``{% reminder_notices today %}``: the reminders sent to the user, on pages other apps own
(the home page), so that those apps need not import reminders."""

from django import template

from reminders.selectors import notices_for

register = template.Library()


@register.inclusion_tag("reminders/includes/notices.html", takes_context=True)
def reminder_notices(context, at):
    """The last 30 days' reminders about deadlines still open (``notices_for``)."""
    return {"notices": notices_for(context["request"].user, at=at)}
