"""Per-request permission cache for FAB's security manager.

FAB asks the database once per `has_access` call: a list page with its buttons and
menu made a dozen or more such queries. The user's whole (permission, view) set is
loaded once per request in one query and answered from memory afterwards.
"""

from __future__ import annotations

from flask import g, has_request_context


class PermissionCacheMixin:
    def _user_permission_set(self, user) -> frozenset[tuple[str, str]]:
        key = getattr(user, "id", None)
        cached = g.get("_permission_cache") if has_request_context() else None
        if cached is not None and cached[0] == key:
            return cached[1]
        permissions = self._load_permission_pairs(user)
        if has_request_context():
            g._permission_cache = (key, permissions)
        return permissions

    def _load_permission_pairs(self, user) -> frozenset[tuple[str, str]]:
        """(permission, view) name pairs of the user's roles, as plain tuples in one query."""
        from flask_appbuilder.security.sqla.models import (
            Permission,
            PermissionView,
            ViewMenu,
            assoc_permissionview_role,
        )

        role_ids = [role.id for role in self.get_user_roles(user)]
        if not role_ids:
            return frozenset()
        rows = (
            self.session.query(Permission.name, ViewMenu.name)
            .select_from(PermissionView)
            .join(Permission, PermissionView.permission_id == Permission.id)
            .join(ViewMenu, PermissionView.view_menu_id == ViewMenu.id)
            .join(
                assoc_permissionview_role,
                assoc_permissionview_role.c.permission_view_id == PermissionView.id,
            )
            .filter(assoc_permissionview_role.c.role_id.in_(role_ids))
            .all()
        )
        return frozenset((perm, view) for perm, view in rows)

    def _has_view_access(self, user, permission_name: str, view_name: str) -> bool:
        if not getattr(user, "is_authenticated", False):
            return super()._has_view_access(user, permission_name, view_name)
        return (permission_name, view_name) in self._user_permission_set(user)

    def _get_user_permission_view_menus(self, user, permission_name: str, view_menus_name):
        if user is None or not getattr(user, "is_authenticated", False):
            return super()._get_user_permission_view_menus(user, permission_name, view_menus_name)
        names = set(view_menus_name or ())
        return {
            view
            for permission, view in self._user_permission_set(user)
            if permission == permission_name and (not names or view in names)
        }
