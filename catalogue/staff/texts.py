"""The correction of a page's text, `/staff/items/ID/pages/N/text`: the page's image in the
deep-zoom viewer of the public item page (its images from the workspace's own service, which
serves restricted items too) beside its current text; saving makes a person's
version (`archive.texts.transcribe`, as `archive item text` does), which search finds at once;
every version listed, with what changed from the one before it."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from flask import Response, abort, flash, redirect, render_template, request, url_for

from archive import derivatives, roles, texts
from archive.errors import InvalidInput, NotFound
from archive.models import PageText
from catalogue import services
from catalogue.i18n import gettext
from catalogue.staff import images
from catalogue.staff.blueprint import blueprint, current_user, requires
from search_index.folder import IndexLocked

_ = gettext

MAX_TEXT = 200_000  # characters of one page's text (a dense A4 page holds about 6,000)


@dataclass(frozen=True)
class Line:
    """A line of a difference: `same`, `added` or `removed`, or `gap` (unchanged lines left
    out)."""

    kind: str
    text: str


def difference(before: str, after: str) -> list[Line]:
    """What changed from `before` to `after`, line by line, with two lines of context."""
    kinds = {" ": "same", "+": "added", "-": "removed"}
    found = []
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=2)
    for line in diff:
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            found.append(Line("gap", ""))
        else:
            found.append(Line(kinds[line[0]], line[1:]))
    return found


@blueprint.get("/items/<accession_id>/pages/<int:number>/text")
@requires(roles.READ)
def page_text(accession_id: str, number: int) -> str:
    return _page(accession_id, number)[0]


def _page(
    accession_id: str,
    number: int,
    error: str | None = None,
    draft: str | None = None,
    error_lang: str = "",
) -> tuple[str, int]:
    """The correction page, with `error` beside the text and the text sent (`draft`) kept."""
    archive = services.archive()
    with services.reading() as session:
        try:
            page = texts.find_page(session, accession_id, number)
        except NotFound:
            abort(404)
        except InvalidInput:  # no such page
            abort(404)
        item = page.item
        versions = list(page.texts)
        current = page.text
        shown = _shown_version(versions, current)
        html = render_template(
            "staff/text.html",
            accession_id=item.accession_id,
            title=dict(item.title),
            number=number,
            count=len(item.pages),
            image=derivatives.page_facts(archive.home, page) is not None,
            info=images.info_url(item.accession_id, number),
            current=current,
            text=draft if draft is not None else (current.text if current else ""),
            versions=list(reversed(versions)),
            shown=shown,
            diff=_diff_of(versions, shown),
            ocr_status=page.ocr_status,
            ocr_error=page.ocr_error,
            error=error,
            error_lang=error_lang,
        )
    return html, 400 if error else 200


def _shown_version(versions: list[PageText], current: PageText | None) -> PageText | None:
    """The version whose changes are shown: `?diff=N`, else the current one."""
    asked = request.args.get("diff", "")
    if asked.isascii() and asked.isdigit() and len(asked) < 6:
        found = next((v for v in versions if v.version == int(asked)), None)
        if found is not None:
            return found
    return current


def _diff_of(versions: list[PageText], shown: PageText | None) -> list[Line] | None:
    """What `shown` changed from the version before it; None for the first."""
    if shown is None:
        return None
    earlier = [v for v in versions if v.version < shown.version]
    return difference(earlier[-1].text, shown.text) if earlier else None


@blueprint.post("/items/<accession_id>/pages/<int:number>/text")
@requires(roles.TEXTS)
def page_text_post(accession_id: str, number: int) -> Response | tuple[str, int]:
    text = request.form.get("text", "")
    base = request.form.get("base", "")
    if len(text) > MAX_TEXT:
        message = _("The text is too long: at most %(count)s characters.", count=MAX_TEXT)
        return _page(accession_id, number, message, text[:MAX_TEXT])
    archive = services.archive()
    try:
        with archive.change("item text", by=current_user().name) as work:
            page = texts.find_page(work.session, accession_id, number)
            now = str(page.text.version) if page.text else ""
            if base != now:
                raise _Stale()
            version = texts.transcribe(work, accession_id, number, text)
            saved = version.version
    except NotFound:
        abort(404)
    except _Stale:
        message = _(
            "Someone saved another version of this text since you opened it: your text is "
            "below, beside theirs in the versions. Save again to replace theirs."
        )
        return _page(accession_id, number, message, text)
    except InvalidInput as error:
        return _page(accession_id, number, str(error), text, "en")  # the CLI's own words
    except IndexLocked:
        flash(_("Saved. The search index was busy: search finds it after the next reindex."))
    else:
        flash(_("Saved as version %(version)s.", version=saved))
    return redirect(url_for("staff.page_text", accession_id=accession_id, number=number), code=303)


class _Stale(Exception):
    """The form was opened on a version that is no longer the current one."""
