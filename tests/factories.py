"""Factories for the domain. Recommendations and complaints go through the services."""

from datetime import UTC, date, datetime

import factory
from django.contrib.auth.models import Group

from accounts.models import User
from accounts.roles import Role
from deadlines.arithmetic import Counting, Unit
from deadlines.models import Anchor
from organisations.models import Organisation
from recommendations import services
from recommendations.models import Complaint, Finding, Ombudsman, Recommendation, RecommendationKind


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Council {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = "Tester"
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    organisation = factory.SubFactory(OrganisationFactory, name="Croydon Council")
    team = "Children's Social Care"
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=Role(extracted)))


def user_with_role(role: Role, **kwargs) -> User:
    return UserFactory(role=role, **kwargs)


def lgsco() -> Ombudsman:
    return Ombudsman.objects.get(short_name="LGSCO")


def complaint_recorded(
    *,
    organisations=None,
    by=None,
    reference=None,
    report_date=date(2021, 11, 26),
    received_date=date(2021, 11, 26),
    public_interest_report=True,
    **fields,
) -> Complaint:
    by = by or user_with_role(Role.MANAGER)
    organisations = organisations or [by.organisation]
    return services.complaint_create(
        ombudsman=lgsco(),
        reference=reference or f"21 {Complaint.objects.count() + 1:03d} 000",
        title=fields.pop("title", "Cross-border child protection referral"),
        service_area=fields.pop("service_area", "Children's Social Care"),
        finding=fields.pop("finding", Finding.FAULT_WITH_INJUSTICE),
        is_public_interest_report=public_interest_report,
        report_date=report_date,
        received_date=received_date,
        organisations=organisations,
        by=by,
        **fields,
    )


WITHIN_3_MONTHS_OF_REPORT = {
    "counting": Counting.WITHIN,
    "count": 3,
    "unit": Unit.MONTHS,
    "anchor": Anchor.REPORT_DATE,
}


def recommendation_recorded(
    *,
    complaint=None,
    organisation=None,
    number=None,
    owner=None,
    by=None,
    rule=None,
    kind=RecommendationKind.LEARNING,
    text="Share the learning across the organisation.",
    expected_evidence="Copies of the briefing and who received it.",
) -> Recommendation:
    complaint = complaint or complaint_recorded(by=by)
    organisation = organisation or complaint.organisations.first()
    by = by or owner or user_with_role(Role.MANAGER, organisation=organisation)
    return services.recommendation_create(
        complaint=complaint,
        organisation=organisation,
        number=number or complaint.recommendations.count() + 1,
        text=text,
        kind=kind,
        expected_evidence=expected_evidence,
        owner=owner,
        by=by,
        rule=rule or WITHIN_3_MONTHS_OF_REPORT,
    )


def population_imported(*, organisation, count: int, by, teams=("Front Door",), start=1, **fields):
    """``count`` pseudonymised cross-border cases closed in 2019, as the performance team sends."""
    from audits.models import PopulationCase, PopulationImport

    batch = PopulationImport.objects.create(
        organisation=organisation,
        file_name="population.csv",
        sha256="0" * 64,
        rows=count,
        cases_created=count,
        imported_by=by,
        imported_at=datetime(2022, 1, 5, 9, 0, tzinfo=UTC),
    )
    defaults = {
        "opened_on": date(2019, 1, 10),
        "closed_on": date(2019, 6, 30),
        "presenting_needs": ["sexual exploitation"],
        "cross_border": True,
        "other_council": "Kent County Council",
    } | fields
    return PopulationCase.objects.bulk_create(
        PopulationCase(
            organisation=organisation,
            case_reference=f"CR-{n:05d}",
            team=teams[n % len(teams)],
            imported_in=batch,
            **defaults,
        )
        for n in range(start, start + count)
    )


def programme_set_up(*, recommendation, by, **criteria):
    from audits import services as audit_services

    return audit_services.programme_create(
        recommendation=recommendation,
        title="Audit of 50 cross-border cases",
        owner=by,
        due_date=date(2022, 4, 30),
        by=by,
        **({"closed_from": date(2018, 1, 1), "closed_to": date(2021, 11, 26)} | criteria),
    )


