"""The exhibition editor, `/staff/exhibitions/SLUG/edit`: the definition's fields in Vietnamese and
English and in any language a curator adds (those the item editor offers: the province's own
first), its sections and their items (found by searching the archive), captions and a
document's pages; the problems `exhibition check` finds shown beside their fields, again as the
curator types (`.../check`). Saving writes the definition file (`exhibitions.editing`), never
over a version the editor did not start from: a stale save is refused with what changed, and
the form comes back as typed. Curators and administrators (`archive.roles.EXHIBITIONS`)."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from archive import roles
from archive.errors import InvalidInput
from archive.models import Item, Page
from catalogue import services
from catalogue.i18n import current, gettext, ngettext
from catalogue.pages.cards import thumbnail
from catalogue.pages.labels import language_label
from catalogue.staff.blueprint import blueprint, requires
from catalogue.staff.editor import OFFERED_LANGUAGES
from exhibitions import editing, lifecycle, partners
from exhibitions.editing import Draft, EntryForm, SectionForm
from exhibitions.mistakes import LANGUAGE

_ = gettext
MAX_FOUND = 24  # search results offered at once
MAX_PAGES = 60  # of a document's pages offered to choose from


def _path(slug: str) -> Path:
    path = lifecycle.folder(services.archive()) / f"{slug}.yaml"
    if not path.exists():
        abort(404)
    return path


@blueprint.post("/exhibitions")
@requires(roles.EXHIBITIONS)
def exhibition_new() -> Response:
    slug = request.form.get("slug", "").strip()
    try:
        lifecycle.new(services.archive(), slug)
    except InvalidInput as error:
        flash(_("Not made: %(reason)s", reason=str(error)))
        return redirect(url_for("staff.exhibitions"), code=303)
    return redirect(url_for("staff.exhibition_edit", slug=slug), code=303)


@blueprint.get("/exhibitions/<slug>/edit")
@requires(roles.EXHIBITIONS)
def exhibition_edit(slug: str) -> str:
    text = lifecycle.read_text(_path(slug))
    return _editor(slug, editing.form_of(text), text, text)


def _editor(
    slug: str,
    draft: Draft,
    opened: str,
    checked: str,
    stale: str = "",
    status: int = 200,
    said: str = "",
    focus: str = "new-language",
) -> tuple[str, int] | str:
    """The editor's page: `draft` in its fields, the problems of `checked` beside them."""
    archive = services.archive()
    _found, problems = lifecycle.inspect(archive, checked, Path(f"{slug}.yaml"))
    by_field: dict[str, list[str]] = {}
    for shown in editing.where(problems, checked):
        by_field.setdefault(shown["field"], []).append(shown["message"])
    with services.reading() as session:
        chosen = [partner for partner in partners.listing(session)]
        facts = _facts(session, [e.item for s in draft.sections for e in s.entries])
    html = render_template(
        "staff/exhibition_editor.html",
        slug=slug,
        draft=draft,
        opened=opened,
        problems=by_field,
        count=len(problems),
        partners=chosen,
        facts=facts,
        stale=stale,
        languages=[(code, _in_language(code)) for code in draft.languages],
        addable=[(c, language_label(c)) for c in OFFERED_LANGUAGES if c not in draft.languages],
        language_label=language_label,
        written=", ".join(language_label(code) for code in draft.languages),
        said=said,
        focus=focus,
    )
    return (html, status) if status != 200 else html


def _facts(session, accession_ids: list[str]) -> dict[str, dict]:
    """What the editor shows of each item: title, type, access and the pages' thumbnails."""
    archive = services.archive()
    query = (
        select(Item)
        .where(Item.accession_id.in_(set(accession_ids)))
        .options(selectinload(Item.pages).selectinload(Page.master))
    )
    found = {}
    for item in session.scalars(query):
        pages = []
        if item.access == "public":  # restricted images are not served: marked, never shown
            for page in item.pages[:MAX_PAGES]:
                shown = thumbnail(archive, item, page.number)
                pages.append({"number": page.number, "url": shown.url if shown else ""})
        found[item.accession_id] = {
            "id": item.accession_id,
            "title": item.title.get("vi") or next(iter(item.title.values()), item.accession_id),
            "type": item.type,
            "access": item.access,
            "pages": pages,
            "count": len(item.pages),
        }
    return found


