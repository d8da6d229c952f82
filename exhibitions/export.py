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
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import date
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
    found = languages(exhibition)
    pages = [out / page_name(lang, found[0]) for lang in found]
    for lang, page in zip(found, pages, strict=True):
        write_atomically(page, render(exhibition, shown, lang).encode("utf-8"))
    return [*pages, *written, *_server_settings(out, exhibition, manifest["id"], base_url)]


def export_zip(archive: Archive, exhibition: Exhibition, target: Path, base_url: str) -> Path:
    """The site of `export` as one .zip file at `target`, its files under a folder named by the
    exhibition's slug (as a curator unpacks it onto a kiosk or a web server)."""
    with tempfile.TemporaryDirectory(prefix="export-") as scratch:
        folder = Path(scratch) / exhibition.id
        export(archive, exhibition, folder, base_url)
        partial = target.with_name(f".{target.name}.part")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archived:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    archived.write(path, path.relative_to(folder.parent).as_posix())
        partial.replace(target)
    return target


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


# What the page itself says, in each language it can say it in; any other language of a
# definition gets the English words around its own texts.
WORDS = {
    "vi": {
        "skip": "Bỏ qua, đến nội dung chính",
        "sections": "Các phần của triển lãm",
        "partner": "Phối hợp",
        "venue": "Địa điểm",
        "dates": "Thời gian",
        "curators": "Người tuyển chọn",
        "rights": "Quyền sử dụng",
        "languages": "Ngôn ngữ",
    },
    "en": {
        "skip": "Skip to the main content",
        "sections": "The exhibition's sections",
        "partner": "Partner",
        "venue": "Venue",
        "dates": "Dates",
        "curators": "Curators",
        "rights": "Rights",
        "languages": "Languages",
    },
}
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}
MONTHS_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def languages(exhibition: Exhibition) -> list[str]:
    """Every language the definition writes its title, texts or captions in, Vietnamese first."""
    maps = [exhibition.title, exhibition.summary, exhibition.partner, exhibition.venue]
    maps += [exhibition.attribution]
    maps += [m for s in exhibition.sections for m in (s.title, s.text)]
    maps += [entry.caption for entry in exhibition.entries()]
    found = {lang for value in maps for lang in value}
    return [lang for lang in LANGUAGES if lang in found] + sorted(found - set(LANGUAGES))


def page_name(lang: str, first: str) -> str:
    """`index.html` in the first language, `index.LANG.html` in each other."""
    return "index.html" if lang == first else f"index.{lang}.html"


def written_date(day: date, lang: str) -> str:
    """A day as a reader writes it: `ngày 10 tháng 12 năm 2024`, `10 December 2024`."""
    if lang == "vi":
        return f"ngày {day.day} tháng {day.month} năm {day.year}"
    return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"


def render(exhibition: Exhibition, shown: list[Shown], lang: str = "vi") -> str:
    """The exhibition's page in `lang`, with links to its pages in the definition's other
    languages. Every value from the definition or the archive is escaped."""
    words = WORDS.get(lang, WORDS["en"])
    title = _text(exhibition.title, lang)
    parts = [
        "<!doctype html>",
        f'<html lang="{_attr(lang)}">',
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
        f'<a class="skip" href="#main">{words["skip"]}</a>',
        "<header>",
        _switch(exhibition, lang, words),
        f'<h1 class="title">{title}</h1>',
        _facts(exhibition, lang, words),
        "</header>",
        '<main id="main">',
        f'<section class="summary"><p>{_text(exhibition.summary, lang)}</p></section>',
        '<figure class="viewer-frame">',
        '<div id="viewer" class="viewer" tabindex="0" aria-describedby="now-showing"></div>',
        '<figcaption id="now-showing" aria-live="polite"></figcaption>',
        "</figure>",
        _sections(exhibition, shown, lang, words),
        "</main>",
        "<footer>",
        f"<p>{_text(exhibition.attribution, lang)}</p>",
        f'<p><a href="iiif/exhibitions/{_attr(exhibition.id)}/manifest.json">IIIF manifest</a></p>',
        "</footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(part for part in parts if part) + "\n"


def _switch(exhibition: Exhibition, lang: str, words: dict[str, str]) -> str:
    """Links to the page in each other language of the definition, each named in itself."""
    found = languages(exhibition)
    if len(found) < 2:
        return ""
    links = [
        f'<li><a href="{page_name(other, found[0])}" hreflang="{_attr(other)}" '
        f'lang="{_attr(other)}">{html.escape(LANGUAGE_NAMES.get(other, other))}</a></li>'
        for other in found
        if other != lang
    ]
    return (
        f'<nav class="languages" aria-label="{words["languages"]}"><ul>{"".join(links)}</ul></nav>'
    )


def _sections(exhibition: Exhibition, shown: list[Shown], lang: str, words: dict) -> str:
    by_entry: dict[int, list[Shown]] = {}
    for one in shown:
        by_entry.setdefault(id(one.entry), []).append(one)
    parts = [f'<nav class="sections" aria-label="{words["sections"]}">', "<ol>"]
    for section in exhibition.sections:
        parts += [
            '<li class="section">',
            f'<h2 class="section-title">{_text(section.title, lang)}</h2>',
        ]
        if section.text:
            parts.append(f"<p>{_text(section.text, lang)}</p>")
        parts.append('<ol class="entries">')
        for entry in section.entries:
            parts += [_entry(one, lang) for one in by_entry.get(id(entry), [])]
        parts += ["</ol>", "</li>"]
    parts += ["</ol>", "</nav>"]
    return "\n".join(part for part in parts if part)


def _entry(one: Shown, lang: str) -> str:
    label = _text(one.label, lang)
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


def _facts(exhibition: Exhibition, lang: str, words: dict[str, str]) -> str:
    facts = []
    if exhibition.partner:
        facts.append((words["partner"], _text(exhibition.partner, lang)))
    if exhibition.venue:
        facts.append((words["venue"], _text(exhibition.venue, lang)))
    if exhibition.start:
        when = f'<time datetime="{exhibition.start}">{written_date(exhibition.start, lang)}</time>'
        if exhibition.end and exhibition.end != exhibition.start:
            end = written_date(exhibition.end, lang)
            when += f' – <time datetime="{exhibition.end}">{end}</time>'
        facts.append((words["dates"], when))
    if exhibition.curators:
        facts.append((words["curators"], html.escape(", ".join(exhibition.curators))))
    if exhibition.rights:
        facts.append((words["rights"], f'<span lang="">{html.escape(exhibition.rights)}</span>'))
    rows = [f"<dt>{name}</dt><dd>{value}</dd>" for name, value in facts]
    return f'<dl class="facts">{"".join(rows)}</dl>' if rows else ""


def _text(value: LanguageMap, lang: str = "vi") -> str:
    """The text of a language map in `lang` (else Vietnamese, else English, else any), escaped."""
    for one in (lang, *LANGUAGES, *sorted(value)):
        if value.get(one):
            return html.escape(value[one])
    return ""


def _attr(value: str) -> str:
    return html.escape(value, quote=True)
