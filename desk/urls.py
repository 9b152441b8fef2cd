from django.urls import path

from .views import actions, book, clients, day, money, sales, takings, waitlist

app_name = "desk"

urlpatterns = [
    path("", day.day, name="day"),
    path("week/", day.week, name="week"),
    path("book/", book.book, name="book"),
    path("sessions/<int:pk>/", actions.appointment, name="appointment"),
    path("sessions/<int:pk>/move/", actions.move, name="move"),
    path("sessions/<int:pk>/undo/", actions.undo, name="undo"),
    path("sessions/<int:pk>/fee/", money.fee, name="fee"),
    path("sessions/<int:pk>/refund/", money.refund, name="refund"),
    path("sessions/<int:pk>/payment/", money.payment, name="payment"),
    path("sessions/<int:pk>/<slug:action>/", actions.act, name="act"),
    path("takings/", takings.takings, name="takings"),
    path("takings.csv", takings.takings_csv, name="takings_csv"),
    path("waitlist/", waitlist.waitlist_day, name="waitlist"),
    path("waitlist/<int:pk>/offer/", waitlist.waitlist_offer, name="waitlist_offer"),
    path("sell/package/", sales.package_sell, name="package_sell"),
    path("sell/gift-card/", sales.giftcard_sell, name="giftcard_sell"),
    path("clients/", clients.client_list, name="clients"),
    path("clients/search.json", clients.client_search_json, name="client_search"),
    path("clients/<int:pk>/", clients.client_detail, name="client"),
    path("clients/<int:pk>/edit/", clients.client_edit, name="client_edit"),
    path("clients/<int:pk>/merge/", clients.client_merge_view, name="client_merge"),
    path("clients/<int:pk>/export/", clients.client_export, name="client_export"),
    path("clients/<int:pk>/erase/", clients.client_erase, name="client_erase"),
]
