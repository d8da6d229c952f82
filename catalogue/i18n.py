"""The language of every request: Vietnamese unless `?lang=en` (or a `lang` cookie set by an
earlier switch) asks for English; the message catalogues in `translations/`; and how a value
given in several languages (a language map) is shown in the chosen one.

The catalogues are kept as `.po` files. `make assets` compiles them; an app made from a
checkout where a `.mo` is missing or older than its `.po` compiles it first, so a translation
is never silently missing."""

from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

from babel.messages import mofile, pofile
from flask import Flask, Response, request
from flask_babel import Babel, get_locale, get_translations
from markupsafe import Markup, escape

LANGUAGES = ("vi", "en")
DEFAULT = "vi"
COOKIE = "lang"
COOKIE_AGE = 365 * 86400  # a year
TRANSLATIONS = Path(__file__).parent / "translations"
# How each language names itself, on the switch that leads to it.
SELF_NAMES = {"vi": "Tiếng Việt", "en": "English"}
OG_LOCALES = {"vi": "vi_VN", "en": "en_US"}
_ENVIRON_KEY = "catalogue.language"
_TRANSLATIONS_KEY = "catalogue.translations"


def init_app(app: Flask) -> None:
    """Choose a language for every request, remember a switch, and give templates the helpers."""
    compile_catalogues(TRANSLATIONS, app.logger)
    app.config["BABEL_DEFAULT_LOCALE"] = DEFAULT
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    Babel(app, locale_selector=chosen)
    # Flask-Babel's own callables look the catalogue up again for each of a page's fifty
    # messages; these look it up once per request.
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    # `_` goes straight to the catalogue: Jinja's passes each message through three layers of
    # calls, and a page has forty messages.
    app.jinja_env.globals["_"] = template_gettext
    app.after_request(_remember)
    app.add_template_global(current, "current_language")
    app.add_template_global(localized)
    app.add_template_global(switch_url)
    app.add_template_global(SELF_NAMES, "language_names")
    app.add_template_global(OG_LOCALES, "og_locales")


def chosen() -> str:
    """The language asked for in the query, else the one remembered, else Vietnamese."""
    asked = _asked()
    if asked:
        return asked
    remembered = request.cookies.get(COOKIE, "")
    return remembered if remembered in LANGUAGES else DEFAULT


def _asked() -> str | None:
    value = request.args.get("lang", "")
    return value if value in LANGUAGES else None


def current() -> str:
    """The language of this request's page. A page asks this a hundred times: it is kept in
    the request's environ after the first (Flask-Babel's own lookup costs several context
    look-ups each time)."""
    try:
        environ = request.environ
    except RuntimeError:  # outside a request
        return DEFAULT
    lang = environ.get(_ENVIRON_KEY)
    if lang is None:
        locale = get_locale()
        lang = environ[_ENVIRON_KEY] = locale.language if locale is not None else DEFAULT
    return lang


def translations():
    """The message catalogue of this request's language."""
    environ = request.environ
    found = environ.get(_TRANSLATIONS_KEY)
    if found is None:
        found = environ[_TRANSLATIONS_KEY] = get_translations()
    return found


def gettext(message: str, **variables) -> str:
    """`message` in the page's language, with `variables` put in (as Flask-Babel's)."""
    translated = translations().ugettext(message)
    return translated % variables if variables else translated


def ngettext(singular: str, plural: str, num: int) -> str:
    """The form of a message for `num` in the page's language (Vietnamese has one), `num` put
    in as `%(num)d`."""
    return translations().ungettext(singular, plural, num) % {"num": num}


def template_gettext(message: str, **variables) -> Markup:
    """`_` of the templates, as Jinja's "newstyle" gettext in an escaping template: the message
    is markup, the variables are escaped into it, and it is always formatted (`%%` for %)."""
    return Markup(translations().ugettext(message)) % variables


def other() -> str:
    return next(lang for lang in LANGUAGES if lang != current())


def _remember(response: Response) -> Response:
    """A `?lang=` switch is kept in a cookie, so the next pages stay in that language."""
    asked = _asked()
    if asked and request.cookies.get(COOKIE) != asked:
        response.set_cookie(COOKIE, asked, max_age=COOKIE_AGE, samesite="Lax", httponly=True)
        # one visitor's choice: not for a shared cache to hand to the next
        response.cache_control.public = False
        response.cache_control.private = True
    return response


def switch_url(lang: str | None = None) -> str:
    """This page in `lang` (by default the other language), keeping its path and query."""
    lang = lang or other()
    args = [(key, value) for key, value in request.args.items(multi=True) if key != "lang"]
    args.append(("lang", lang))
    return quote(request.script_root + request.path) + "?" + urlencode(args)


@dataclass(frozen=True)
class Localized:
    """A value of a language map, in the language it was written in."""

    text: str
    lang: str

    @property
    def foreign(self) -> bool:
        """Written in another language than the page's: it must carry its own `lang`."""
        return self.lang != current()

    def html(self, tag: str = "span") -> Markup:
        """The text, escaped, inside `tag` with a `lang` attribute when it is foreign."""
        if not self.foreign:
            return escape(self.text)
        return Markup('<{0} lang="{1}">{2}</{0}>').format(Markup(tag), self.lang, self.text)

    def __str__(self) -> str:
        return self.text

    def __html__(self) -> Markup:
        return self.html()


def localized(values: dict[str, str] | None, fallback: str = "") -> Localized:
    """The value of a language map in the page's language, else in Vietnamese or English,
    else in any language it has; `fallback` (in no language) when it is empty."""
    values = {k: v for k, v in (values or {}).items() if isinstance(v, str) and v.strip()}
    for lang in (current(), *LANGUAGES, *sorted(values)):
        if lang in values:
            return Localized(values[lang], lang)
    return Localized(fallback, current())


def compile_catalogues(folder: Path, logger: logging.Logger | None = None) -> list[Path]:
    """Compile every `.po` under `folder` whose `.mo` is missing or older; the `.mo`s written."""
    written = []
    for po in sorted(folder.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        try:
            _compile(po, mo)
        except OSError as error:  # a read-only install: the pages fall back to the source text
            if logger is not None:
                logger.warning("cannot compile %s: %s", po, error)
            continue
        written.append(mo)
    return written


def _compile(po: Path, mo: Path) -> None:
    with open(po, "rb") as source:
        catalog = pofile.read_po(source, locale=po.parent.parent.name)
    # written beside and renamed, so a process reading the catalogue never sees half of it
    handle, temporary = tempfile.mkstemp(dir=mo.parent, prefix=".messages-", suffix=".mo")
    try:
        with os.fdopen(handle, "wb") as out:
            mofile.write_mo(out, catalog)
        os.replace(temporary, mo)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
