"""What pages read about clients."""

from django.db.models import Q, QuerySet

from .models import Client, ClientIntake, phone_digits

SEARCH_LIMIT = 20


def clients_search(query: str, *, limit: int = SEARCH_LIMIT) -> QuerySet[Client]:
    """Clients whose name or email contains ``query``, or whose phone contains its digits (three or more)."""
    query = query.strip()[:120]
    if len(query) < 2:
        return Client.objects.none()
    condition = Q(name__icontains=query) | Q(email__icontains=query)
    digits = phone_digits(query)
    if len(digits) >= 3:
        condition |= Q(phone_digits__contains=digits)
    return Client.objects.filter(condition, erased_at__isnull=True).order_by("name", "pk")[:limit]


def clients_possible_duplicates(client: Client) -> QuerySet[Client]:
    """Other records with the same email or phone: candidates for staff to merge."""
    condition = Q(pk__in=[])
    if client.email:
        condition |= Q(email=client.email)
    if client.phone_digits:
        condition |= Q(phone_digits=client.phone_digits)
    return Client.objects.filter(condition, erased_at__isnull=True).exclude(pk=client.pk)


def client_intakes(client: Client) -> QuerySet[ClientIntake]:
    return client.intakes.order_by("-taken_at", "-pk")
