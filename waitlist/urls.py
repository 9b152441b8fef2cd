from django.urls import path

from . import views

app_name = "waitlist"

urlpatterns = [
    path("waitlist/offer/<str:token>/", views.offer, name="offer"),
]
