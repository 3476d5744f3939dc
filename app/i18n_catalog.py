"""Translation catalog tooling: extract, merge and check ``translations/{vi,en}``.

Usage (from the repository root, venv active)::

    python -m app.i18n_catalog update   # extract app + FAB strings, merge, report
    python -m app.i18n_catalog check    # report only; exit status 1 if anything is missing
    python -m app.i18n_catalog missing vi   # list msgids still lacking a translation

Sources of msgids:

* the app: ``app/**/*.py`` and ``app/templates/**`` (msgids are written in Vietnamese);
* Flask-AppBuilder: its python and templates, plus every msgid of the catalogs FAB ships
  (some FAB strings are built dynamically and are only found there).  FAB ships no ``vi``
  catalog, so ``translations/vi`` has to cover FAB's strings as well.

Merging keeps every existing translation (entries that disappear from the sources are
kept as obsolete ``#~`` entries and revived if the msgid comes back) and fills the
trivial cases: app msgids in ``vi`` and FAB msgids in ``en`` translate to themselves.
Everything else (FAB -> vi, app -> en) is edited by hand in the ``.po`` files, which are
the data; the ``.mo`` files are compiled at start-up (``app.i18n.compile_catalogs``).

The empty msgid ``""`` is never a translatable entry: with a catalog loaded,
``gettext("")`` returns the ``.po`` header.
"""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

APP_DIR = Path(__file__).resolve().parent
ROOT_DIR = APP_DIR.parent
TRANSLATIONS_DIR = ROOT_DIR / "translations"
BABEL_CFG = ROOT_DIR / "babel.cfg"
LOCALES = ("vi", "en")
APP_SOURCE_LOCALE = "vi"  # the app's msgids are Vietnamese
FAB_SOURCE_LOCALE = "en"  # FAB's msgids are English
PROJECT = "Cổng quản lý đội ngũ nhà giáo"

KEYWORDS: dict = {
    **DEFAULT_KEYWORDS,
    "_l": None,
    "lazy_gettext": None,
    "lazy_formatter_gettext": None,  # FAB, security/views.py
    "__": None,  # FAB, menu.py
    "lazy_ngettext": (1, 2),
    "lazy_pgettext": ((1, "c"), 2),
}

# English UI words of FAB that must not show on a page rendered in Vietnamese.  Matched
# case-sensitively as whole words/phrases against the visible text (see
# ``english_ui_words_in``).  Only words that never occur in Vietnamese text are listed
# (no "Email", "Excel", "ID" ...).
ENGLISH_UI_WORDS: list[str] = [
    "Access is Denied",
    "Actions",
    "Add",
    "Add Filter",
    "Add a new record",
    "Added Row",
    "Are you sure you want to delete this item?",
    "Audit Info",
    "Back",
    "Base Permissions",
    "Cancel",
    "Changed Row",
    "Changed by",
    "Changed on",
    "Confirm Password",
    "Contains",
    "Created by",
    "Created on",
    "Delete",
    "Delete record",
    "Deleted Row",
    "Detail",
    "Edit",
    "Edit record",
    "Ends with",
    "Equal to",
    "Failed login count",
    "Filter",
    "First Name",
    "Full Name",
    "Greater than",
    "Group by",
    "Is Active?",
    "Language",
    "Last Name",
    "Last login",
    "List",
    "List Roles",
    "List Users",
    "Login",
    "Login count",
    "Logout",
    "No records found",
    "Not Equal to",
    "Order by",
    "Page size",
    "Password",
    "Permissions",
    "Personal Info",
    "Profile",
    "Record Count",
    "Refresh",
    "Reset Password",
    "Save",
    "Search",
    "Security",
    "Select Value",
    "Show",
    "Show record",
    "Sign In",
    "Smaller than",
    "Starts with",
    "User Name",
    "User info",
    "User's Statistics",
    "Username",
    "Views/Menus",
    "Welcome",
    "Your user information",
]

_PLACEHOLDER_RE = re.compile(
    r"%%|%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|%[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]"
    r"|\{\{|\}\}|\{[^{}]*\}"
)


# --------------------------------------------------------------------------- extraction


