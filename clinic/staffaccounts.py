"""Staff accounts in the admin, for the clinic's owner as much as for superusers.

Django's user admin lets anyone who may change accounts tick "superuser" or hand out single
permissions, on any account, their own included. An owner manages the staff's accounts and the
groups they are in; making superusers, granting permissions one by one and changing a superuser's
account (or password) stay with superusers. An owner hands out only the rights they hold: the groups
offered are those within their own permissions, and an account holding more (whose password they could
otherwise set, and sign in with) is theirs to read, not to change.
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group

SUPERUSER_ONLY_FIELDS = ("is_superuser", "user_permissions")


def _permission_names(permissions) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in permissions}


def _within_own_rights(request, permissions: set[str]) -> bool:
    return request.user.is_superuser or permissions <= request.user.get_all_permissions()


class StaffAccountAdmin(UserAdmin):
    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += [field for field in SUPERUSER_ONLY_FIELDS if field not in fields]
        return fields

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        if obj is not None and not _within_own_rights(request, obj.get_all_permissions()):
            return False
        return super().has_change_permission(request, obj)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            groups = Group.objects.prefetch_related("permissions__content_type")
            allowed = [g.pk for g in groups if _within_own_rights(request, _permission_names(g.permissions.all()))]
            kwargs["queryset"] = Group.objects.filter(pk__in=allowed)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)


def register(site: admin.AdminSite) -> None:
    """Put ``StaffAccountAdmin`` in place of Django's (called once the admin has found every app's admin)."""
    User = get_user_model()
    if site.is_registered(User):
        site.unregister(User)
    site.register(User, StaffAccountAdmin)
