"""Client search and the client page: sessions past and upcoming, notes, intake, merge, export and erase."""

import json

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from bookings.models import Appointment, BookingPolicy
from clients.models import Client
from clients.selectors import client_intakes, clients_possible_duplicates, clients_search
from clients.services import ClientError, client_merge, client_update
from newsletter.interface import newsletter_state

from ..access import desk_view
from ..forms import ClientForm, EraseForm, MergeForm
from ..grid import appointment_state
from ..services import client_data_erase, client_data_export


@desk_view
def client_list(request):
    """The client search. It is a POST, so a typed phone number or email never reaches a URL (the address bar,
    the history, the server's logs); an old link with ``?q=`` opens the empty search."""
    if request.method == "GET" and "q" in request.GET:
        return redirect("desk:clients")
    query = request.POST.get("q", "").strip() if request.method == "POST" else ""
    matches = list(clients_search(query)) if query else []
    if len(matches) == 1 and request.POST.get("go") != "0":
        return redirect("desk:client", pk=matches[0].pk)
    context = {"desk_section": "clients", "query": query, "search_query": query, "matches": matches}
    return render(request, "desk/clients.html", context)


@desk_view
@require_POST
def client_search_json(request):
    """The as-you-type suggestions of the booking form (the same search as without JS), posted like it."""
    matches = clients_search(request.POST.get("q", ""), limit=8)
    return JsonResponse(
        {"clients": [{"id": c.pk, "name": c.name, "phone": c.phone, "email": c.email} for c in matches]}
    )


def _client(pk) -> Client:
    return get_object_or_404(Client, pk=pk)


@desk_view
def client_detail(request, pk):
    client = _client(pk)
    now = timezone.now()
    appointments = list(
        Appointment.objects.filter(client=client).select_related("service", "therapist").order_by("-starts_at")
    )
    cutoff = BookingPolicy.current().cancel_cutoff_hours * 3600
    for a in appointments:
        a.state = appointment_state(a)
        a.late_cancel = bool(
            a.status == "cancelled" and a.cancelled_at and (a.starts_at - a.cancelled_at).total_seconds() < cutoff
        )
    upcoming = [a for a in reversed(appointments) if a.starts_at >= now and a.status == "booked"]
    past = [a for a in appointments if a not in upcoming]
    last = next((a for a in appointments if a.status != "cancelled"), None)
    intakes = list(client_intakes(client))
    context = {
        "desk_section": "clients",
        "client": client,
        "upcoming": upcoming,
        "past": past,
        "no_shows": sum(a.status == "no_show" for a in appointments),
        "late_cancels": sum(a.late_cancel for a in appointments),
        "last": last,
        "intake": intakes[0] if intakes else None,
        "older_intakes": intakes[1:],
        "newsletter": newsletter_state(client.email),
        "duplicates": list(clients_possible_duplicates(client)),
        "events": client.events.order_by("-at", "-pk")[:30],
        "merge_form": MergeForm(),
    }
    return render(request, "desk/client.html", context)


@desk_view
def client_edit(request, pk):
    client = _client(pk)
    form = ClientForm(request.POST or None, instance=Client.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        details = {field: form.cleaned_data[field] for field in form.fields}
        try:
            client_update(client=client, details=details, changed_by=request.user)
        except ClientError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Saved {details['name']}'s record.")
            return redirect("desk:client", pk=pk)
    return render(request, "desk/client_edit.html", {"desk_section": "clients", "client": client, "form": form})


@desk_view
@require_POST
def client_merge_view(request, pk):
    keep = _client(pk)
    form = MergeForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("duplicate", ["Choose the record to merge."])))
        return redirect("desk:client", pk=pk)
    try:
        merged = client_merge(keep=keep, duplicate=form.cleaned_data["duplicate"], changed_by=request.user)
    except ClientError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Merged the duplicate into {merged.name}'s record.")
    return redirect("desk:client", pk=pk)


@desk_view
@require_POST
def client_export(request, pk):
    client = _client(pk)
    data = client_data_export(client=client, requested_by=request.user)
    response = HttpResponse(json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="client-{client.pk}-data.json"'
    response["Cache-Control"] = "private, no-store"
    return response


@desk_view
def client_erase(request, pk):
    client = _client(pk)
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["confirm"].strip().casefold() != client.name.strip().casefold():
            form.add_error("confirm", f"Type the name exactly as on the record: {client.name}")
        else:
            client_data_erase(client=client, requested_by=request.user)
            messages.success(request, "The client's data is erased. Their sessions stay on the schedule, anonymous.")
            return redirect("desk:client", pk=pk)
    return render(request, "desk/client_erase.html", {"desk_section": "clients", "client": client, "form": form})