@dataclass
class Source:
    """One msgid found in the sources, with where it came from."""

    id: str | tuple[str, ...]
    locations: set[tuple[str, None]] = field(default_factory=set)
    origins: set[str] = field(default_factory=set)  # {"app", "fab"}
    context: str | None = None

    @property
    def key(self) -> str:
        return self.id if isinstance(self.id, str) else self.id[0]


def fab_dir() -> Path:
    import flask_appbuilder

    return Path(flask_appbuilder.__file__).resolve().parent


def _method_map() -> tuple[list[tuple[str, str]], dict[str, dict[str, str]]]:
    with BABEL_CFG.open(encoding="utf-8") as fh:
        return parse_mapping_cfg(fh, filename=str(BABEL_CFG))


def _extract_dir(directory: Path, label: str, skip: Iterable[str] = ()) -> Iterable[tuple]:
    method_map, options_map = _method_map()
    skipped = tuple(skip)

    def keep(dirname: str) -> bool:
        return not dirname.startswith((".", "_")) and dirname not in skipped

    for filename, lineno, message, _comments, context in extract_from_dir(
        str(directory),
        method_map,
        options_map,
        keywords=KEYWORDS,
        strip_comment_tags=True,
        directory_filter=keep,
    ):
        del lineno  # line numbers churn too much to be worth committing
        yield f"{label}/{filename}", message, context


def _sanitise_po_text(text: str) -> str:
    # Some of FAB's shipped catalogs carry dates babel cannot parse; dates are irrelevant.
    return re.sub(r'^"(POT-Creation-Date|PO-Revision-Date):.*\n', "", text, flags=re.M)


def fab_shipped_msgids() -> set[str | tuple[str, ...]]:
    """Every msgid of the catalogs FAB ships (some FAB strings are built dynamically)."""
    ids: set[str | tuple[str, ...]] = set()
    pot = sorted(fab_dir().glob("translations/*.pot"))
    pos = sorted(fab_dir().glob("translations/*/LC_MESSAGES/messages.po"))
    for path in pot + pos:
        catalog = read_po(io.StringIO(_sanitise_po_text(path.read_text(encoding="utf-8"))))
        for message in catalog:
            if not message.id or message.context:
                continue
            key = message.id if isinstance(message.id, str) else message.id[0]
            if not key.isascii():
                continue  # a translator's mistake (a Greek msgid in FAB's `el` catalog)
            ids.add(message.id if isinstance(message.id, str) else tuple(message.id))
    return ids


def extract_sources() -> dict[tuple[str, str | None], Source]:
    """All translatable msgids of the app and of FAB, keyed by (msgid, context)."""
    found: dict[tuple[str, str | None], Source] = {}

    def add(msgid, location: str | None, origin: str, context: str | None) -> None:
        if isinstance(msgid, (list, tuple)):
            msgid = tuple(msgid)
            if not msgid[0]:
                return
        elif not msgid:
            return  # never translate "": gettext("") returns the .po header
        key = (msgid if isinstance(msgid, str) else msgid[0], context)
        src = found.setdefault(key, Source(id=msgid, context=context))
        if isinstance(msgid, tuple) and isinstance(src.id, str):
            src.id = msgid  # a plural use wins over a singular one
        if location:
            src.locations.add((location, None))
        src.origins.add(origin)

    for location, message, context in _extract_dir(APP_DIR, "app", skip=("static", "data")):
        add(message, location, "app", context)
    fab = fab_dir()
    for location, message, context in _extract_dir(fab, "flask_appbuilder", skip=("static",)):
        add(message, location, "fab", context)
    for msgid in fab_shipped_msgids():
        add(msgid, "flask_appbuilder/translations", "fab", None)
    return found


# --------------------------------------------------------------------------- catalogs


def po_path(locale: str) -> Path:
    return TRANSLATIONS_DIR / locale / "LC_MESSAGES" / "messages.po"


def load_po(locale: str) -> Catalog | None:
    path = po_path(locale)
    if not path.exists():
        return None
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


def _is_translated(message: Message) -> bool:
    if message.fuzzy:
        return False
    if isinstance(message.string, (list, tuple)):
        return bool(message.string) and all(message.string)
    return bool(message.string)


