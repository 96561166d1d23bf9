"""The one way an annual letter's figures are recorded: typed in, changed, or imported.

Each is saved with history (who, and why: typed, changed, or imported from which file). A change
carries the ``version`` the user saw: one made on top of someone else's is refused
(``ConflictError``) with nothing written. Only someone whose access covers the letter's
organisation may record it (the views also check the role).
"""

import csv
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction

from ombudsman_tracker.csv_import import RowError, header_key, text_stream
from ombudsman_tracker.financial_years import FinancialYear
from ombudsman_tracker.history import (
    ConflictError,
    conflict_on_duplicate,
    locked,
    save_with_history,
)
from organisations.models import Organisation

from .models import FIGURES, AnnualLetter, LetterSource

__all__ = ["ConflictError", "LetterImportError", "letter_create", "letter_update", "letters_import"]


def _check_access(by, organisation) -> None:
    if not by.acts_for(organisation):
        raise PermissionDenied(f"{by} may not record letters for {organisation}")


def _figures_set(letter: AnnualLetter, figures: dict) -> list[str]:
    """Set the figures given; return the labels of those that changed."""
    unknown = set(figures) - set(FIGURES)
    if unknown:
        raise TypeError(f"Not figures of a letter: {sorted(unknown)}")
    changed = []
    for name, value in figures.items():
        if getattr(letter, name) != value:
            setattr(letter, name, value)
            changed.append(str(AnnualLetter._meta.get_field(name).verbose_name))
    return changed


@transaction.atomic
def letter_create(
    *, organisation: Organisation, year: int, by, source: str = LetterSource.TYPED, **figures
) -> AnnualLetter:
    """Record the letter for ``organisation`` and the financial year beginning in ``year``.
    A second letter for the same year is refused: change the one recorded instead (two people
    adding it at once: the second gets ``ConflictError``)."""
    _check_access(by, organisation)
    letter = AnnualLetter(organisation=organisation, year=year, source=source)
    _figures_set(letter, figures)
    if AnnualLetter.objects.filter(organisation=organisation, year=year).exists():
        raise ValidationError(
            {
                "year": f"{organisation} already has a letter for {letter.financial_year.label}: "
                "change that one instead"
            }
        )
    letter.full_clean(exclude=["organisation"], validate_unique=False)
    with conflict_on_duplicate(letter):
        save_with_history(letter, by=by, reason="Letter's figures recorded")
    return letter


@transaction.atomic
def letter_update(*, letter: AnnualLetter, version: int | None, by, **figures) -> AnnualLetter:
    """Change the letter's figures. Returns the saved copy."""
    letter = locked(letter)
    _check_access(by, letter.organisation)
    if version is not None and letter.version != version:
        raise ConflictError(letter)
    changed = _figures_set(letter, figures)
    if not changed:
        return letter
    letter.full_clean(exclude=["organisation"], validate_unique=False)
    letter.source = LetterSource.TYPED
    save_with_history(letter, by=by, reason=f"Changed: {', '.join(changed)}")
    return letter


# --- Importing a file of letters ------------------------------------------------------------

REQUIRED_COLUMNS = ("organisation", "year", "decisions", "upheld", "satisfactory_remedies")
OPTIONAL_COLUMNS = ("compliance_rate", "compliance_outcomes")
INTEGER_COLUMNS = ("decisions", "upheld", "compliance_outcomes", "satisfactory_remedies")


