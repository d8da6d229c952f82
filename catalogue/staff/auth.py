"""Signing in and out: `/staff/login` and `/staff/logout`."""

from __future__ import annotations

import math

from flask import Response, flash, redirect, render_template, request, session, url_for

from archive import users
from catalogue import services
from catalogue.i18n import gettext
from catalogue.staff.blueprint import (
    SESSION_KEY,
    blueprint,
    current_user,
    idle,
    requires,
    safe_next,
)

_ = gettext


@blueprint.get("/login")
@requires(None)
def login() -> Response | str:
    if current_user() is not None:
        return redirect(safe_next(request.args.get("next")))
    return render_template("staff/login.html", next=request.args.get("next", ""))


@blueprint.post("/login")
@requires(None)
def login_post() -> Response | tuple[str, int, dict]:
    name = request.form.get("username", "")
    target = request.form.get("next", "")
    earlier = session.get(SESSION_KEY)
    with services.archive().session() as database:
        result = users.sign_in(
            database, name, request.form.get("password", ""), request.remote_addr or "", idle()
        )
        signed = (result.user.name, result.key) if result.user else None
        if signed and isinstance(earlier, str):  # signed in again: the earlier session ends
            users.sign_out(database, earlier)
    if signed is None:
        return _refused(name, target, result.wait)
    # a new session: nothing of the one before sign-in (its CSRF token too) is kept
    session.clear()
    session[SESSION_KEY] = signed[1]
    return redirect(safe_next(target), code=303)


def _refused(name: str, target: str, wait) -> tuple[str, int, dict]:
    if wait is None:
        message, status, headers = _("The user name or the password is wrong."), 200, {}
    else:
        minutes = max(1, math.ceil(wait.total_seconds() / 60))
        message = _(
            "Too many failed sign-ins. Wait %(minutes)s minutes, then try again.",
            minutes=minutes,
        )
        status, headers = 429, {"Retry-After": str(math.ceil(wait.total_seconds()))}
    html = render_template("staff/login.html", next=target, username=name, error=message)
    return html, status, headers


@blueprint.post("/logout")
@requires(None)
def logout() -> Response:
    key = session.get(SESSION_KEY)
    if isinstance(key, str):
        with services.archive().session() as database:
            users.sign_out(database, key)
    session.clear()
    flash(_("You have signed out."))
    return redirect(url_for("staff.login"), code=303)
