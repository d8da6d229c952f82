"""The accounts, for administrators: `/staff/users` (the list, and a new account) and
`/staff/users/NAME` (role, disable or enable, a new password). Every change is a unit of work,
audited as the same change made with `archive user` is."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for

from archive import roles
from archive import users as accounts
from archive.errors import InvalidInput, NotFound
from catalogue import services
from catalogue.i18n import gettext
from catalogue.staff.blueprint import blueprint, current_user, requires

_ = gettext


@blueprint.get("/users")
@requires(roles.USERS)
def users() -> str:
    return _list_page({}, {})[0]


def _list_page(errors: dict[str, tuple[str, str]], given: dict[str, str]) -> tuple[str, int]:
    """The list of accounts and the form for a new one; `errors` by field, each (message, lang)."""
    with services.reading() as session:
        found = [
            {"name": u.name, "role": u.role, "disabled": u.disabled, "signed_in_at": u.signed_in_at}
            for u in accounts.listing(session)
        ]
    html = render_template(
        "staff/users.html", accounts=found, roles=list(roles.ROLES), errors=errors, given=given
    )
    return html, 400 if errors else 200


@blueprint.post("/users")
@requires(roles.USERS)
def user_add() -> Response | tuple[str, int]:
    name, role = request.form.get("username", ""), request.form.get("role", "")
    password = _new_password(role_field=True)
    given = {"username": name, "role": role}
    if isinstance(password, dict):
        return _list_page(password, given)
    try:
        with services.archive().change("user add", by=current_user().name) as work:
            added = accounts.add(work, name, role, password).name
    except InvalidInput as error:
        return _list_page({_field_of(str(error)): (str(error), "en")}, given)
    flash(_("Account %(name)s added.", name=added))
    return redirect(url_for("staff.users"), code=303)


def _new_password(role_field: bool = False) -> str | dict[str, tuple[str, str]]:
    """The password typed twice, or the errors of the form."""
    password, again = request.form.get("password", ""), request.form.get("password_again", "")
    errors: dict[str, tuple[str, str]] = {}
    if role_field and request.form.get("role", "") not in roles.ROLES:
        errors["role"] = (_("Choose a role."), "")
    if password != again:
        errors["password_again"] = (_("The two passwords are not the same."), "")
    else:
        try:
            accounts.check_password(password)
        except InvalidInput as error:
            errors["password"] = (str(error), "en")
    return errors or password


def _field_of(message: str) -> str:
    return "password" if "password" in message else "username"


@blueprint.get("/users/<name>")
@requires(roles.USERS)
def user(name: str) -> str:
    return _user_page(name, {})[0]


def _user_page(name: str, errors: dict[str, tuple[str, str]]) -> tuple[str, int]:
    with services.reading() as session:
        try:
            found = accounts.find(session, name)
        except NotFound:
            abort(404)
        shown = {
            "name": found.name,
            "role": found.role,
            "disabled": found.disabled,
            "created_at": found.created_at,
            "signed_in_at": found.signed_in_at,
            "sessions": accounts.sessions_of(session, found.name),
        }
    html = render_template(
        "staff/user.html",
        account=shown,
        roles=list(roles.ROLES),
        errors=errors,
        own=shown["name"] == current_user().name,
    )
    return html, 400 if errors else 200


def _not_own(name: str) -> None:
    """An administrator does not disable themselves or take their own rights away here: the
    workspace would have no one left to give them back."""
    if name.strip().lower() == current_user().name:
        abort(403)


@blueprint.post("/users/<name>/role")
@requires(roles.USERS)
def user_role(name: str) -> Response | tuple[str, int]:
    _not_own(name)
    role = request.form.get("role", "")
    if role not in roles.ROLES:
        return _user_page(name, {"role": (_("Choose a role."), "")})
    with services.archive().change("user role", by=current_user().name) as work:
        try:
            accounts.set_role(work, name, role)
        except NotFound:
            abort(404)
    flash(_("The role is changed."))
    return redirect(url_for("staff.user", name=name), code=303)


@blueprint.post("/users/<name>/disable")
@requires(roles.USERS)
def user_disable(name: str) -> Response:
    _not_own(name)
    return _set_disabled(name, True, _("The account is disabled and its sessions ended."))


@blueprint.post("/users/<name>/enable")
@requires(roles.USERS)
def user_enable(name: str) -> Response:
    return _set_disabled(name, False, _("The account is enabled."))


def _set_disabled(name: str, disabled: bool, done: str) -> Response:
    action = "user disable" if disabled else "user enable"
    with services.archive().change(action, by=current_user().name) as work:
        try:
            accounts.set_disabled(work, name, disabled)
        except NotFound:
            abort(404)
    flash(done)
    return redirect(url_for("staff.user", name=name), code=303)


@blueprint.post("/users/<name>/password")
@requires(roles.USERS)
def user_password(name: str) -> Response | tuple[str, int]:
    password = _new_password()
    if isinstance(password, dict):
        return _user_page(name, password)
    with services.archive().change("user reset-password", by=current_user().name) as work:
        try:
            accounts.reset_password(work, name, password)
        except NotFound:
            abort(404)
    flash(_("The password is changed, and the account's sessions ended."))
    return redirect(url_for("staff.user", name=name), code=303)
