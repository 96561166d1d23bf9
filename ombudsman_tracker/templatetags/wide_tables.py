"""``{% wide_table %}``: a table that scrolls sideways inside its own region on a narrow screen,
so the page itself never does (WCAG 1.4.10, reflow). The region takes keyboard focus, so a
keyboard user can scroll it too (WCAG 2.1.1), and is named, so a screen reader says what it is.

A builtin of the template engine (``TEMPLATES``' ``builtins``): templates use it without a
``{% load %}``. The markup is ``templates/includes/wide_table.html``; the style is
``.app-scroll-region`` in ``static/src/main.scss``.
"""

from django import template
from django.utils.safestring import mark_safe

register = template.Library()

USAGE = '{% wide_table "Name of the table" %}<table>…</table>{% endwide_table %}'


@register.tag
def wide_table(parser, token):
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError(f"wide_table takes the table's name: {USAGE}")
    label = parser.compile_filter(bits[1])
    nodelist = parser.parse(("endwide_table",))
    parser.delete_first_token()
    return WideTableNode(label, nodelist)


class WideTableNode(template.Node):
    def __init__(self, label, nodelist):
        self.label = label
        self.nodelist = nodelist

    def render(self, context):
        wrapper = context.template.engine.get_template("includes/wide_table.html")
        # The table is template output, escaped as it was rendered.
        table = mark_safe(self.nodelist.render(context))  # noqa: S308
        with context.push(label=self.label.resolve(context), table=table):
            return wrapper.render(context)