# --- Action plans ---------------------------------------------------------------------------


def milestone_added(
    *, recommendation, title="Briefing written", planned_date=date(2022, 1, 14), owner=None, by=None
):
    """A milestone at the end of ``recommendation``'s action plan, through the service."""
    from plans import services as plan_services

    by = by or user_with_role(Role.MANAGER, organisation=recommendation.organisation)
    return plan_services.milestone_add(
        recommendation=recommendation,
        title=title,
        planned_date=planned_date,
        owner=owner,
        by=by,
    )


# --- Remedy payments ------------------------------------------------------------------------


def remedy_recommended(*, complaint=None, organisation=None, by=None, owner=None, **fields):
    """A personal remedy recommendation: the kind payments are recorded on."""
    return recommendation_recorded(
        complaint=complaint,
        organisation=organisation,
        by=by,
        owner=owner,
        kind=RecommendationKind.PERSONAL_REMEDY,
        text=fields.pop("text", "Pay the complainant £300 for the distress caused."),
        expected_evidence=fields.pop("expected_evidence", "Proof of payment."),
        **fields,
    )


def payment_recorded(
    *,
    recommendation=None,
    by=None,
    amount="150.00",
    kind="distress",
    payee_reference="PR-2021-0001",
    due_date=date(2022, 2, 26),
    **fields,
):
    """A remedy payment, through ``remedies.services.payment_add``."""
    from remedies import services as remedy_services

    recommendation = recommendation or remedy_recommended(by=by)
    by = by or user_with_role(Role.MANAGER, organisation=recommendation.organisation)
    return remedy_services.payment_add(
        recommendation=recommendation,
        amount=amount,
        kind=kind,
        payee_reference=payee_reference,
        due_date=due_date,
        by=by,
        **fields,
    )


# --- Annual review letters ------------------------------------------------------------------


def letter_recorded(
    *,
    organisation,
    by,
    year=2021,
    decisions=10,
    upheld=7,
    compliance_rate="100",
    satisfactory_remedies=1,
    **figures,
):
    """The LGSCO's annual letter figures for ``organisation`` and the year beginning in ``year``."""
    from decimal import Decimal

    from annual_review import services as letter_services

    return letter_services.letter_create(
        organisation=organisation,
        year=year,
        by=by,
        decisions=decisions,
        upheld=upheld,
        compliance_rate=None if compliance_rate is None else Decimal(compliance_rate),
        compliance_outcomes=figures.pop("compliance_outcomes", None),
        satisfactory_remedies=satisfactory_remedies,
        **figures,
    )


# --- Learning programme ---------------------------------------------------------------------


def audience_made(*, organisation, name="Front door (MASH)", agency="", by=None):
    from learning import services as learning_services

    by = by or user_with_role(Role.MANAGER, organisation=organisation)
    return learning_services.audience_create(
        organisation=organisation, name=name, agency=agency, by=by, at=datetime.now(UTC)
    )


def person_added(
    *,
    organisation,
    name="Sam Jones",
    email=None,
    audiences=(),
    added_on=date(2022, 1, 10),
    left_on=None,
    user=None,
):
    """A member of staff on the audience lists (made directly: the import is tested itself)."""
    from learning.models import Person

    person = Person.objects.create(
        organisation=organisation,
        name=name,
        email=email or f"{name.lower().replace(' ', '.')}@example.org",
        added_on=added_on,
        left_on=left_on,
        user=user,
    )
    person.audiences.set(audiences)
    return person


def learning_point_recorded(
    *,
    recommendation,
    by,
    audiences=(),
    title="Cross-border referrals",
    text="Contact the other council on the day of the referral.",
    at=None,
):
    from learning import services as learning_services

    return learning_services.learning_point_create(
        recommendation=recommendation,
        title=title,
        text=text,
        audiences=audiences,
        by=by,
        at=at or datetime(2022, 2, 1, 9, 0, tzinfo=UTC),
    )
