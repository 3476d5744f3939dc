"""Sync FAB permissions and the role catalogue into the database (run at start-up)."""

from __future__ import annotations

from flask_appbuilder import AppBuilder

from app.extensions import db
from app.security.roles import BY_NAME, SELF_SERVICE


def sync_permissions_and_roles(appbuilder: AppBuilder) -> None:
    sm = appbuilder.sm
    # FAB grants every new permission to the admin role, so that role must exist first.
    sm.add_role(sm.auth_role_admin)
    sm.add_role(sm.auth_role_public)
    # Additive on purpose: FAB's add_permissions drops a view-menu's permissions that the
    # *current* view lacks, and a ModelView and its REST API share one permission name.
    for view in appbuilder.baseviews:
        for perm in view.base_permissions or ():
            sm.add_permission_view_menu(perm, view.class_permission_name)
    for category in appbuilder.menu.get_list():
        sm.add_permission_view_menu("menu_access", category.name)
        for item in category.childs:
            if item.name != "-":
                sm.add_permission_view_menu("menu_access", item.name)
    all_pvs = db.session.query(sm.permissionview_model).all()
    for role_def in BY_NAME.values():
        role = sm.find_role(role_def.name) or sm.add_role(role_def.name)
        if role_def.all_permissions:
            wanted = list(all_pvs)
        else:
            wanted = []
            grants = dict(role_def.permissions)
            for view, perms in SELF_SERVICE.items():
                grants[view] = frozenset(grants.get(view, frozenset()) | perms)
            for view, perms in grants.items():
                for perm in sorted(perms):
                    pv = sm.find_permission_view_menu(perm, view)
                    if pv is not None:  # only permissions a registered view declares
                        wanted.append(pv)
            for menu in sorted(role_def.menus):
                pv = sm.add_permission_view_menu("menu_access", menu)
                wanted.append(pv)
        role.permissions = wanted
    db.session.commit()
