"""Spotting personal data in the population file, which must hold pseudonymised references only.

Pure functions, for ``population_csv``: a column name that says it holds a personal identifier,
and a value that looks like one (an NHS number that passes its check digit, an email address, a
UK phone number or postcode, a date in free text, which may be a date of birth, and a name).
A value found is never repeated back in full: ``masked`` says how it starts and how long it is.
"""

import re
from datetime import date

# Header words that mean a column holds personal data (matched on ``header_key`` names).
PERSONAL_COLUMN = re.compile(
    r"(^|_)(name|names|forename|forenames|surname|firstname|lastname|fullname|given_name|dob|"
    r"birth|birthdate|birthday|address|postcode|post_code|zip|street|email|e_mail|phone|"
    r"telephone|tel|mobile|nhs|nhs_no|nhs_number|ni_number|national_insurance|upn|"
    r"pupil_number)(_|$)"
)
# The same words run together, as some systems write them: ChildName, DateOfBirth, NHSNumber.
PERSONAL_COLUMN_JOINED = re.compile(
    r"name|surname|dateofbirth|birthdate|birthday|^dob|dob$|nhsnumber|nhsno|address|postcode|"
    r"zipcode|telephone|phone|mobile|email"
)

_NHS_NUMBER = re.compile(r"(?<![0-9A-Za-z])([0-9]{3})[ -]?([0-9]{3})[ -]?([0-9]{4})(?![0-9A-Za-z])")
_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# A UK number: 0 then 9 or 10 digits (01..., 02..., 07..., 08...), or +44 and the same without
# its 0, with spaces, dashes or brackets between.
_PHONE = re.compile(
    r"(?<![\w+])(?:\+44[\s-]?(?:\(0\)[\s-]?)?|\(?0)[1-9](?:[\s\-()]{0,2}[0-9]){8,9}(?![\w])"
)
# The postcode areas (the letters before the first digit), so that fewer references look alike.
_POSTCODE_AREAS = (
    "AB|AL|BA|BB|BD|BH|BL|BN|BR|BS|BT|CA|CB|CF|CH|CM|CO|CR|CT|CV|CW|DA|DD|DE|DG|DH|DL|DN|DT|"
    "DY|EC|EH|EN|EX|FK|FY|GL|GU|GY|HA|HD|HG|HP|HR|HS|HU|HX|IG|IM|IP|IV|JE|KA|KT|KW|KY|LA|LD|"
    "LE|LL|LN|LS|LU|ME|MK|ML|NE|NG|NN|NP|NR|NW|OL|OX|PA|PE|PH|PL|PO|PR|RG|RH|RM|SA|SE|SG|SK|"
    "SL|SM|SN|SO|SP|SR|SS|ST|SW|SY|TA|TD|TF|TN|TQ|TR|TS|TW|UB|WA|WC|WD|WF|WN|WR|WS|WV|YO|ZE|"
    "B|E|G|L|M|N|S|W"
)  # longest first
_POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])(?:GIR ?0AA|(?:"
    + _POSTCODE_AREAS
    + r")[0-9][A-Z0-9]? ?[0-9][ABD-HJLNP-UW-Z]{2})(?![A-Za-z0-9])",
    re.IGNORECASE,
)
# The same shape with any one or two letters for the area: ten times quicker to search, and
# whatever ``_POSTCODE`` finds it finds too, so a value it passes over holds no postcode.
_POSTCODE_SHAPE = re.compile(
    r"(?<![A-Za-z0-9])(?:GIR ?0AA|[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][ABD-HJLNP-UW-Z]{2})"
    r"(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = "(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"([0-9]{1,2})(?:st|nd|rd|th)?"
_DATES = [
    # 26/11/2021, 26-11-21, 26.11.2021
    (
        "dmy",
        re.compile(r"(?<![0-9])([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4}|[0-9]{2})(?![0-9])"),
    ),
    # 2021-11-26, 2021/11/26
    ("ymd", re.compile(r"(?<![0-9])([0-9]{4})[/.-]([0-9]{1,2})[/.-]([0-9]{1,2})(?![0-9])")),
    # 26 November 2021, 26th Nov. 2021
    ("dMy", re.compile(rf"(?<![0-9]){_DAY}\s+{_MONTH}\s*,?\s+([0-9]{{4}})(?![0-9])", re.I)),
    # November 26, 2021
    ("Mdy", re.compile(rf"(?<![A-Za-z]){_MONTH}\s+{_DAY},?\s+([0-9]{{4}})(?![0-9])", re.I)),
]
# Written-out months need a space (``\s+``) before the year: a value without one skips them.
_NUMERIC_DATES = _DATES[:2]
_DIGIT = re.compile(r"[0-9]")
_SPACE = re.compile(r"\s")
# Two capitalised words, run together or apart: Jane Smith, JaneSmith, Jane_Smith, Jane.Smith.
_NAME = re.compile(r"(?<![A-Za-z])[A-Z][a-z]+[\s_.\-]?[A-Z][a-z]+(?![a-z])")
# A title and a name: Mr Smith, Mrs. Jones, Miss Amy Brown.
_TITLED_NAME = re.compile(r"(?<![A-Za-z])(?:Mr|Mrs|Ms|Miss|Mx|Master|Dr)\.?\s+[A-Z][a-z]+")


def personal_column(key: str) -> bool:
    """Whether a column name (``header_key`` form: ``date_of_birth``) names personal data."""
    return bool(PERSONAL_COLUMN.search(key) or PERSONAL_COLUMN_JOINED.search(key.replace("_", "")))


def nhs_number_valid(digits: str) -> bool:
    """The NHS number's modulus 11 check: weights 10 to 2 on the first nine digits."""
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        return False
    total = sum(
        int(digit) * weight for digit, weight in zip(digits[:9], range(10, 1, -1), strict=True)
    )
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _has_nhs_number(text: str) -> bool:
    return any(nhs_number_valid("".join(match.groups())) for match in _NHS_NUMBER.finditer(text))


def _real_date(kind: str, groups: tuple[str, ...]) -> bool:
    if kind == "dmy":
        day, month, year = groups
    elif kind == "ymd":
        year, month, day = groups
    elif kind == "dMy":
        day, month, year = groups
    else:
        month, day, year = groups
    if not month.isdigit():
        month = _MONTHS[month.lower()]
    year = int(year) + (2000 if len(year) == 2 else 0)
    try:
        date(year, int(month), int(day))
    except ValueError:
        return False
    return True


def _has_date(text: str) -> bool:
    patterns = _DATES if _SPACE.search(text) else _NUMERIC_DATES
    return any(
        _real_date(kind, match.groups())
        for kind, pattern in patterns
        for match in pattern.finditer(text)
    )


def personal_value(text: str, *, free_text: bool, reference: bool = False) -> str | None:
    """What personal data ``text`` seems to hold ("an NHS number"), or None.

    ``free_text``: a column of words (not a date column), where a date may be a date of birth
    and a title may start a name; ``reference``: the case reference, where two capitalised
    words are a name.

    Each check runs only where the value has what its pattern needs (an NHS or phone number
    has ten digits, a date four, a postcode one, an email address an @): the import checks
    every cell, and most cells need only the cheap tests.
    """
    digits = len(_DIGIT.findall(text))
    if digits >= 10 and _has_nhs_number(text):
        return "an NHS number"
    if "@" in text and _EMAIL.search(text):
        return "an email address"
    if digits >= 10 and _PHONE.search(text):
        return "a phone number"
    if digits and _POSTCODE_SHAPE.search(text) and _POSTCODE.search(text):
        return "a postcode"
    if free_text and digits >= 4 and _has_date(text):
        return "a date, which may be a date of birth"
    if reference and _NAME.search(text):
        return "a name"
    if free_text and _TITLED_NAME.search(text):
        return "a name"
    return None


def masked(text: str) -> str:
    """How a value starts and how long it is, to find it by without repeating it."""
    text = text.strip()
    if not text:
        return "an empty value"
    first = text[0] if text[0].isprintable() else "?"
    return f"starting '{first}', {len(text)} characters"
