"""What each role of the staff may do: the one table the workspace checks on the server.

A permission is named by what it lets a person change (or `read`, which every role has: every
item, restricted included, and the audit trail). Each view of the workspace names the one
permission it needs; a role is refused any view whose permission it lacks.
"""

from __future__ import annotations

from archive.errors import InvalidInput

READ = "read"  # every page of the workspace: items (restricted too), histories, the audit
ITEMS = "items"  # an item's fields, and putting a field of its history back
COLLECTIONS = "collections"  # the collections: create, rename, move, describe; an item's
TAGS = "tags"  # add, remove, accept or reject tags
TEXTS = "texts"  # correct the text of a page
ACCESS = "access"  # make an item public or restricted
WITHDRAW = "withdraw"  # withdraw an item from the public, and restore it
EXHIBITIONS = "exhibitions"  # define and build exhibitions
USERS = "users"  # accounts: add, role, disable, enable, reset a password
PURGE = "purge"  # delete an item for good

PERMISSIONS = (READ, ITEMS, COLLECTIONS, TAGS, TEXTS, ACCESS, WITHDRAW, EXHIBITIONS, USERS, PURGE)
_ARCHIVIST = frozenset({READ, ITEMS, COLLECTIONS, TAGS, TEXTS, ACCESS, WITHDRAW})

# The table: role -> what it may do. Roles are listed from the least to the most allowed.
ROLES: dict[str, frozenset[str]] = {
    "viewer": frozenset({READ}),
    "curator": frozenset({READ, EXHIBITIONS}),
    "archivist": _ARCHIVIST,
    "admin": frozenset(PERMISSIONS),
}

# A field of an item is changed with the permission of what it is (the rest: ITEMS).
FIELD_PERMISSIONS = {"access": ACCESS, "collection": COLLECTIONS, "tags": TAGS}


def allowed(role: str, permission: str) -> bool:
    """Whether `role` may do what `permission` names (an unknown role may do nothing)."""
    if permission not in PERMISSIONS:
        raise ValueError(f"no permission is called {permission!r}")
    return permission in ROLES.get(role, frozenset())


def for_field(field: str) -> str:
    """The permission changing the item field `field` needs."""
    return FIELD_PERMISSIONS.get(field, ITEMS)


def check_role(role: str) -> str:
    """`role` when it is one; else InvalidInput naming the roles."""
    if role not in ROLES:
        raise InvalidInput(f"role {role!r}: must be one of {', '.join(ROLES)}")
    return role