class LetterImportError(Exception):
    """The file was refused: nothing was written. ``errors`` say where and why."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__(f"{len(errors)} problem(s) in the file")


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


def _integer(text: str) -> int:
    if not text.isdigit():
        raise ValueError(f"'{text}' is not a whole number of 0 or more.")
    return int(text)


def _rate(text: str) -> Decimal:
    try:
        rate = Decimal(text.removesuffix("%").strip())
    except InvalidOperation:
        raise ValueError(f"'{text}' is not a percentage: write it as 98 or 97.5.") from None
    if not rate.is_finite() or not 0 <= rate <= 100:
        raise ValueError(f"'{text}' is not a percentage from 0 to 100.")
    if rate != rate.quantize(Decimal("0.01")):
        raise ValueError(f"'{text}' has more than 2 decimal places.")
    return rate


def _parse_row(number, cells, organisations, errors) -> tuple | None:
    """(organisation, year, figures) for a row, or None after adding its problems to ``errors``."""
    problems_before = len(errors)
    name = cells.get("organisation", "")
    organisation = organisations.get(name.casefold())
    if not name:
        errors.append(RowError(number, "organisation", "Enter the council's name."))
    elif organisation is None:
        errors.append(
            RowError(
                number,
                "organisation",
                f"'{name}' is not an organisation you can record letters for: use its name as "
                "the app spells it.",
            )
        )
    try:
        year = FinancialYear.from_label(cells.get("year", ""))
    except ValueError as error:
        errors.append(RowError(number, "year", str(error)))
        year = None
    figures = {}
    for column in (*INTEGER_COLUMNS, "compliance_rate"):
        text = cells.get(column, "").strip()
        if not text:
            if column in REQUIRED_COLUMNS:
                errors.append(RowError(number, column, "Enter a figure."))
            else:
                figures[column] = None
            continue
        try:
            figures[column] = _rate(text) if column == "compliance_rate" else _integer(text)
        except ValueError as error:
            errors.append(RowError(number, column, str(error)))
    if len(errors) > problems_before:
        return None
    candidate = AnnualLetter(organisation=organisation, year=year.start_year, **figures)
    try:
        candidate.full_clean(exclude=["organisation"], validate_unique=False)
    except ValidationError as error:
        for field_name, messages in error.message_dict.items():
            column = "" if field_name == NON_FIELD_ERRORS else field_name
            errors.extend(RowError(number, column, message) for message in messages)
        return None
    return organisation, year, figures


def _rows(file, errors):
    with text_stream(file) as stream:
        try:
            reader = csv.reader(stream)
            header = next(reader, None)
            if not header:
                errors.append(RowError(1, "", "The file is empty."))
                return []
            keys = [header_key(cell) for cell in header]
            missing = [column for column in REQUIRED_COLUMNS if column not in keys]
            errors.extend(
                RowError(1, column, f"Column '{column}' is missing.") for column in missing
            )
            if missing:
                return []
            rows = [
                (number, {key: cell.strip() for key, cell in zip(keys, row, strict=False)})
                for number, row in enumerate(reader, start=2)
                if any(cell.strip() for cell in row)
            ]
        except UnicodeDecodeError:
            errors.append(RowError(None, "", "The file is not UTF-8 text: save it as CSV UTF-8."))
            return []
        except csv.Error as error:
            errors.append(RowError(None, "", f"The file is not valid CSV: {error}"))
            return []
    if not rows:
        errors.append(RowError(2, "", "The file has a header but no letters."))
    return rows


@transaction.atomic
def letters_import(*, file, by, file_name: str = "") -> ImportResult:
    """Record the letters in a CSV file (one row per council and year, columns
    ``REQUIRED_COLUMNS`` and optionally ``OPTIONAL_COLUMNS``), all or nothing.

    Every row is checked first; any problem refuses the whole file with every problem by row
    (``LetterImportError``) and nothing is written. A letter already recorded for the council
    and year is changed to the file's figures (its history says from which file); one the
    same is left alone, so importing a file twice changes nothing. Rows may name only the
    organisations ``by`` acts for (another council's name is refused like an unknown one).
    """
    errors: list[RowError] = []
    rows = _rows(file, errors)
    visible = (
        Organisation.objects.all()
        if by.sees_every_organisation
        else Organisation.objects.filter(pk=by.organisation_id)
    )
    organisations = {organisation.name.casefold(): organisation for organisation in visible}
    parsed, seen = [], {}
    for number, cells in rows:
        result = _parse_row(number, cells, organisations, errors)
        if result is None:
            continue
        organisation, year, figures = result
        key = (organisation.pk, year.start_year)
        if key in seen:
            errors.append(
                RowError(
                    number,
                    "year",
                    f"{organisation}'s letter for {year.label} is also on row {seen[key]}.",
                )
            )
            continue
        seen[key] = number
        parsed.append((organisation, year, figures))
    if errors:
        raise LetterImportError(errors)
    reason = f"Imported from {file_name}" if file_name else "Imported from a file"
    created = updated = unchanged = 0
    for organisation, year, figures in parsed:
        letter = (
            AnnualLetter.objects.select_for_update()
            .filter(organisation=organisation, year=year.start_year)
            .first()
        )
        if letter is None:
            letter = AnnualLetter(
                organisation=organisation, year=year.start_year, source=LetterSource.IMPORTED
            )
            _figures_set(letter, figures)
            with conflict_on_duplicate(letter):
                save_with_history(letter, by=by, reason=reason)
            created += 1
        elif changed := _figures_set(letter, figures):
            letter.source = LetterSource.IMPORTED
            save_with_history(letter, by=by, reason=f"{reason}: {', '.join(changed)}")
            updated += 1
        else:
            unchanged += 1
    return ImportResult(created=created, updated=updated, unchanged=unchanged)
