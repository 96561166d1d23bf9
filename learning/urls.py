from django.urls import path, register_converter

from . import views


class LinkTokenConverter:
    """A personal link's signed token, as ``django.core.signing`` writes it (URL-safe base64
    and colons): any other text is not a personal link at all."""

    regex = "[A-Za-z0-9_:-]{1,300}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(LinkTokenConverter, "link_token")

app_name = "learning"

urlpatterns = [
    # The personal link: open without signing in, its token being the credential.
    path("link/<link_token:token>/", views.acknowledge_link, name="acknowledge_link"),
    path("recommendations/<int:pk>/", views.point_list, name="point_list"),
    path("recommendations/<int:pk>/new/", views.point_create, name="point_create"),
    path("points/<int:pk>/", views.point_detail, name="point_detail"),
    path("points/<int:pk>/edit/", views.point_update, name="point_update"),
    path("points/<int:pk>/publish/", views.version_publish, name="version_publish"),
    path("points/<int:pk>/attachments/new/", views.attachment_add, name="attachment_add"),
    path("points/<int:pk>/coverage/", views.coverage, name="coverage"),
    path("points/<int:pk>/send-links/", views.links_send, name="links_send"),
    path("points/<int:pk>/send-reminders/", views.reminders_send, name="reminders_send"),
    path("points/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("points/<int:pk>/sessions/new/", views.session_create, name="session_create"),
    path("points/<int:pk>/follow-up/new/", views.follow_up_create, name="follow_up_create"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/attendance/", views.attendance_import, name="attendance_import"),
    path("follow-ups/<int:pk>/result/", views.follow_up_result, name="follow_up_result"),
    path("audiences/", views.audience_list, name="audience_list"),
    path("audiences/new/", views.audience_create, name="audience_create"),
    path("audiences/import/", views.people_import, name="people_import"),
    path("audiences/<int:pk>/", views.audience_detail, name="audience_detail"),
    path("people/<int:pk>/leave/", views.person_leave, name="person_leave"),
]
