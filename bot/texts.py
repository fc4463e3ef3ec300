"""User-facing strings per language (HTML). English is the fallback for every other language.

Placeholders are filled by `t()`, which escapes every value, so no caller can forget to.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

from index.sources import strip_bidi

from .texts_feeds import FEED_TEXTS

DEFAULT = "en"
COMMANDS = (
    "start", "help", "ask", "add", "list", "delete", "stats", "subscribe", "feeds", "unsubscribe",
)  # fmt: skip

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "cmd_start": "Introduction and your user id",
        "cmd_help": "How to ask and add articles",
        "cmd_ask": "Ask a question about the articles",
        "cmd_add": "Add an article: URL or pasted text (admins)",
        "cmd_list": "List the stored articles",
        "cmd_delete": "Delete an article by id (admins)",
        "cmd_stats": "How many articles and passages",
        "start": (
            "Hello {name}! I answer questions about the news articles I have stored, quoting "
            "them word for word.\nJust send me a question, e.g. <i>Who won the election?</i>\n\n"
            "Your user id is <code>{user_id}</code>. /help shows all commands."
        ),
        "help": (
            "<b>Asking</b>\n"
            "Send a question in this chat; in groups use /ask, mention me or reply to me. "
            "Short follow-ups like <i>Who said that?</i> refer to your previous question.\n\n"
            "<b>Adding</b> (admins)\n"
            "/add URL — fetch an article\n"
            "/add followed by text — the first line is the title\n"
            "a .txt, .md or .html file, or a post forwarded from a channel\n"
            "/subscribe URL — poll an RSS/Atom feed; /feeds, /unsubscribe ID\n\n"
            "/list — stored articles\n/delete ID — remove one (admins)\n/stats — numbers"
        ),
        "ask_usage": "Send /ask followed by your question.",
        "not_found": "I found nothing about that in the stored articles.",
        "source": "Source",
        "more_sources": "More sources",
        "added_on": "added {date}",
        "btn_more": "More passages",
        "btn_sources": "Sources",
        "passages_header": "<b>Passages behind this answer</b>",
        "sources_header": "<b>Sources</b>",
        "answer_gone": "This answer is too old; please ask again.",
        "throttled": "Too many questions. Please wait {seconds} s.",
        "throttled_actions": "Too many requests. Please wait {seconds} s.",
        "not_admin": (
            "Sorry, only admins can add or delete articles. Your user id is "
            "<code>{user_id}</code>: the bot's owner can add it to ADMIN_USER_IDS."
        ),
        "not_admin_anonymous": (
            "Sorry, anonymous admins and channels cannot add or delete articles. Please write "
            "from your own account."
        ),
        "add_usage": (
            "Send /add URL, or /add followed by the article's text (first line = title), or "
            "send me a .txt, .md or .html file."
        ),
        "status_start": "⏳ Working…",
        "status_fetching": "⏳ Fetching the page…",
        "status_downloading": "⏳ Downloading the file…",
        "status_extracting": "⏳ Extracting the article…",
        "status_indexing": "⏳ Indexing {passages}…",
        "added": "✅ Added <b>#{id}</b>: {title}\nLanguage: {language} · {passages}",
        "duplicate": "ℹ️ Already stored as <b>#{id}</b>: {title}",
        "refused_url": "⛔ Refused: {reason}",
        "fetch_failed": "⚠️ Could not fetch it: {reason}",
        "add_failed": "⚠️ Not added: {reason}",
        "file_type": "Please send a .txt, .md or .html file.",
        "file_too_big": "The file is larger than {mb} MB, Telegram's download limit for bots.",
        "edited_ignored": "Edited commands are not run again. Send the command as a new message.",
        "delete_usage": "Send /delete followed by an article id (see /list).",
        "delete_confirm": "Delete <b>#{id}</b>: {title}?",
        "btn_delete": "Delete",
        "btn_cancel": "Cancel",
        "deleted": "🗑 Deleted <b>#{id}</b>: {title}",
        "cancelled": "Cancelled.",
        "error": "⚠️ {reason}",
        "list_empty": "No articles stored yet.",
        "list_header": "<b>Articles {first}–{last}</b>",
        "passages": "{count} passages",
        "passages_1": "1 passage",
        "btn_prev": "◀ Back",
        "btn_next": "Next ▶",
        "stats": (
            "<b>{articles}</b> articles, <b>{passages}</b> passages\n"
            "Languages: {languages}\nModel: {model}"
        ),
        "sorry": "Sorry, something went wrong. Please try again later.",
        "resumed_added": (
            "🔁 Your /add from {time} was interrupted by a restart; it has now been added:"
        ),
        "resumed_exists": (
            "🔁 Your /add from {time} was interrupted by a restart; it was already in the library:"
        ),
        "resumed_failed": "🔁 Your /add from {time} was interrupted by a restart; it failed:",
        "resumed_gave_up": (
            "🔁 Your /add from {time} was interrupted {attempts} times by a restart, so it was "
            "dropped. Please send it again."
        ),
        "unknown_button": "This button no longer works.",
        "unknown_command": "I don't know that command. /help lists what I can do.",
    },
    "de": {
        "cmd_start": "Einführung und deine Nutzer-ID",
        "cmd_help": "Wie man fragt und Artikel hinzufügt",
        "cmd_ask": "Eine Frage zu den Artikeln stellen",
        "cmd_add": "Artikel hinzufügen: URL oder Text (Admins)",
        "cmd_list": "Gespeicherte Artikel anzeigen",
        "cmd_delete": "Einen Artikel per ID löschen (Admins)",
        "cmd_stats": "Wie viele Artikel und Passagen",
        "start": (
            "Hallo {name}! Ich beantworte Fragen zu den gespeicherten Nachrichtenartikeln und "
            "zitiere sie wörtlich.\nSchick mir einfach eine Frage, z. B. <i>Wer hat die Wahl "
            "gewonnen?</i>\n\nDeine Nutzer-ID ist <code>{user_id}</code>. /help zeigt alle Befehle."
        ),
        "help": (
            "<b>Fragen</b>\n"
            "Schick eine Frage in diesen Chat; in Gruppen mit /ask, indem du mich erwähnst oder "
            "mir antwortest. Kurze Nachfragen wie <i>Wer hat das gesagt?</i> beziehen sich auf "
            "deine vorige Frage.\n\n"
            "<b>Hinzufügen</b> (Admins)\n"
            "/add URL: einen Artikel abrufen\n"
            "/add und danach Text: die erste Zeile ist der Titel\n"
            "eine .txt-, .md- oder .html-Datei oder ein aus einem Kanal weitergeleiteter "
            "Beitrag\n"
            "/subscribe URL: einen RSS-/Atom-Feed abrufen; /feeds, /unsubscribe ID\n\n"
            "/list: gespeicherte Artikel\n/delete ID: einen löschen (Admins)\n/stats: Zahlen"
        ),
        "ask_usage": "Schick /ask und danach deine Frage.",
        "not_found": "Dazu habe ich in den gespeicherten Artikeln nichts gefunden.",
        "source": "Quelle",
        "more_sources": "Weitere Quellen",
        "added_on": "hinzugefügt am {date}",
        "btn_more": "Mehr Passagen",
        "btn_sources": "Quellen",
        "passages_header": "<b>Passagen zu dieser Antwort</b>",
        "sources_header": "<b>Quellen</b>",
        "answer_gone": "Diese Antwort ist zu alt; bitte frag noch einmal.",
        "throttled": "Zu viele Fragen. Bitte warte {seconds} s.",
        "throttled_actions": "Zu viele Anfragen. Bitte warte {seconds} s.",
        "not_admin": (
            "Tut mir leid, nur Admins können Artikel hinzufügen oder löschen. Deine Nutzer-ID ist "
            "<code>{user_id}</code>: der Betreiber kann sie in ADMIN_USER_IDS eintragen."
        ),
        "not_admin_anonymous": (
            "Tut mir leid, anonyme Admins und Kanäle können keine Artikel hinzufügen oder "
            "löschen. Bitte schreib von deinem eigenen Konto."
        ),
        "add_usage": (
            "Schick /add URL oder /add und danach den Text des Artikels (erste Zeile = Titel) "
            "oder eine .txt-, .md- oder .html-Datei."
        ),
        "status_start": "⏳ Einen Moment…",
        "status_fetching": "⏳ Seite wird abgerufen…",
        "status_downloading": "⏳ Datei wird heruntergeladen…",
        "status_extracting": "⏳ Artikel wird extrahiert…",
        "status_indexing": "⏳ {passages} werden indexiert…",
        "added": "✅ Hinzugefügt: <b>#{id}</b>: {title}\nSprache: {language} · {passages}",
        "duplicate": "ℹ️ Schon gespeichert als <b>#{id}</b>: {title}",
        "refused_url": "⛔ Abgelehnt: {reason}",
        "fetch_failed": "⚠️ Konnte nicht abgerufen werden: {reason}",
        "add_failed": "⚠️ Nicht hinzugefügt: {reason}",
        "file_type": "Bitte schick eine .txt-, .md- oder .html-Datei.",
        "file_too_big": "Die Datei ist größer als {mb} MB, das Download-Limit für Bots.",
        "edited_ignored": "Bearbeitete Befehle werden nicht erneut ausgeführt. Schick ihn neu.",
        "delete_usage": "Schick /delete und danach eine Artikel-ID (siehe /list).",
        "delete_confirm": "<b>#{id}</b> löschen: {title}?",
        "btn_delete": "Löschen",
        "btn_cancel": "Abbrechen",
        "deleted": "🗑 Gelöscht: <b>#{id}</b>: {title}",
        "cancelled": "Abgebrochen.",
        "error": "⚠️ {reason}",
        "list_empty": "Noch keine Artikel gespeichert.",
        "list_header": "<b>Artikel {first}–{last}</b>",
        "passages": "{count} Passagen",
        "passages_1": "1 Passage",
        "btn_prev": "◀ Zurück",
        "btn_next": "Weiter ▶",
        "stats": (
            "<b>{articles}</b> Artikel, <b>{passages}</b> Passagen\n"
            "Sprachen: {languages}\nModell: {model}"
        ),
        "sorry": "Entschuldigung, da ist etwas schiefgegangen. Bitte versuch es später noch mal.",
        "resumed_added": (
            "🔁 Dein /add vom {time} wurde durch einen Neustart unterbrochen; jetzt ist er "
            "hinzugefügt:"
        ),
        "resumed_exists": (
            "🔁 Dein /add vom {time} wurde durch einen Neustart unterbrochen; der Artikel war "
            "schon gespeichert:"
        ),
        "resumed_failed": (
            "🔁 Dein /add vom {time} wurde durch einen Neustart unterbrochen; er ist "
            "fehlgeschlagen:"
        ),
        "resumed_gave_up": (
            "🔁 Dein /add vom {time} wurde {attempts}-mal durch einen Neustart unterbrochen und "
            "wird nicht mehr versucht. Bitte schick ihn noch einmal."
        ),
        "unknown_button": "Dieser Knopf funktioniert nicht mehr.",
        "unknown_command": "Diesen Befehl kenne ich nicht. /help zeigt, was ich kann.",
    },
}


for _lang, _texts in FEED_TEXTS.items():  # the feed commands, agency copies, recency
    TEXTS[_lang].update(_texts)


def language(code: str | None) -> str:
    """The supported language for an ISO or Telegram language code ("de-AT" -> "de")."""
    base = (code or "").split("-")[0].lower()
    return base if base in TEXTS else DEFAULT


def t(lang: str, key: str, **values: object) -> str:
    """The text `key` in `lang` (English if missing) with its values HTML-escaped and without
    bidi controls (a title or a name with U+202E must not reverse the rest of the line)."""
    template = TEXTS.get(lang, TEXTS[DEFAULT]).get(key) or TEXTS[DEFAULT][key]
    escaped: Mapping[str, str] = {
        k: html.escape(strip_bidi(str(v)), quote=False) for k, v in values.items()
    }
    return template.format(**escaped)


def passages(lang: str, count: int) -> str:
    """ "1 passage", "3 passages" (the word alone, unescaped: pass it on as a value)."""
    return t(lang, "passages_1") if count == 1 else t(lang, "passages", count=count)


def command_descriptions(lang: str) -> list[tuple[str, str]]:
    """(command, description) pairs for setMyCommands."""
    return [(name, t(lang, f"cmd_{name}")) for name in COMMANDS]
