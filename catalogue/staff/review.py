"""Tag review, `/staff/items/ID/tags`: each tag of an item with the evidence the rules found
for it (the phrases and where they were read, the position, the date), and for an automatic tag
a person accepts or rejects (`archive.tags.review`, as `archive tag review` does). A rejected
tag stays rejected: no later pass of the rules puts it back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for

from archive import items, roles, tags
from archive.errors import InvalidInput, NotFound
from archive.models import Item
from catalogue import services
from catalogue.i18n import Localized, gettext
from catalogue.pages.labels import concept_label
from catalogue.staff.blueprint import blueprint, current_user, requires
from search_index.folder import IndexLocked

_ = gettext

VERDICTS = {"accept": "accepted", "reject": "rejected"}


@dataclass(frozen=True)
class Reviewed:
    """A tag as the review page shows it."""

    label: str  # vocabulary:term, as the form sends it back
    name: Localized
    state: str  # automatic | accepted | rejected | person
    score: float | None
    rules: list[dict[str, Any]]  # the evidence, strongest rule first


def evidence_rules(evidence: dict[str, Any]) -> list[dict[str, Any]]:
    """The rules that found a tag, each as its own evidence (`also` holds the weaker ones)."""
    if not evidence:
        return []
    first = {k: v for k, v in evidence.items() if k != "also"}
    return [first, *evidence.get("also", [])]


def reviewed(item: Item) -> list[Reviewed]:
    """The item's tags, those waiting for a review first, then by vocabulary and term."""
    order = {"automatic": 0, "accepted": 1, "rejected": 2, "person": 3}
    found = [
        Reviewed(
            f"{t.vocabulary}:{t.term}",
            concept_label(t.vocabulary, t.term),
            tags.review_state(t),
            t.score,
            evidence_rules(t.evidence) if t.source == "auto" else [],
        )
        for t in item.tags
        if not (t.source == "person" and t.removed)
    ]
    return sorted(found, key=lambda r: (order[r.state], r.label))


@blueprint.get("/items/<accession_id>/tags")
@requires(roles.READ)
def tag_review(accession_id: str) -> str:
    return _page(accession_id)[0]


def _page(accession_id: str, error: str | None = None, error_lang: str = "") -> tuple[str, int]:
    with services.reading() as session:
        try:
            item = items.find(session, accession_id)
        except NotFound:
            abort(404)
        html = render_template(
            "staff/tags.html",
            accession_id=item.accession_id,
            title=dict(item.title),
            tags=reviewed(item),
            error=error,
            error_lang=error_lang,
        )
    return html, 400 if error else 200


@blueprint.post("/items/<accession_id>/tags")
@requires(roles.TAGS)
def tag_review_post(accession_id: str) -> Response | tuple[str, int]:
    verdict = VERDICTS.get(request.form.get("verdict", ""))
    label = request.form.get("tag", "")[:250]
    if verdict is None or not label:
        return _page(accession_id, _("Choose a tag, and accept or reject it."))
    try:
        with services.archive().change("tag review", by=current_user().name) as work:
            tags.review(work, accession_id, label, verdict)
    except NotFound:
        abort(404)
    except InvalidInput as error:
        return _page(accession_id, str(error), "en")  # in the CLI's own words
    except IndexLocked:
        flash(_("Saved. The search index was busy: search finds it after the next reindex."))
    else:
        if verdict == "accepted":
            flash(_("Accepted: %(tag)s.", tag=label))
        else:
            flash(_("Rejected: %(tag)s. The rules will not put it back.", tag=label))
    return redirect(url_for("staff.tag_review", accession_id=accession_id), code=303)