def _in_language(code: str) -> str:
    """`in Bahnar` of a field's label (`Title in Bahnar`), as the page's language says it."""
    if code in editing.LANGUAGES:
        return _("in Vietnamese") if code == "vi" else _("in English")
    name = language_label(code)
    if current() == "vi":  # "bằng tiếng Ba Na": the name is not a sentence's start here
        name = name[:1].lower() + name[1:]
    return _("in %(language)s", language=name)


def _ordered(languages: list[str]) -> list[str]:
    """Vietnamese and English, the province's languages, then any other, each once."""
    order = {code: n for n, code in enumerate(OFFERED_LANGUAGES)}
    return sorted(dict.fromkeys(languages), key=lambda code: (order.get(code, 99), code))


_SECTION = re.compile(r"^s(\d{1,4})$")
_SECTION_TEXT = re.compile(r"^s(\d{1,4})_(title|text)_([A-Za-z-]{2,12})$")
_ENTRY = re.compile(r"^s(\d{1,4})_e(\d{1,4})$")
_CAPTION = re.compile(r"^s(\d{1,4})_e(\d{1,4})_caption_([A-Za-z-]{2,12})$")
_PAGES = re.compile(r"^s(\d{1,4})_e(\d{1,4})_pages$")


def form_languages(form, opened: str) -> list[str]:
    """The languages the form is written in (its `language` fields): Vietnamese and English
    always; a form that names none (sent by hand) has those of the file it was opened from.
    Each must be a code a definition may use, else InvalidInput."""
    named = [code.strip() for code in form.getlist("language")]
    for code in named:
        if not LANGUAGE.match(code):
            raise InvalidInput(
                f"{code[:20]!r} is not a language code: two or three lowercase letters, "
                "such as vi, en or bdq"
            )
    if not named:
        named = editing.languages_of(editing.read(opened))
    return _ordered([*editing.LANGUAGES, *named])


def draft_of(form, languages: list[str]) -> Draft:
    """The editor's form: sections and items by their numbers in the field names (`s0`,
    `s0_title_vi`, `s0_e1`, `s0_e1_caption_en`, `s0_e1_pages`), which the page's script keeps
    in the order shown. Only the fields of `languages` are read."""
    texts = {
        name: {lang: form.get(f"{name}_{lang}", "").strip() for lang in languages}
        for name in editing.LANGUAGE_FIELDS
    }
    draft = Draft(
        texts=texts,
        kind=form.get("kind", "photo"),
        start=form.get("start", "").strip(),
        end=form.get("end", "").strip(),
        curators=[c.strip() for c in form.get("curators", "").splitlines() if c.strip()],
        rights=form.get("rights", "").strip(),
        access=form.get("access", "public"),
        languages=languages,
    )
    sections: dict[int, SectionForm] = {}
    entries: dict[tuple[int, int], EntryForm] = {}
    for key, value in form.items():
        if found := _SECTION.match(key):
            sections[int(found[1])] = SectionForm(int(value) if value.isdigit() else None)
        elif found := _ENTRY.match(key):
            entries[int(found[1]), int(found[2])] = EntryForm(value.strip())
    for key, value in form.items():
        value = value.strip()
        if (found := _SECTION_TEXT.match(key)) and int(found[1]) in sections and value:
            if found[3] in languages:
                getattr(sections[int(found[1])], found[2])[found[3]] = value
        elif (found := _CAPTION.match(key)) and (int(found[1]), int(found[2])) in entries:
            if value and found[3] in languages:
                entries[int(found[1]), int(found[2])].caption[found[3]] = value
        elif (found := _PAGES.match(key)) and (int(found[1]), int(found[2])) in entries:
            pages = [int(n) for n in value.replace(",", " ").split() if n.isdigit()]
            entries[int(found[1]), int(found[2])].pages = pages
    for (i, _j), entry in sorted(entries.items()):
        if i in sections:
            sections[i].entries.append(entry)
    draft.sections = [section for _i, section in sorted(sections.items())]
    return draft


