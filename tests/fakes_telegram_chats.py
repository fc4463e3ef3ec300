"""The fake Bot API's state and the tests' side of it: what users do (send, edit, press a
button, send a document, forward a channel post) and what the bot did (its messages as they look
now, the calls it made, waiting for its replies). FakeBotAPI (tests/fakes_telegram.py) adds the
Bot API that the bot calls.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.fakes_telegram_rules import BOT_USER, TOKEN, Fault, Injected, entities


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


class Chats:
    """The state of FakeBotAPI; what users do and what the bot did."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.reject_token = False
        self.closed = False
        self.calls: list[Call] = []
        self.messages: dict[tuple[int, int], dict] = {}
        self.files: dict[str, tuple[str, bytes, int]] = {}  # file_id -> (path, data, size)
        self.downloads: list[str] = []
        self.commands: dict[str | None, list[dict]] = {}
        self.problems: list[str] = []  # anything Telegram would have refused
        self.faults: list[Fault] = []
        self.injected: list[Injected] = []
        self.delivered: dict[int, float] = {}  # update_id -> when getUpdates first returned it
        self.sent: Counter[int] = Counter()  # chat_id -> messages the bot sent there
        self._cond = threading.Condition()
        self._updates: list[dict] = []
        self._ids = itertools.count(1)
        self._message_ids = itertools.count(100)

    # -- what users do ---------------------------------------------------------------------

    def user(self, user_id: int, first_name: str = "Ann", language_code: str = "en") -> dict:
        return dict(id=user_id, is_bot=False, first_name=first_name, language_code=language_code)

    def chat(self, chat_id: int) -> dict:
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "User"}
        return {"id": chat_id, "type": "supergroup", "title": "News group"}

    def send(
        self,
        user: dict,
        text: str | None = None,
        *,
        chat_id: int | None = None,
        reply_to: dict | None = None,
        document: dict | None = None,
        caption: str | None = None,
        forward_origin: dict | None = None,
        sender_chat: dict | None = None,
    ) -> dict:
        """A user sends a message; returns the update."""
        chat = self.chat(chat_id if chat_id is not None else user["id"])
        extra: dict[str, Any] = {}
        if text is not None:
            extra.update(text=text, entities=entities(text))
        if caption is not None:
            extra.update(caption=caption, caption_entities=entities(caption))
        optional = dict(
            reply_to_message=reply_to,
            document=document,
            forward_origin=forward_origin,
            sender_chat=sender_chat,
        )
        extra.update({name: value for name, value in optional.items() if value is not None})
        with self._cond:
            message = self._message(chat, user, **extra)
        return self.push(message=message)

    def edit(self, update: dict, text: str) -> dict:
        """The user edits the message of `update`; returns the edited_message update."""
        edited = dict(
            update["message"], text=text, entities=entities(text), edit_date=int(time.time())
        )
        return self.push(edited_message=edited)

    def press(self, user: dict, message: dict, data: str) -> dict:
        """The user presses a button (or forges one) under `message`."""
        query = {"id": str(next(self._ids)), "from": user, "message": message, "data": data}
        return self.push(callback_query=dict(query, chat_instance="1"))

    def document(
        self, data: bytes, name: str, mime: str = "text/plain", size: int | None = None
    ) -> dict:
        file_id = f"file{next(self._ids)}"
        self.files[file_id] = (f"documents/{file_id}_{name}", data, size or len(data))
        return dict(
            file_id=file_id,
            file_unique_id=f"u{file_id}",
            file_name=name,
            mime_type=mime,
            file_size=size or len(data),
        )

    @staticmethod
    def channel_origin(
        title: str, username: str | None, message_id: int, date: int = 1761523200
    ) -> dict:
        chat = {"id": -1009876543210, "type": "channel", "title": title}
        if username:
            chat["username"] = username
        return {"type": "channel", "chat": chat, "message_id": message_id, "date": date}

    def push(self, **payload: Any) -> dict:
        with self._cond:
            update = {"update_id": next(self._ids), **payload}
            self._updates.append(update)
            self._cond.notify_all()
        return update

    def take_updates(self) -> list[dict]:
        """Pending updates, removed (for tests that feed the Application directly)."""
        with self._cond:
            updates, self._updates = self._updates, []
        return updates

    def close(self) -> None:
        with self._cond:
            self.closed = True
            self._cond.notify_all()

    def _message(self, chat: dict, sender: dict, **extra: Any) -> dict:
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": sender,
            **extra,
        }
        if sender is BOT_USER:
            message["history"] = [extra.get("html", "")]
            self.sent[chat["id"]] += 1
        self.messages[(chat["id"], message["message_id"])] = message
        return message

    # -- what the bot did ------------------------------------------------------------------

    def bot_messages(self, chat_id: int | None = None) -> list[dict]:
        """The bot's messages, oldest first, as they look now (after edits)."""
        with self._cond:
            return [
                m
                for (c, _), m in sorted(self.messages.items(), key=lambda kv: kv[0][1])
                if m["from"]["id"] == BOT_USER["id"] and chat_id in (None, c)
            ]

    def last_text(self, chat_id: int) -> str:
        """The text of the bot's latest message in the chat as it looks now; "" if none."""
        sent = self.bot_messages(chat_id)
        return sent[-1]["text"] if sent else ""

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        with self._cond:
            return [c.params for c in self.calls if c.method == method]

    async def wait_until(self, predicate: Callable[[], Any], timeout: float = 15.0) -> Any:
        """Poll `predicate` until it returns something truthy, without blocking the loop."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"timed out; bot messages: {self.bot_messages()[-5:]}; "
                    f"problems: {self.problems}"
                )
            await asyncio.sleep(0.02)

    async def replies(
        self,
        chat_id: int,
        count: int = 1,
        timeout: float = 15.0,
        final: Callable[[dict], bool] | None = None,
    ) -> list[dict]:
        """Wait until the bot has `count` messages in the chat (the last passing `final`)."""

        def ready() -> list[dict] | None:
            sent = self.bot_messages(chat_id)
            if len(sent) >= count and (final is None or final(sent[-1])):
                return sent
            return None

        return await self.wait_until(ready, timeout)
