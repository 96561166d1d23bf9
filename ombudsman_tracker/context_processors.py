from django.conf import settings


def service(request):
    """The council's name for the generic header: a council is not GOV.UK."""
    return {"council_name": settings.COUNCIL_NAME}
