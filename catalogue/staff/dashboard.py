"""The dashboard, `/staff/`: who is signed in, as what, and where to go from here."""

from __future__ import annotations

from flask import render_template

from archive import roles
from catalogue.staff.blueprint import N_, blueprint, current_user, requires

# What each permission lets a person do, as the dashboard says it.
PERMISSION_NAMES = {
    roles.READ: N_("Read every item, restricted ones too, and the audit trail"),
    roles.ITEMS: N_("Edit items, and put back a field from an item's history"),
    roles.COLLECTIONS: N_("Arrange and describe the collections"),
    roles.TAGS: N_("Add, remove and review tags"),
    roles.TEXTS: N_("Correct the text of pages"),
    roles.ACCESS: N_("Make items public or restricted"),
    roles.WITHDRAW: N_("Withdraw items from the public, and restore them"),
    roles.EXHIBITIONS: N_("Make exhibitions"),
    roles.USERS: N_("Manage the accounts of the staff"),
    roles.PURGE: N_("Delete items for good"),
}


@blueprint.get("/")
@requires(roles.READ)
def dashboard() -> str:
    user = current_user()
    allowed = [PERMISSION_NAMES[p] for p in roles.PERMISSIONS if user.can(p)]
    return render_template("staff/dashboard.html", allowed=allowed)
