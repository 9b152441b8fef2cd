from django.urls import path

from . import earlier, entry_views, views

app_name = "waitlist"

urlpatterns = [
    path("waitlist/offer/<str:token>/", views.offer, name="offer"),
    path("waitlist/join/", entry_views.join, name="join"),
    path("waitlist/joined/", entry_views.joined, name="joined"),
    path("waitlist/entry/<str:token>/", entry_views.entry, name="entry"),
    path("waitlist/entry/<str:token>/leave/", entry_views.entry_leave_view, name="entry_leave"),
    path("waitlist/earlier/<str:token>/", earlier.move_earlier, name="move_earlier"),
    path("waitlist/earlier/<str:token>/stop/", earlier.move_earlier_stop, name="move_earlier_stop"),
]
