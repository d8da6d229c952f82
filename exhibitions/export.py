"""A self-contained static site of one exhibition: an HTML page with its narrative, sections and
captions and a deep-zoom viewer, the exhibition's IIIF manifest, and the images of only the pages
it shows. Every link of the page is relative, so the folder works from any static web server, on a
kiosk with no network.

IIIF ids must be absolute: the manifest and the images' `info.json` name the address the site
will be published at (`base_url`), never the catalogue's, so the copy works when the catalogue is
moved or stopped. The folder also carries the settings Apache (`.htaccess`) and nginx
(`cors/nginx.conf`) need to let viewers on other sites read it (CORS), and a README.txt saying so.
"""

from __future__ import annotations

import html
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from archive import derivatives
from archive.errors import NotFound
from archive.home import Archive
from archive.models import Item
from archive.storage import write_atomically
from exhibitions import publish
from exhibitions.definition import Entry, Exhibition, LanguageMap
from iiif import viewer
from iiif.addresses import image_service
from iiif.presentation import write_json

ASSETS = Path(__file__).parent / "site"
SERVER = ASSETS / "server"  # the web servers' settings and the README, as written into a site
LANGUAGES = ("vi", "en")


@dataclass(frozen=True)
class Shown:
    """One page on show: where its images are in the site, and what to call it."""

    entry: Entry
    item: Item
    number: int  # page number
    folder: str  # relative to the site: iiif/images/ID/N
    thumbnail: tuple[int, int]

    @property
    def label(self) -> LanguageMap:
        return self.entry.caption or self.item.title or {"vi": self.item.accession_id}


def export(archive: Archive, exhibition: Exhibition, out: Path, base_url: str) -> list[Path]:
    """Write the site of `exhibition` into `out`, to be published at `base_url` (an http:// or
    https:// address, no trailing slash); return the files written at its top."""
    viewer.installed()  # before anything is written
    out.mkdir(parents=True, exist_ok=True)
    with archive.session() as session:
        manifest = publish.exhibition_manifest(archive, session, exhibition, site=base_url)
        items = publish.load_items(session, [e.item for e in exhibition.entries()])
        shown = [
            _copy_images(archive, out, entry, items[entry.item], number, base_url)
            for entry in exhibition.entries()
            for number in entry.pages or [p.number for p in items[entry.item].pages]
        ]
    relative = f"iiif/exhibitions/{exhibition.id}/manifest.json"
    written = [write_json(out, relative, manifest)]
    _copy_assets(out)
    page = out / "index.html"
    write_atomically(page, render(exhibition, shown).encode("utf-8"))
    return [page, *written, *_server_settings(out, exhibition, manifest["id"], base_url)]


def _server_settings(out: Path, exhibition: Exhibition, manifest: str, base_url: str) -> list[Path]:
    """The README.txt of the site, and what Apache and nginx need to serve it with CORS."""
    readme = (SERVER / "README.txt").read_text(encoding="utf-8")
    facts = {"slug": exhibition.id, "manifest": manifest, "base_url": base_url}
    text = readme.format(title=_plain_title(exhibition), **facts)
    targets = {
        out / "README.txt": text.encode("utf-8"),
        out / ".htaccess": (SERVER / "htaccess").read_bytes(),
        out / "cors" / "nginx.conf": (SERVER / "nginx.conf").read_bytes(),
    }
    for target, data in targets.items():
        write_atomically(target, data)
    return list(targets)


def _plain_title(exhibition: Exhibition) -> str:
    """The title in every language it has, Vietnamese first, as plain text."""
    order = [lang for lang in LANGUAGES if lang in exhibition.title]
    order += sorted(set(exhibition.title) - set(LANGUAGES))
    return " / ".join(exhibition.title[lang] for lang in order) or exhibition.id


def _copy_images(
    archive: Archive, out: Path, entry: Entry, item: Item, number: int, base_url: str
) -> Shown:
    page = next((p for p in item.pages if p.number == number), None)
    if page is None:
        raise NotFound(f"{item.accession_id} has no page {number}")
    source = derivatives.folder(archive.home, page.master.sha256, page.frame)
    service = image_service(base_url, item.accession_id, number)
    info = derivatives.served_info(source, service)
    if info is None:
        raise NotFound(
            f"{item.accession_id} page {number} has no IIIF images yet: "
            f"run `archive derivatives {item.accession_id}`"
        )
    relative = f"iiif/images/{item.accession_id}/{number}"
    target = out / relative
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)
    (target / "info.json").write_text(json.dumps(info, ensure_ascii=False), encoding="utf-8")
    return Shown(entry, item, number, relative, derivatives.facts_of(info).thumbnail)