def _self_translation(msgid, nplurals: int):
    if isinstance(msgid, str):
        return msgid
    forms = list(msgid) + [msgid[-1]] * max(0, nplurals - len(msgid))
    return tuple(forms[:nplurals]) if nplurals > 1 else (msgid[0],)


def _fit_plural(string, msgid, nplurals: int):
    """Shape an existing msgstr to the msgid kind (singular/plural) and nplurals."""
    if isinstance(msgid, str):
        return string[0] if isinstance(string, (list, tuple)) else string
    forms = list(string) if isinstance(string, (list, tuple)) else [string]
    if not forms:
        forms = [""]
    forms += [forms[-1]] * max(0, nplurals - len(forms))
    return tuple(forms[:nplurals])


def _existing_messages(old: Catalog | None) -> dict[tuple[str, str | None], Message]:
    existing: dict[tuple[str, str | None], Message] = {}
    if old is None:
        return existing
    for message in list(old.obsolete.values()) + list(old):
        if not message.id:
            continue
        key = (message.id if isinstance(message.id, str) else message.id[0], message.context)
        # live entries override obsolete ones; translated ones override untranslated ones
        if key not in existing or _is_translated(message) or not _is_translated(existing[key]):
            existing[key] = message
    return existing


def _signature(catalog: Catalog) -> list[tuple]:
    rows = []
    for message in list(catalog) + list(catalog.obsolete.values()):
        if not message.id:
            continue
        rows.append(
            (
                message.id,
                message.context,
                message.string,
                tuple(sorted(message.flags)),
                tuple(sorted(message.locations)),
                tuple(message.auto_comments),
                message.id in catalog.obsolete,
            )
        )
    return sorted(rows, key=repr)


def merge_locale(locale: str, sources: dict[tuple[str, str | None], Source]) -> Catalog:
    """Build the merged catalog of ``locale`` (not written)."""
    old = load_po(locale)
    existing = _existing_messages(old)
    catalog = Catalog(
        locale=locale,
        domain="messages",
        project=PROJECT,
        version="1.0",
        copyright_holder=PROJECT,
        charset="utf-8",
        fuzzy=False,
        creation_date=old.creation_date if old else datetime.now().astimezone(),
    )
    catalog.language_team = f"{locale} <LL@li.org>"
    catalog.last_translator = PROJECT
    nplurals = catalog.num_plurals

    for key in sorted(sources, key=lambda k: (k[0].casefold(), k[0], k[1] or "")):
        src = sources[key]
        previous = existing.pop(key, None)
        flags: set[str] = set()
        if (
            previous is not None
            and previous.string
            and any(previous.string if isinstance(previous.string, tuple) else [previous.string])
        ):
            string = _fit_plural(previous.string, src.id, nplurals)
            if previous.fuzzy:
                flags.add("fuzzy")
        elif _translates_to_itself(src, locale):
            string = _self_translation(src.id, nplurals)
        else:
            string = _fit_plural("", src.id, nplurals)
        auto_comments = ["FAB"] if src.origins == {"fab"} else []
        catalog.add(
            src.id,
            string,
            locations=sorted(src.locations),
            flags=flags,
            auto_comments=auto_comments,
            context=src.context,
        )

    # Nothing translated is dropped: vanished msgids become obsolete entries.
    for key, message in existing.items():
        if message.string and any(
            message.string if isinstance(message.string, tuple) else [message.string]
        ):
            catalog.obsolete[key[0] if key[1] is None else key] = Message(
                message.id, message.string, flags=message.flags, context=message.context
            )

    if old is not None and _signature(old) == _signature(catalog):
        catalog.revision_date = old.revision_date
    else:
        catalog.revision_date = datetime.now().astimezone()
    return catalog


def _translates_to_itself(src: Source, locale: str) -> bool:
    if locale == APP_SOURCE_LOCALE:
        return "app" in src.origins and "fab" not in src.origins
    if locale == FAB_SOURCE_LOCALE:
        return "fab" in src.origins and "app" not in src.origins
    return False


