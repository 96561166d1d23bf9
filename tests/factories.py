"""Factories for the domain. Recommendations and complaints go through the services."""

from datetime import date

import factory
from django.contrib.auth.models import Group

from accounts.models import User
from accounts.roles import Role
from organisations.models import Organisation
from recommendations import services
from recommendations.deadlines import Counting, Unit
from recommendations.models import (
    Anchor,
    Complaint,
    Finding,
    Ombudsman,
    Recommendation,
    RecommendationKind,
)


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