def _opened() -> str:
    """The text the editor started from; a browser sends a form's line breaks as CRLF."""
    return request.form.get("opened", "").replace("\r\n", "\n")


def _posted() -> tuple[str, Draft]:
    """The text the editor started from and the form as sent; a language code that is none is
    refused (400) with its reason."""
    opened = _opened()
    try:
        languages = form_languages(request.form, opened)
    except InvalidInput as error:
        abort(Response(str(error), 400, mimetype="text/plain"))
    return opened, draft_of(request.form, languages)


@blueprint.post("/exhibitions/<slug>/edit")
@requires(roles.EXHIBITIONS)
def exhibition_save(slug: str):
    path = _path(slug)
    opened, draft = _posted()
    if "add_language" in request.form or "remove_language" in request.form:
        return _languages(slug, opened, draft)
    text = editing.apply(opened, slug, draft)
    try:
        editing.save(path, text, opened)
    except editing.Stale as stale:
        now = lifecycle.read_text(path)
        # What was typed comes back as typed; saving again replaces what changed, once seen.
        return _editor(slug, draft, now, text, stale=stale.changes, status=409)
    flash(_("Saved to exhibitions/%(file)s.", file=path.name))
    return redirect(url_for("staff.exhibition_edit", slug=slug), code=303)


def _languages(slug: str, opened: str, draft: Draft):
    """A language added to the form or removed from it: the editor again, with what was typed
    and nothing saved (the file changes when the curator saves)."""
    removed = request.form.get("remove_language", "")
    if removed:
        if removed in editing.LANGUAGES or removed not in draft.languages:
            reason = f"{removed[:20]!r} cannot be removed: Vietnamese and English always stay"
            abort(Response(reason, 400, mimetype="text/plain"))
        draft.languages.remove(removed)
        said = _(
            "%(language)s removed: its texts go from the file when you save.",
            language=language_label(removed),
        )
        return _editor(slug, draft, opened, editing.apply(opened, slug, draft), said=said)
    added = request.form.get("new_language", "")
    if added not in OFFERED_LANGUAGES:
        reason = f"{added[:20]!r} is not a language this editor offers"
        abort(Response(reason, 400, mimetype="text/plain"))
    draft.languages = _ordered([*draft.languages, added])
    said = _(
        "%(language)s added: its fields follow the Vietnamese and English ones. Save to keep it.",
        language=language_label(added),
    )
    text = editing.apply(opened, slug, draft)
    return _editor(slug, draft, opened, text, said=said, focus=f"title_{added}")


@blueprint.post("/exhibitions/<slug>/check")
@requires(roles.EXHIBITIONS)
def exhibition_check(slug: str) -> Response:
    """The problems of the form as it stands, each with the field it belongs to."""
    _path(slug)
    opened, draft = _posted()
    text = editing.apply(opened, slug, draft)
    _found, problems = lifecycle.inspect(services.archive(), text, Path(f"{slug}.yaml"))
    summary = ngettext("%(num)d problem", "%(num)d problems", len(problems))
    return jsonify(
        problems=editing.where(problems, text), summary=summary if problems else _("No problems")
    )


@blueprint.get("/exhibitions/find")
@requires(roles.EXHIBITIONS)
def exhibition_find() -> Response:
    """Items for the editor: a search of the archive, restricted items too (marked)."""
    query = request.args.get("q", "")[:200]
    found = services.search_index().search(query, public_only=False, page=1, per_page=MAX_FOUND)
    with services.reading() as session:
        facts = _facts(session, [hit.id for hit in found.hits])
    return jsonify(items=[facts[hit.id] for hit in found.hits if hit.id in facts])
