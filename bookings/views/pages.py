from django.shortcuts import get_object_or_404, render

from ..selectors import therapists_public


def therapist_list(request):
    therapists = therapists_public().prefetch_related("services")
    return render(request, "bookings/therapist_list.html", {"therapists": therapists})


def therapist_detail(request, slug):
    therapist = get_object_or_404(therapists_public(), slug=slug)
    services = therapist.services.filter(is_active=True)
    return render(request, "bookings/therapist_detail.html", {"therapist": therapist, "services": services})
