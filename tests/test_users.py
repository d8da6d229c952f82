"""The staff's accounts from the command line (`archive user ...`) and the service under them:
passwords asked twice or read from a file, kept only as memory-hard hashes, never in the audit
trail; every change audited; disabling or a new password ends the user's sessions; signing in
is throttled per name and per address."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from archive import users
from archive.models import StaffSession, User
from archive.roles import ROLES, allowed

PASSWORD = "correct horse battery"
IDLE = timedelta(hours=8)


def _audit(run) -> list[dict]:
    result = run("audit", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _sign_in(archive, name: str, password: str, address: str = "10.0.0.1") -> users.SignIn:
    with archive.session() as session:
        result = users.sign_in(session, name, password, address, IDLE)
        return users.SignIn(
            user=result.user.name if result.user else None, key=result.key, wait=result.wait
        )


def test_no_account_exists_until_one_is_added(run):
    listed = run("user", "list")
    assert listed.exit_code == 0
    assert "no accounts yet" in listed.output
    assert json.loads(run("user", "list", "--json").output) == []


def test_a_password_asked_twice_signs_the_new_user_in(runner, home, archive):
    from archive.cli import cli

    result = runner.invoke(
        cli,
        ["--home", str(home), "user", "add", "Lan", "--role", "archivist"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "added lan (archivist)" in result.output
    assert PASSWORD not in result.output  # typed, never echoed
    assert _sign_in(archive, "lan", PASSWORD).user == "lan"
    assert _sign_in(archive, "LAN ", PASSWORD).user == "lan"  # as a login form may send it
    assert _sign_in(archive, "lan", PASSWORD + "!").user is None


def test_two_different_passwords_typed_add_no_account(runner, home, run):
    from archive.cli import cli

    result = runner.invoke(
        cli,
        ["--home", str(home), "user", "add", "lan", "--role", "viewer"],
        input="first password\nsecond password\n",
    )
    assert result.exit_code != 0
    assert "do not match" in result.output
    assert json.loads(run("user", "list", "--json").output) == []


def test_a_password_file_gives_the_password_and_a_short_one_is_refused(run, archive, tmp_path):
    good, short = tmp_path / "good.txt", tmp_path / "short.txt"
    good.write_text(f"{PASSWORD}\n", encoding="utf-8")
    short.write_text("secret\n", encoding="utf-8")
    refused = run("user", "add", "lan", "--role", "viewer", "--password-file", short)
    assert refused.exit_code == 2
    assert "at least 10 characters" in refused.output
    added = run("user", "add", "lan", "--role", "viewer", "--password-file", good)
    assert added.exit_code == 0, added.output
    assert _sign_in(archive, "lan", PASSWORD).user == "lan"


def test_the_password_is_kept_as_a_memory_hard_hash_and_never_written_to_the_audit(
    run, archive, tmp_path
):
    secret = tmp_path / "password.txt"
    secret.write_text(PASSWORD, encoding="utf-8")
    assert run("user", "add", "lan", "--role", "admin", "--password-file", secret).exit_code == 0
    secret.write_text(PASSWORD + " two", encoding="utf-8")
    assert run("user", "reset-password", "lan", "--password-file", secret).exit_code == 0
    with archive.session() as session:
        stored = session.scalar(select(User.password_hash).where(User.name == "lan"))
    assert stored.startswith("scrypt:32768:8:1$")
    assert PASSWORD not in stored
    entries = _audit(run)
    dumped = json.dumps(entries, ensure_ascii=False)
    assert PASSWORD not in dumped
    assert stored not in dumped and stored.split("$")[-1] not in dumped
    by_field = {e["field"]: e for e in entries if e["kind"] == "user"}
    assert by_field["created"]["after"] == {"role": "admin"}
    assert by_field["password reset"]["before"] is None
    assert by_field["password reset"]["after"] is None


def test_role_disable_and_enable_are_audited_with_who_made_them(run, tmp_path):
    secret = tmp_path / "password.txt"
    secret.write_text(PASSWORD, encoding="utf-8")
    run("user", "add", "lan", "--role", "viewer", "--password-file", secret)
    assert run("--by", "minh", "user", "role", "lan", "archivist").output == "lan is archivist\n"
    assert run("--by", "minh", "user", "role", "lan", "archivist").output.endswith("already\n")
    assert run("--by", "minh", "user", "disable", "lan").exit_code == 0
    assert run("--by", "minh", "user", "enable", "lan").exit_code == 0
    changes = [(e["by"], e["action"], e["field"], e["before"], e["after"]) for e in _audit(run)]
    assert changes[:3] == [
        ("minh", "user enable", "disabled", True, False),
        ("minh", "user disable", "disabled", False, True),
        ("minh", "user role", "role", "viewer", "archivist"),
    ]
    listed = json.loads(run("user", "list", "--json").output)
    assert [(u["name"], u["role"], u["disabled"]) for u in listed] == [("lan", "archivist", False)]


def test_disabling_a_user_ends_their_sessions_and_refuses_their_password(run, archive, tmp_path):
    secret = tmp_path / "password.txt"
    secret.write_text(PASSWORD, encoding="utf-8")
    run("user", "add", "lan", "--role", "viewer", "--password-file", secret)
    key = _sign_in(archive, "lan", PASSWORD).key
    with archive.session() as session:
        assert users.signed_in(session, key, IDLE).name == "lan"
    assert run("user", "disable", "lan").exit_code == 0
    with archive.session() as session:
        assert users.signed_in(session, key, IDLE) is None
        assert session.scalar(select(StaffSession.key_hash)) is None
    assert _sign_in(archive, "lan", PASSWORD).user is None
    run("user", "enable", "lan")
    assert _sign_in(archive, "lan", PASSWORD).user == "lan"


def test_a_new_password_ends_the_sessions_and_the_old_one_signs_no_one_in(run, archive, tmp_path):
    secret = tmp_path / "password.txt"
    secret.write_text(PASSWORD, encoding="utf-8")
    run("user", "add", "lan", "--role", "viewer", "--password-file", secret)
    key = _sign_in(archive, "lan", PASSWORD).key
    reset = run("user", "reset-password", "lan", "--generate")
    assert reset.exit_code == 0, reset.output
    new = reset.output.split("password: ")[1].strip()
    with archive.session() as session:
        assert users.signed_in(session, key, IDLE) is None
    assert _sign_in(archive, "lan", PASSWORD).user is None
    assert _sign_in(archive, "lan", new).user == "lan"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["user", "add", "lan anh", "--role", "viewer"], "no spaces"),
        (["user", "add", "lan", "--role", "boss"], "'boss' is not one of"),
        (["user", "role", "nobody", "viewer"], "no user is called 'nobody'"),
        (["user", "disable", "nobody"], "no user is called 'nobody'"),
        (["user", "reset-password", "nobody", "--generate"], "no user is called 'nobody'"),
    ],
)
def test_a_bad_name_role_or_unknown_user_is_refused_with_the_reason(run, args, message):
    result = run(*args, *(["--generate"] if args[1] == "add" else []))
    assert result.exit_code != 0
    assert message in result.output
    assert json.loads(run("user", "list", "--json").output) == []


def test_a_name_taken_is_refused_and_the_first_account_kept(run, archive):
    first = run("user", "add", "lan", "--role", "admin", "--generate")
    password = first.output.split("password: ")[1].strip()
    again = run("user", "add", "LAN", "--role", "viewer", "--generate")
    assert again.exit_code == 2
    assert "user 'lan' exists already" in again.output
    assert _sign_in(archive, "lan", password).user == "lan"
    listed = json.loads(run("user", "list", "--json").output)
    assert [(u["name"], u["role"]) for u in listed] == [("lan", "admin")]


def test_the_eleventh_quick_failure_for_a_name_is_refused_with_the_right_password(run, archive):
    password = run("user", "add", "lan", "--role", "viewer", "--generate").output.split(": ")[1]
    password = password.strip()
    for attempt in range(users.FAILURES):
        refused = _sign_in(archive, "lan", f"wrong {attempt}", address=f"10.0.1.{attempt}")
        assert refused.user is None and refused.wait is None
    throttled = _sign_in(archive, "lan", password, address="10.0.2.1")
    assert throttled.user is None
    assert timedelta(minutes=14) < throttled.wait <= users.WINDOW
    with archive.session() as session:  # the oldest failure is older than the window now
        session.execute(update(users.SignInFailure).values(at=users.utcnow() - users.WINDOW))
    assert _sign_in(archive, "lan", password).user == "lan"


def test_failures_from_one_address_are_counted_whatever_the_name(run, archive):
    password = run("user", "add", "lan", "--role", "viewer", "--generate").output.split(": ")[1]
    for attempt in range(users.FAILURES):
        assert _sign_in(archive, f"guess{attempt}", "password1", address="10.9.9.9").user is None
    assert _sign_in(archive, "lan", password.strip(), address="10.9.9.9").wait is not None
    assert _sign_in(archive, "lan", password.strip(), address="10.9.9.8").user == "lan"


def test_a_session_unused_longer_than_the_idle_time_has_ended(run, archive):
    password = run("user", "add", "lan", "--role", "viewer", "--generate").output.split(": ")[1]
    key = _sign_in(archive, "lan", password.strip()).key
    with archive.session() as session:
        session.execute(update(StaffSession).values(seen_at=users.utcnow() - timedelta(hours=7)))
        assert users.signed_in(session, key, IDLE).name == "lan"  # and seen now
    with archive.session() as session:
        session.execute(update(StaffSession).values(seen_at=users.utcnow() - timedelta(hours=9)))
    with archive.session() as session:
        assert users.signed_in(session, key, IDLE) is None
    with archive.session() as session:
        assert session.scalar(select(StaffSession.key_hash)) is None  # and forgotten
    with archive.session() as session:
        assert users.signed_in(session, "a key never given", IDLE) is None


def test_the_browser_key_is_not_what_the_database_keeps(run, archive):
    password = run("user", "add", "lan", "--role", "viewer", "--generate").output.split(": ")[1]
    key = _sign_in(archive, "lan", password.strip()).key
    with archive.session() as session:
        kept = session.scalar(select(StaffSession.key_hash))
    assert len(key) >= 43 and key != kept and key not in kept


def test_each_role_may_do_what_the_table_says_and_an_unknown_role_nothing():
    assert {role for role in ROLES if allowed(role, "read")} == set(ROLES)
    assert {role for role in ROLES if allowed(role, "items")} == {"archivist", "admin"}
    assert {role for role in ROLES if allowed(role, "exhibitions")} == {"curator", "admin"}
    assert {role for role in ROLES if allowed(role, "users")} == {"admin"}
    assert {role for role in ROLES if allowed(role, "purge")} == {"admin"}
    assert not allowed("owner", "read")
    with pytest.raises(ValueError):
        allowed("admin", "everything")
