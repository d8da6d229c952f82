"""The staff's accounts, and signing in: who may use the workspace, as what role.

Accounts are changed in units of work and audited (kind `user`; a password is never written to
the audit, nor its hash: a new one is the field `password reset`, with no values). Passwords are
kept as scrypt hashes (memory-hard; Werkzeug's, on the standard library's OpenSSL scrypt).

Signing in is throttled: after `FAILURES` failed attempts for one name, or from one address,
within `WINDOW`, every attempt there is refused, the right password too, until the oldest of
them is that old. The failures are rows of the database, so every server process counts the
same ones. A signed-in browser holds a random key (`secrets`); the database keeps its hash.
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from archive import roles
from archive.errors import InvalidInput, NotFound
from archive.models import SignInFailure, StaffSession, User, utcnow
from archive.work import UnitOfWork

HASHING = "scrypt:32768:8:1"  # N, r, p: 32 MiB of memory per hash, ~0.1 s on a server core
MIN_PASSWORD = 10  # characters
MAX_PASSWORD = 1024  # a longer one is refused before it is hashed
NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
FAILURES = 10  # failed sign-ins for a name, or from an address, before it is refused ...
WINDOW = timedelta(minutes=15)  # ... for this long after the oldest of them
SEEN_EVERY = timedelta(minutes=1)  # a session's last use is written at most this often


def check_name(name: str) -> str:
    """The account name `name` as it is kept (lower case); InvalidInput when it is no name."""
    kept = name.strip().lower()
    if not NAME.match(kept):
        raise InvalidInput(
            f"user name {name!r}: use 1 to 64 letters a-z, digits, '.', '_' or '-', "
            "starting with a letter or digit (no spaces)"
        )
    return kept


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"a password has at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise InvalidInput(f"a password has at most {MAX_PASSWORD} characters")
    return password


def new_password() -> str:
    """A random password to hand to someone (about 96 bits)."""
    return secrets.token_urlsafe(12)


def find(session: Session, name: str) -> User:
    user = session.scalar(select(User).where(User.name == name.strip().lower()))
    if user is None:
        raise NotFound(f"no user is called {name!r}")
    return user


def listing(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.name)))


def add(work: UnitOfWork, name: str, role: str, password: str) -> User:
    """A new account; InvalidInput when the name is taken or anything given is not right."""
    name, role = check_name(name), roles.check_role(role)
    password = check_password(password)
    if work.session.scalar(select(User.id).where(User.name == name)) is not None:
        raise InvalidInput(f"user {name!r} exists already")
    user = User(name=name, role=role, password_hash=_hash(password), disabled=False)
    work.session.add(user)
    work.record(name, "created", None, {"role": role}, kind="user")
    return user


def set_role(work: UnitOfWork, name: str, role: str) -> bool:
    """Give the user `role`; False when it was theirs already."""
    user, role = find(work.session, name), roles.check_role(role)
    if user.role == role:
        return False
    work.record(user.name, "role", user.role, role, kind="user")
    user.role = role
    return True


def set_disabled(work: UnitOfWork, name: str, disabled: bool) -> bool:
    """Disable (signing them out everywhere) or enable the user; False when already so."""
    user = find(work.session, name)
    if user.disabled == disabled:
        return False
    work.record(user.name, "disabled", user.disabled, disabled, kind="user")
    user.disabled = disabled
    if disabled:
        end_sessions(work.session, user)
    return True


def reset_password(work: UnitOfWork, name: str, password: str) -> None:
    """Give the user a new password; their sessions end."""
    user = find(work.session, name)
    user.password_hash = _hash(check_password(password))
    end_sessions(work.session, user)
    work.record(user.name, "password reset", None, None, kind="user")


def _hash(password: str) -> str:
    return generate_password_hash(password, method=HASHING)


@functools.cache
def _decoy() -> str:
    """A hash checked when no account has the name given, so that an unknown name takes as
    long to refuse as a wrong password."""
    return _hash(secrets.token_urlsafe(16))


# --- signing in ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignIn:
    """What an attempt to sign in came to: a user and the key of their new session, or a
    refusal (`wait` set when it was refused for too many failures)."""

    user: User | None = None
    key: str | None = None
    wait: timedelta | None = None


def sign_in(session: Session, name: str, password: str, address: str, idle: timedelta) -> SignIn:
    """Check `name` and `password` from `address`; a new session when right (and the sessions
    idle longer than `idle` forgotten). Nothing says which of the two was wrong, or whether
    the name is an account's."""
    name = name.strip().lower()[:64]
    now = utcnow()
    wait = _throttled(session, name, address, now)
    if wait is not None:
        return SignIn(wait=wait)
    user = session.scalar(select(User).where(User.name == name)) if NAME.match(name) else None
    right = check_password_hash(user.password_hash if user else _decoy(), password[:MAX_PASSWORD])
    if not (user and right and not user.disabled):
        session.add(SignInFailure(at=now, name=name, address=address[:64]))
        session.execute(delete(SignInFailure).where(SignInFailure.at < now - WINDOW))
        return SignIn()
    session.execute(delete(SignInFailure).where(SignInFailure.name == name))
    user.signed_in_at = now
    forget_idle(session, idle)
    return SignIn(user=user, key=open_session(session, user))


def _throttled(session: Session, name: str, address: str, now: datetime) -> timedelta | None:
    """How long to wait when `name` or `address` failed too often lately; else None."""
    recent = SignInFailure.at >= now - WINDOW
    for column, value in ((SignInFailure.name, name), (SignInFailure.address, address[:64])):
        failed = select(func.count(), func.min(SignInFailure.at)).where(recent, column == value)
        count, oldest = session.execute(failed).one()
        if count >= FAILURES:
            return max(oldest + WINDOW - now, timedelta(seconds=1))
    return None


def open_session(session: Session, user: User) -> str:
    """A new session of `user`: the random key its browser is to hold."""
    key, now = secrets.token_urlsafe(32), utcnow()
    session.add(StaffSession(key_hash=_key_hash(key), user=user, created_at=now, seen_at=now))
    return key


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def signed_in(session: Session, key: str, idle: timedelta) -> User | None:
    """The user whose session has the key `key`, when it is still open: not idle longer than
    `idle`, and the user not disabled. An expired session is ended."""
    found = session.get(StaffSession, _key_hash(key))
    if found is None:
        return None
    now = utcnow()
    if found.seen_at + idle < now or found.user.disabled:
        session.delete(found)
        return None
    if now - found.seen_at >= SEEN_EVERY:
        found.seen_at = now
    return found.user


def sign_out(session: Session, key: str) -> None:
    session.execute(delete(StaffSession).where(StaffSession.key_hash == _key_hash(key)))


def end_sessions(session: Session, user: User) -> None:
    session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))


def forget_idle(session: Session, idle: timedelta) -> None:
    """Delete the sessions idle longer than `idle` (a browser never seen again leaves one)."""
    session.execute(delete(StaffSession).where(StaffSession.seen_at < utcnow() - idle))


def sessions_of(session: Session, name: str) -> int:
    """How many sessions the user has open."""
    user = find(session, name)
    return session.scalar(select(func.count()).where(StaffSession.user_id == user.id)) or 0
