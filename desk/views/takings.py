"""A day's takings at the desk, on the page and as CSV, from the ledger alone (desk.takings)."""

import csv
from datetime import timedelta

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from core.clinictime import clinic_time
from core.money import currency, from_minor, payments_enabled
from core.spreadsheets import spreadsheet_safe

from ..access import desk_view
from ..takings import KIND_HEADINGS, TAKINGS_KINDS, takings_for_day
from .common import chosen_day

CSV_HEADER = ["time", "what", "method", "amount", "currency", "client", "session", "by", "note", "stripe id"]


def _takings(request):
    if not payments_enabled():
        raise Http404("Payments are not set up.")
    return takings_for_day(chosen_day(request))


@desk_view
def takings(request):
    day_takings = _takings(request)
    day = day_takings.day
    context = {
        "desk_section": "takings",
        "takings": day_takings,
        "day": day,
        "today": timezone.localdate(),
        "previous_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1),
        "kinds": [(kind, KIND_HEADINGS[kind], day_takings.by_kind[kind]) for kind in TAKINGS_KINDS],
        "kind_columns": [KIND_HEADINGS[kind] for kind in TAKINGS_KINDS],
        "method_rows": [(row, [row.by_kind.get(kind, 0) for kind in TAKINGS_KINDS]) for row in day_takings.methods],
    }
    return render(request, "desk/takings.html", context)


@desk_view
def takings_csv(request):
    day_takings = _takings(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="takings-{day_takings.day.isoformat()}.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    for entry in day_takings.entries:
        appointment = entry.appointment
        # Amounts are our own numbers (a refund starts with "-"): written as numbers, not escaped as text.
        writer.writerow(
            [
                clinic_time(entry.created_at),
                entry.what,
                entry.get_method_display(),
                str(from_minor(entry.amount, entry.currency)),
                entry.currency,
                *[
                    spreadsheet_safe(value)
                    for value in (
                        appointment.client_name if appointment else "",
                        appointment.service.name if appointment else "",
                        entry.actor_name or entry.get_actor_kind_display(),
                        entry.note,
                        entry.stripe_id,
                    )
                ],
            ]
        )
    writer.writerow(["", "Total", "", str(from_minor(day_takings.total)), currency()])
    return response
