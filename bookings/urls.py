from django.urls import path

from .views import api, booking, manage, pages, staff

app_name = "bookings"

urlpatterns = [
    path("book/", booking.start, name="start"),
    path("book/details/", booking.details, name="details"),
    path("book/confirmed/", booking.confirmed, name="confirmed"),
    path("book/manage/<str:token>/", manage.manage, name="manage"),
    path("book/manage/<str:token>/cancel/", manage.manage_cancel, name="manage_cancel"),
    path("book/manage/<str:token>/move/", manage.manage_move, name="manage_move"),
    path("book/manage/<str:token>/session.ics", manage.manage_calendar, name="manage_calendar"),
    path("api/availability/", api.availability, name="api_availability"),
    path("staff/schedule/", staff.schedule, name="staff_schedule"),
    path("staff/appointments/<int:pk>/mark/", staff.appointment_mark_view, name="staff_mark"),
    path("staff/appointments/new/", staff.appointment_new, name="staff_new"),
    path("staff/appointments/<int:pk>/move/", staff.appointment_move, name="staff_move"),
    path("staff/feed/revoke/", staff.feed_revoke, name="staff_feed_revoke"),
    path("calendar/<str:token>.ics", staff.feed, name="therapist_feed"),
    path("therapists/", pages.therapist_list, name="therapist_list"),
    path("therapists/<slug:slug>/", pages.therapist_detail, name="therapist_detail"),
]
