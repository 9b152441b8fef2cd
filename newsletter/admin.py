import csv

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from core.admin import ReadOnlyAdminMixin
from core.spreadsheets import spreadsheet_safe

from .emails import issue_content_render, issue_email_build
from .models import Delivery, Issue, Subscriber, Suppression
from .sending import issue_send_resume, issue_send_start, issue_send_test
from .services import subscriber_erase
from .tokens import new_preview_token


class _Echo:
    def write(self, value):
        return value


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "status", "consented_at", "confirmed_at", "unsubscribed_at"]
    list_filter = ["status"]
    search_fields = ["email"]
    date_hierarchy = "consented_at"
    actions = ["export_csv", "erase_personal_data"]
    readonly_fields = [
        "email",
        "status",
        "consented_at",
        "source_url",
        "consent_text",
        "ip_hash",
        "confirmed_at",
        "unsubscribed_at",
        "last_confirmation_sent_at",
        "created_at",
    ]

    def has_add_permission(self, request):
        # Addresses join only through the form, which records consent; staff cannot add people.
        return False

    def has_export_permission(self, request) -> bool:
        """The whole list of addresses leaves the site with an export: its own permission, not "view"."""
        return request.user.has_perm("newsletter.export_subscriber")

    @admin.action(description="Export selected subscribers as CSV", permissions=["export"])
    def export_csv(self, request, queryset):
        writer = csv.writer(_Echo())
        header = ["email", "status", "consented_at", "source_url", "consent_text", "confirmed_at", "unsubscribed_at"]

        def rows():
            yield writer.writerow(header)
            for subscriber in queryset.order_by("pk").iterator(chunk_size=2000):
                yield writer.writerow([spreadsheet_safe(getattr(subscriber, field)) for field in header])

        filename = f"newsletter-subscribers-{timezone.localdate():%Y-%m-%d}.csv"
        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    @admin.action(description="Erase personal data (keeps the address suppressed)", permissions=["delete"])
    def erase_personal_data(self, request, queryset):
        if request.POST.get("confirm") == "yes":
            count = 0
            for subscriber in queryset:
                subscriber_erase(subscriber=subscriber)
                count += 1
            self.message_user(
                request,
                f"Erased {count} subscriber(s). Their addresses are suppressed and will never be mailed again.",
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Erase personal data",
            "subscribers": queryset,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/newsletter/subscriber/erase_confirmation.html", context)


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "reason", "created_at"]
    readonly_fields = ["email_hash", "reason", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Who was sent which issue. Attempts and the mail server's answers are in Outgoing emails, as for every email."""

    list_display = ["issue", "subscriber", "status", "sent_at"]
    list_filter = ["status", "issue"]
    list_select_related = ["issue", "subscriber"]
    search_fields = ["subscriber__email"]
    empty_value_display = "(erased)"


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    list_display = ["subject", "status", "started_at", "sent_count", "failed_count", "remaining_count", "preview_link"]
    list_filter = ["status"]
    search_fields = ["subject"]
    fields = ["subject", "body_markdown", "include_recent_posts", "status", "progress", "started_at", "finished_at"]
    readonly_fields = ["status", "progress", "started_at", "finished_at"]
    change_form_template = "admin/newsletter/issue/change_form.html"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                sent_total=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.SENT)),
                failed_total=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.FAILED)),
                remaining_total=Count("deliveries", filter=Q(deliveries__status=Delivery.Status.PENDING)),
            )
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != Issue.Status.DRAFT:
            return [*self.fields]
        return self.readonly_fields

    @admin.display(description="Sent", ordering="sent_total")
    def sent_count(self, issue):
        return issue.sent_total

    @admin.display(description="Failed", ordering="failed_total")
    def failed_count(self, issue):
        return issue.failed_total

    @admin.display(description="Remaining", ordering="remaining_total")
    def remaining_count(self, issue):
        return issue.remaining_total

    @admin.display(description="Progress")
    def progress(self, issue):
        if issue.pk is None or issue.status == Issue.Status.DRAFT:
            return "Not sent yet"
        return f"{issue.sent_total} sent · {issue.failed_total} failed · {issue.remaining_total} remaining"

    @admin.display(description="Preview")
    def preview_link(self, issue):
        return format_html('<a href="{}">Preview</a>', reverse("admin:newsletter_issue_preview", args=[issue.pk]))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/preview/", view(self.preview_view), name="newsletter_issue_preview"),
            path("<int:pk>/send-test/", view(self.send_test_view), name="newsletter_issue_send_test"),
            path("<int:pk>/send/", view(self.send_view), name="newsletter_issue_send"),
            path("<int:pk>/resume/", view(self.resume_view), name="newsletter_issue_resume"),
            *super().get_urls(),
        ]

    def _issue_for(self, request, pk: int, *, send: bool = False) -> Issue:
        issue = get_object_or_404(Issue, pk=pk)
        if not self.has_view_permission(request, issue):
            raise PermissionDenied
        if send and not request.user.has_perm("newsletter.send_issue"):
            raise PermissionDenied
        return issue

    def _back(self, issue: Issue) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:newsletter_issue_change", args=[issue.pk]))

    def preview_view(self, request, pk: int):
        """The email as a subscriber will see it, rendered in the browser."""
        issue = self._issue_for(request, pk)
        if issue.status == Issue.Status.DRAFT:
            body_html, body_text = issue_content_render(issue)
        else:
            body_html, body_text = issue.body_html, issue.body_text
        message = issue_email_build(
            subject=issue.subject,
            body_html=body_html,
            body_text=body_text,
            to=request.user.email or "preview@invalid",
            subscriber_token=new_preview_token(),
        )
        return HttpResponse(message.alternatives[0][0])

    def send_test_view(self, request, pk: int):
        issue = self._issue_for(request, pk, send=True)
        if request.method != "POST":
            return self._back(issue)
        if not request.user.email:
            self.message_user(
                request, "Your staff account has no email address: add one to receive tests.", messages.ERROR
            )
        else:
            issue_send_test(issue=issue, to=request.user.email)
            self.message_user(request, f"A test copy is on its way to {request.user.email}.", messages.SUCCESS)
        return self._back(issue)

    def send_view(self, request, pk: int):
        issue = self._issue_for(request, pk, send=True)
        audience = Subscriber.objects.filter(status=Subscriber.Status.CONFIRMED).count()
        if request.method == "POST":
            try:
                created = issue_send_start(issue=issue)
            except ValidationError as error:
                self.message_user(request, error.messages[0], messages.ERROR)
            else:
                self.message_user(
                    request, f"Sending “{issue}” to {created} subscriber(s) has started.", messages.SUCCESS
                )
            return self._back(issue)
        context = {
            **self.admin_site.each_context(request),
            "title": "Send this issue?",
            "issue": issue,
            "audience": audience,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/newsletter/issue/send_confirmation.html", context)

    def resume_view(self, request, pk: int):
        issue = self._issue_for(request, pk, send=True)
        if request.method == "POST":
            if issue_send_resume(issue=issue):
                self.message_user(request, "Sending resumed.", messages.SUCCESS)
            else:
                self.message_user(request, "This issue is not being sent.", messages.WARNING)
        return self._back(issue)