def write_catalog(locale: str, catalog: Catalog) -> Path:
    path = po_path(locale)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, sort_output=False, include_lineno=False)
    data = buffer.getvalue()
    if not path.exists() or path.read_bytes() != data:
        tmp = path.with_suffix(".po.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
    return path


# --------------------------------------------------------------------------- checks


def placeholders(text: str) -> list[str]:
    """The format placeholders of ``text`` (``%(name)s``, ``%s``, ``{0}``), sorted."""
    return sorted(m for m in _PLACEHOLDER_RE.findall(text) if m not in ("%%", "{{", "}}"))


def missing_translations(locale: str, sources=None) -> list[str]:
    """Msgids of the app and FAB lacking a non-empty, non-fuzzy ``locale`` translation."""
    sources = extract_sources() if sources is None else sources
    catalog = load_po(locale)
    missing = []
    for key, src in sources.items():
        message = catalog.get(src.id, context=src.context) if catalog is not None else None
        if message is None or not _is_translated(message):
            missing.append(key[0])
    return sorted(set(missing))


def catalog_stats(catalog: Catalog) -> dict[str, int]:
    stats = {"total": 0, "translated": 0, "untranslated": 0, "fuzzy": 0, "obsolete": 0}
    for message in catalog:
        if not message.id:
            continue
        stats["total"] += 1
        if message.fuzzy:
            stats["fuzzy"] += 1
        elif _is_translated(message):
            stats["translated"] += 1
        else:
            stats["untranslated"] += 1
    stats["obsolete"] = len(catalog.obsolete)
    return stats


class _VisibleText(HTMLParser):
    _HIDDEN = {"script", "style", "template", "noscript"}
    _ATTRS = {"title", "placeholder", "alt", "aria-label", "data-original-title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in self._HIDDEN:
            self._hidden += 1
        attrs = dict(attrs)
        for name in self._ATTRS:
            if attrs.get(name):
                self.parts.append(attrs[name])
        if tag == "input" and (attrs.get("type") or "").lower() in ("submit", "button", "reset"):
            self.parts.append(attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag in self._HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    """Text a user sees on a page (text nodes, titles, placeholders, button values)."""
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return "\n".join(part.strip() for part in parser.parts if part and part.strip())


def english_ui_words_in(html: str, words: Iterable[str] = ENGLISH_UI_WORDS) -> list[str]:
    """The ``ENGLISH_UI_WORDS`` found (whole-word, case-sensitive) in a page's visible text."""
    text = visible_text(html)
    return [w for w in words if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text)]


# --------------------------------------------------------------------------- CLI


def report(catalogs: dict[str, Catalog], sources, verbose: bool = False) -> int:
    problems = 0
    app_ids = sum(1 for s in sources.values() if "app" in s.origins)
    fab_ids = sum(1 for s in sources.values() if s.origins == {"fab"})
    print(f"msgids: {len(sources)} ({app_ids} app, {fab_ids} FAB only)")
    for locale, catalog in catalogs.items():
        stats = catalog_stats(catalog)
        missing = missing_translations(locale, sources)
        problems += len(missing)
        print(
            f"{locale}: {stats['translated']}/{stats['total']} translated, "
            f"{stats['untranslated']} untranslated, {stats['fuzzy']} fuzzy, "
            f"{stats['obsolete']} obsolete -> {po_path(locale).relative_to(ROOT_DIR)}"
        )
        for msgid in missing if verbose else missing[:20]:
            print(f"    missing: {msgid!r}")
        if not verbose and len(missing) > 20:
            print(
                f"    ... and {len(missing) - 20} more (python -m app.i18n_catalog missing {locale})"
            )
    return problems


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv[0] if argv else "update"
    sources = extract_sources()
    if command == "update":
        catalogs = {}
        for locale in LOCALES:
            catalogs[locale] = merge_locale(locale, sources)
            write_catalog(locale, catalogs[locale])
        report(catalogs, sources)
        return 0
    if command == "check":
        catalogs = {locale: load_po(locale) or Catalog(locale=locale) for locale in LOCALES}
        return 1 if report(catalogs, sources) else 0
    if command == "missing":
        locales = argv[1:] or list(LOCALES)
        for locale in locales:
            for msgid in missing_translations(locale, sources):
                print(f"{locale}\t{msgid}")
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
