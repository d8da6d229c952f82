"""The blueprint the workspace's modules add their routes to, and what every staff page shares:
who is signed in, the permission each view needs (`requires`, checked against the one table in
`archive.roles`), and answers no cache keeps or search engine indexes."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from archive import roles, users
from catalogue import services
from catalogue.i18n import gettext

_ = gettext


def N_(message: str) -> str:
    """A message marked for translation, translated where it is shown."""
    return message


blueprint = Blueprint(
    "staff",
    __name__,
    url_prefix="/staff",
    template_folder=Path(__file__).parent.parent / "templates",
)
SESSION_KEY = "staff"  # the key of the browser's session, in Flask's signed cookie


@dataclass(frozen=True)
class Staff:
    """The person signed in, as this request sees them."""

    name: str
    role: str

    def can(self, permission: str) -> bool:
        return roles.allowed(self.role, permission)


def idle() -> timedelta:
    return timedelta(hours=services.archive().settings["staff_idle_hours"])


def current_user() -> Staff | None:
    """Who is signed in, from the key the browser holds; None when no one (or their session has
    ended: idle too long, signed out elsewhere, disabled)."""
    if "staff_user" in g:
        return g.staff_user
    key = session.get(SESSION_KEY)
    user = None
    if isinstance(key, str):
        with services.archive().session() as database:
            found = users.signed_in(database, key, idle())
            user = Staff(found.name, found.role) if found else None
        if user is None:
            session.pop(SESSION_KEY, None)
            flash(_("Your session has ended. Please sign in again."))
    g.staff_user = user
    return user


def requires(permission: str | None) -> Callable:
    """The view needs a signed-in user whose role has `permission` (None: anyone, signed in or
    not, as the sign-in page). Anonymous: a page asks them to sign in, anything else is 401; a
    role without it: 403. The permission is kept on the view, where the tests read it."""
    if permission is not None and permission not in roles.PERMISSIONS:
        raise ValueError(f"no permission is called {permission!r}")

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def checked(**values: Any):
            if permission is not None:
                user = current_user()
                if user is None:
                    if request.method in ("GET", "HEAD"):
                        return redirect(url_for("staff.login", next=_here()))
                    abort(401)
                if not user.can(permission):
                    abort(403)
            return view(**values)

        checked.permission = permission
        return checked

    return decorate


def _here() -> str:
    query = request.query_string.decode("latin-1")
    return request.path + (f"?{query}" if query else "")


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a page of the workspace, never another site."""
    local = target and target.startswith("/staff/") and not urlsplit(target).netloc
    if local and "\\" not in target and "//" not in target:
        return target
    return url_for("staff.dashboard")


ROLE_NAMES = {
    "viewer": N_("Viewer"),
    "curator": N_("Curator"),
    "archivist": N_("Archivist"),
    "admin": N_("Administrator"),
}


@blueprint.app_template_global()
def staff_user() -> Staff | None:
    """Who is signed in, for the layout (None on the sign-in page)."""
    return g.get("staff_user")


@blueprint.app_template_global()
def role_label(role: str) -> str:
    """The role's name in the page's language."""
    return _(ROLE_NAMES[role]) if role in ROLE_NAMES else role


@blueprint.app_template_global()
def staff_time(moment) -> str:
    """A moment of the database, as the workspace shows it (its labels say it is UTC)."""
    return moment.strftime("%Y-%m-%d %H:%M") if moment else ""


@blueprint.after_request
def _private(response: Response) -> Response:
    """Staff pages are kept by no cache (a shared one, or the browser's) and indexed by no
    search engine."""
    response.cache_control.no_store = True
    response.cache_control.public = False
    response.cache_control.max_age = None
    response.headers["X-Robots-Tag"] = "noindex"
    response.vary.add("Cookie")
    return response


MESSAGES = {
    400: (
        N_("Bad request"),
        N_(
            "The form could not be read. If it was open for long, or sent again from another "
            "tab, go back, reload the page and send it again."
        ),
    ),
    401: (N_("Please sign in"), N_("This needs you to be signed in.")),
    403: (
        N_("Not allowed"),
        N_("Your role does not allow this. An administrator can change it."),
    ),
    404: (N_("Not found"), N_("There is nothing at this address.")),
    405: (N_("Method not allowed"), N_("This address cannot be used that way.")),
    429: (N_("Too many attempts"), N_("Wait a while, then try again.")),
}


@blueprint.errorhandler(HTTPException)
def _error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error.get_response()
    title, message = MESSAGES.get(
        error.code, (N_("Something went wrong"), N_("Please try again later."))
    )
    if isinstance(error, CSRFError):
        title, message = MESSAGES[400]
    html = render_template("staff/error.html", code=error.code, title=_(title), message=_(message))
    return Response(html, status=error.code, mimetype="text/html")