def _copy_assets(out: Path) -> None:
    target = out / "assets"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for name in ("site.css", "site.js"):
        shutil.copy(ASSETS / name, target / name)
    shutil.copytree(viewer.installed(), target / "openseadragon")
    shutil.copy(ASSETS / "favicon.svg", out / "favicon.svg")


def render(exhibition: Exhibition, shown: list[Shown]) -> str:
    """The exhibition's page. Every value from the definition or the archive is escaped."""
    title = _text(exhibition.title)
    parts = [
        "<!doctype html>",
        '<html lang="vi">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title>",
        '<link rel="icon" href="favicon.svg" type="image/svg+xml">',
        '<link rel="stylesheet" href="assets/site.css">',
        '<script src="assets/openseadragon/openseadragon.min.js" defer></script>',
        '<script src="assets/site.js" defer></script>',
        "</head>",
        "<body>",
        '<a class="skip" href="#main">Bỏ qua, đến nội dung chính</a>',
        "<header>",
        _each(exhibition.title, "h1", "p", "title"),
        _facts(exhibition),
        "</header>",
        '<main id="main">',
        f'<section class="summary">{_each(exhibition.summary, "p", "p")}</section>',
        '<figure class="viewer-frame">',
        '<div id="viewer" class="viewer" tabindex="0" aria-describedby="now-showing"></div>',
        '<figcaption id="now-showing" aria-live="polite"></figcaption>',
        "</figure>",
        _sections(exhibition, shown),
        "</main>",
        "<footer>",
        f"<p>{_text(exhibition.attribution)}</p>",
        f'<p><a href="iiif/exhibitions/{_attr(exhibition.id)}/manifest.json">IIIF manifest</a></p>',
        "</footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(part for part in parts if part) + "\n"


def _sections(exhibition: Exhibition, shown: list[Shown]) -> str:
    by_entry: dict[int, list[Shown]] = {}
    for one in shown:
        by_entry.setdefault(id(one.entry), []).append(one)
    parts = ['<nav class="sections" aria-label="Các phần của triển lãm">', "<ol>"]
    for section in exhibition.sections:
        parts += ['<li class="section">', _each(section.title, "h2", "p", "section-title")]
        parts.append(_each(section.text, "p", "p"))
        parts.append('<ol class="entries">')
        for entry in section.entries:
            parts += [_entry(one) for one in by_entry.get(id(entry), [])]
        parts += ["</ol>", "</li>"]
    parts += ["</ol>", "</nav>"]
    return "\n".join(part for part in parts if part)


def _entry(one: Shown) -> str:
    label = _text(one.label)
    page = f" · {one.number}" if len(one.item.pages) > 1 else ""
    width, height = one.thumbnail
    thumbnail = f"{one.folder}/full/{width},{height}/0/default.jpg"
    return (
        f'<li><button type="button" class="entry" data-info="{_attr(one.folder)}/info.json" '
        f'data-label="{label}">'
        f'<img src="{_attr(thumbnail)}" alt="{label}" loading="lazy">'
        f'<span class="caption">{label}'
        f'<span class="id" lang="">{html.escape(one.item.accession_id)}{page}</span></span>'
        "</button></li>"
    )


def _facts(exhibition: Exhibition) -> str:
    lines = []
    if exhibition.partner:
        lines.append(f"<p>Phối hợp: {_text(exhibition.partner)}</p>")
    if exhibition.venue:
        lines.append(f"<p>Địa điểm: {_text(exhibition.venue)}</p>")
    if exhibition.start:
        end = f" – {exhibition.end.isoformat()}" if exhibition.end else ""
        lines.append(f"<p>Thời gian: <time>{exhibition.start.isoformat()}</time>{end}</p>")
    return "\n".join(lines)


def _each(value: LanguageMap, first: str, rest: str, css: str = "") -> str:
    """A language map as one element per language, Vietnamese first, each with its `lang`."""
    order = [lang for lang in LANGUAGES if lang in value] + sorted(set(value) - set(LANGUAGES))
    cls = f' class="{css}"' if css else ""
    parts = []
    for index, lang in enumerate(order):
        tag = first if index == 0 else rest
        parts.append(f'<{tag}{cls} lang="{_attr(lang)}">{html.escape(value[lang])}</{tag}>')
    return "\n".join(parts)


def _text(value: LanguageMap) -> str:
    """The Vietnamese of a language map (else English, else any), escaped."""
    for lang in (*LANGUAGES, *sorted(value)):
        if value.get(lang):
            return html.escape(value[lang])
    return ""


def _attr(value: str) -> str:
    return html.escape(value, quote=True)
