from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from desk.views import legacy as desk_legacy

from . import views
from .sitemaps import SITEMAPS

admin.site.site_header = settings.CLINIC_NAME + " — staff"
admin.site.site_title = settings.CLINIC_NAME

handler500 = "clinic.views.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("privacy/", views.privacy, name="privacy"),
    path("admin/", admin.site.urls),
    # The front desk's old schedule pages open in the desk (desk/views/legacy.py); therapists keep theirs.
    path("staff/schedule/", desk_legacy.schedule),
    path("staff/appointments/new/", desk_legacy.appointment_new),
    path("staff/appointments/<int:pk>/move/", desk_legacy.appointment_move),
    path("", include("bookings.urls")),
    path("staff/", include("desk.urls")),
    path("blog/", include("blog.urls")),
    path("newsletter/", include("newsletter.urls")),
    path("", include("waitlist.urls")),
    path("payments/", include("payments.urls")),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("favicon.ico", views.icon, {"name": "favicon.ico"}),
    path("apple-touch-icon.png", views.icon, {"name": "apple-touch-icon.png"}),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
