"""The rules of OAI-PMH 2.0 that do not depend on what the archive holds: which arguments each
verb takes, how dates are read, the protocol's errors, and resumption tokens.

Resumption tokens are stateless: the harvest's arguments and where it stands, signed with the
catalogue's secret key (itsdangerous, as Flask's own sessions are) and dated. Every server
process can continue any harvest, a restart loses none, and a token is refused as
`badResumptionToken` once it is older than `TOKEN_SECONDS` or if it was altered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

VERBS = {
    "Identify": ({}, set()),
    "ListMetadataFormats": ({"identifier"}, set()),
    "ListSets": ({"resumptionToken"}, set()),
    "GetRecord": ({"identifier", "metadataPrefix"}, {"identifier", "metadataPrefix"}),
    "ListIdentifiers": ({"from", "until", "set", "metadataPrefix", "resumptionToken"}, set()),
    "ListRecords": ({"from", "until", "set", "metadataPrefix", "resumptionToken"}, set()),
}  # verb: (the arguments it allows, those it requires)
LISTS = ("ListIdentifiers", "ListRecords")
FORMATS = ("oai_dc",)
TOKEN_SECONDS = 24 * 3600  # a day: a slow harvest of the whole archive takes minutes
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SECOND = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


class OaiError(Exception):
    """One of the protocol's error conditions: its code, and what was wrong."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


@dataclass(frozen=True)
class Harvest:
    """What a list request asks for, and where it stands: after row `after` of the log of public
    changes, `cursor` records given already."""

    verb: str
    prefix: str
    set: str | None = None
    since: datetime | None = None  # `from`, inclusive
    until: datetime | None = None  # inclusive, at its granularity
    until_day: bool = False  # `until` named a day: the whole day is in
    after: int = 0
    cursor: int = 0

    def next(self, after: int, given: int) -> Harvest:
        return replace(self, after=after, cursor=self.cursor + given)


def arguments(values: dict[str, list[str]]) -> tuple[str, dict[str, str]]:
    """The verb and its arguments, checked against what the verb allows; OaiError otherwise."""
    verbs = values.get("verb", [])
    if len(verbs) != 1 or verbs[0] not in VERBS:
        raise OaiError("badVerb", "the verb is missing, repeated, or not one of OAI-PMH's six")
    verb = verbs[0]
    allowed, required = VERBS[verb]
    given = {name: found for name, found in values.items() if name != "verb"}
    for name, found in given.items():
        if name not in allowed:
            raise OaiError("badArgument", f"{verb} takes no argument {name!r}")
        if len(found) != 1:
            raise OaiError("badArgument", f"the argument {name!r} is repeated")
    plain = {name: found[0] for name, found in given.items()}
    if "resumptionToken" in plain and len(plain) > 1:
        raise OaiError("badArgument", "resumptionToken is an exclusive argument")
    if verb in LISTS and "resumptionToken" not in plain:
        required = {"metadataPrefix"}
    missing = sorted(required - set(plain))
    if missing:
        raise OaiError("badArgument", f"{verb} needs {', '.join(missing)}")
    return verb, plain


def harvest(verb: str, given: dict[str, str]) -> Harvest:
    """A new list request's arguments, read and checked."""
    prefix = format_of(given["metadataPrefix"])
    since, since_day = _moment(given.get("from"), "from")
    until, until_day = _moment(given.get("until"), "until")
    if since is not None and until is not None:
        if since_day != until_day:
            raise OaiError("badArgument", "from and until must have the same granularity")
        if since > until:
            raise OaiError("badArgument", "from is later than until")
    return Harvest(verb, prefix, given.get("set"), since, until, until_day)


def format_of(prefix: str) -> str:
    if prefix not in FORMATS:
        raise OaiError("cannotDisseminateFormat", f"no metadata format {prefix!r}; try oai_dc")
    return prefix


def window(harvest: Harvest) -> tuple[datetime | None, datetime | None]:
    """[since, before): `until` takes in the whole of its second, or day."""
    if harvest.until is None:
        return harvest.since, None
    step = timedelta(days=1) if harvest.until_day else timedelta(seconds=1)
    return harvest.since, harvest.until + step


def _moment(text: str | None, name: str) -> tuple[datetime | None, bool]:
    """A UTC datetime (naive, as the archive keeps times) and whether it named a day."""
    if text is None:
        return None, False
    try:
        if _DAY.match(text):
            return datetime.strptime(text, "%Y-%m-%d"), True
        if _SECOND.match(text):
            return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ"), False
    except ValueError:
        pass
    raise OaiError("badArgument", f"{name} must be YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ")


def stamp(moment: datetime) -> str:
    """A datestamp at the repository's granularity, seconds."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class Tokens:
    """Resumption tokens signed with `secret`."""

    def __init__(self, secret: str | bytes, seconds: int = TOKEN_SECONDS):
        self._signer = URLSafeTimedSerializer(secret, salt="oai-pmh resumption")
        self.seconds = seconds

    def make(self, harvest: Harvest) -> str:
        data: dict[str, Any] = {
            "v": harvest.verb,
            "p": harvest.prefix,
            "s": harvest.set,
            "f": stamp(harvest.since) if harvest.since else None,
            "u": stamp(harvest.until) if harvest.until else None,
            "d": harvest.until_day,
            "a": harvest.after,
            "c": harvest.cursor,
        }
        return self._signer.dumps(data)

    def expires(self) -> str:
        return stamp(datetime.now(UTC) + timedelta(seconds=self.seconds))

    def read(self, token: str, verb: str) -> Harvest:
        try:
            data = self._signer.loads(token, max_age=self.seconds)
        except SignatureExpired:
            raise OaiError("badResumptionToken", "the resumption token has expired")
        except BadSignature:
            raise OaiError("badResumptionToken", "the resumption token is not one of ours")
        if data.get("v") != verb:
            raise OaiError("badResumptionToken", f"the resumption token is not for {verb}")
        moment = lambda text: datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ") if text else None  # noqa: E731
        return Harvest(
            verb, data["p"], data["s"], moment(data["f"]), moment(data["u"]), data["d"],
            data["a"], data["c"],
        )  # fmt: skip
