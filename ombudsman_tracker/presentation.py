"""What every app's pages are built from: a coloured tag and an action link, decided in Python
(the ``presentation`` module of each app) and drawn by the shared templates in
``templates/includes/``."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Tag:
    text: str
    colour: str  # a GOV.UK tag colour, see templates/includes/tag.html


@dataclass(frozen=True)
class Action:
    label: str
    href: str
    hint: str = ""
