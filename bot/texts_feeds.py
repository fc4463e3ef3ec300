"""User-facing strings of the feed commands, the agency copies and recency (merged into
texts.TEXTS; English is the fallback)."""

from __future__ import annotations

FEED_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "cmd_subscribe": "Subscribe to an RSS/Atom feed (admins)",
        "cmd_feeds": "List the feed subscriptions (admins)",
        "cmd_unsubscribe": "Unsubscribe a feed by id (admins)",
        "subscribe_usage": (
            "Send /subscribe followed by a feed's URL (RSS or Atom), or a site's URL whose page "
            "names its feed."
        ),
        "unsubscribe_usage": "Send /unsubscribe followed by a feed id (see /feeds).",
        "status_subscribing": "⏳ Looking for the feed…",
        "subscribed": (
            "✅ Subscribed <b>#{id}</b>: {title}\nThe first poll adds up to {backfill} of its "
            "newest entries; then it is checked every {minutes} minutes."
        ),
        "already_subscribed": "ℹ️ Already subscribed as <b>#{id}</b>: {title}",
        "resubscribed": "▶️ <b>#{id}</b> was paused; it is polled again: {title}",
        "subscribe_failed": "⚠️ Not subscribed: {reason}",
        "unsubscribed": "🗑 Unsubscribed <b>#{id}</b>: {title}",
        "feeds_empty": "No feeds yet. /subscribe URL adds one.",
        "feeds_header": "<b>Feeds</b>",
        "feed_line": "<b>#{id}</b> {title}\n{url}\nlast fetch: {fetched} · {added} articles added",
        "feed_paused": "⏸ paused after {failures} failures in a row (/subscribe the URL again)",
        "feed_error": "last error: {error}",
        "never": "never",
        "feed_paused_notice": (
            "⏸ The feed <b>#{id}</b> ({title}) failed {failures} times in a row and is paused: "
            "{error}\nSend /subscribe {url} to poll it again."
        ),
        "digest_header": "📰 New from your feeds:",
        "digest_copy": "(another source of #{id})",
        "near_duplicate": (
            "⚠️ near-duplicate of <b>#{id}</b> ({percent}% similar), recorded as another "
            "source: {title}"
        ),
        "also_published": "also published by {outlets}",
        "copies": "{count} copies",
        "copies_1": "1 copy",
        "not_found_period": ("I found nothing about that in the articles published {period}."),
    },
    "de": {
        "cmd_subscribe": "Einen RSS-/Atom-Feed abonnieren (Admins)",
        "cmd_feeds": "Die abonnierten Feeds anzeigen (Admins)",
        "cmd_unsubscribe": "Einen Feed per ID abbestellen (Admins)",
        "subscribe_usage": (
            "Schick /subscribe und danach die URL eines Feeds (RSS oder Atom) oder einer "
            "Website, deren Seite ihren Feed nennt."
        ),
        "unsubscribe_usage": "Schick /unsubscribe und danach eine Feed-ID (siehe /feeds).",
        "status_subscribing": "⏳ Feed wird gesucht…",
        "subscribed": (
            "✅ Abonniert: <b>#{id}</b>: {title}\nDer erste Abruf übernimmt bis zu {backfill} "
            "der neuesten Einträge; danach wird er alle {minutes} Minuten abgerufen."
        ),
        "already_subscribed": "ℹ️ Schon abonniert als <b>#{id}</b>: {title}",
        "resubscribed": "▶️ <b>#{id}</b> war pausiert und wird wieder abgerufen: {title}",
        "subscribe_failed": "⚠️ Nicht abonniert: {reason}",
        "unsubscribed": "🗑 Abbestellt: <b>#{id}</b>: {title}",
        "feeds_empty": "Noch keine Feeds. /subscribe URL fügt einen hinzu.",
        "feeds_header": "<b>Feeds</b>",
        "feed_line": (
            "<b>#{id}</b> {title}\n{url}\nletzter Abruf: {fetched} · {added} Artikel übernommen"
        ),
        "feed_paused": (
            "⏸ pausiert nach {failures} Fehlern in Folge (/subscribe mit der URL setzt ihn fort)"
        ),
        "feed_error": "letzter Fehler: {error}",
        "never": "nie",
        "feed_paused_notice": (
            "⏸ Der Feed <b>#{id}</b> ({title}) ist {failures}-mal in Folge fehlgeschlagen und "
            "pausiert: {error}\nMit /subscribe {url} wird er wieder abgerufen."
        ),
        "digest_header": "📰 Neu aus deinen Feeds:",
        "digest_copy": "(weitere Quelle von #{id})",
        "near_duplicate": (
            "⚠️ fast gleich wie <b>#{id}</b> ({percent} % ähnlich), als weitere Quelle "
            "vermerkt: {title}"
        ),
        "also_published": "auch erschienen bei {outlets}",
        "copies": "{count} Kopien",
        "copies_1": "1 Kopie",
        "not_found_period": (
            "In den Artikeln, die {period} erschienen sind, habe ich dazu nichts gefunden."
        ),
    },
}
