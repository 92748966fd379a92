"""Save screenshots of message bubbles with every feature (styling, replies, reactions...).

A manual harness, not a test: it shows sample rows in the real message list and
delegate and grabs them.

    .venv/bin/python tests/gui/screenshot_messages.py [chat.png] [room.png]

Defaults: /tmp/siproxylin-messages.png and /tmp/siproxylin-room.png.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QListView

from siproxylin.domain.models import ChatMessage
from siproxylin.gui.models.messages import MessageListModel
from siproxylin.gui.views.message_delegate import MessageDelegate
from tests.gui.message_samples import chat_samples, room_samples


def grab(messages: list[ChatMessage], out: str, size: tuple[int, int]) -> None:
    model = MessageListModel()
    model.set_names("Bob", "me")
    model.set_messages(messages)
    view = QListView()
    view.setModel(model)
    view.setItemDelegate(MessageDelegate(view))
    view.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
    view.setResizeMode(QListView.ResizeMode.Adjust)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.resize(*size)
    view.show()
    QApplication.processEvents()
    if not view.grab().save(out):
        raise SystemExit(f"could not write {out}")
    print(out)


def main() -> None:
    chat_out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/siproxylin-messages.png"
    room_out = sys.argv[2] if len(sys.argv) > 2 else "/tmp/siproxylin-room.png"
    app = QApplication(sys.argv[:1])
    app.setFont(QFont("DejaVu Sans", 10))
    grab(chat_samples(), chat_out, (620, 760))
    grab(room_samples(), room_out, (620, 360))
    del app


if __name__ == "__main__":
    main()
