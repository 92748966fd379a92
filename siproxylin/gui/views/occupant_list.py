"""OccupantList: the open room's occupants by role, with their badges and a context menu.

Owns the list widget beside the messages: group header rows ("Moderators (2)"),
occupants with a presence dot, their nick in its colour and an affiliation badge
(owner, admin, member). Double-click opens a private conversation; the context
menu offers that and the commands our role and affiliation allow (kick, ban,
voice, moderator), which ask for an optional reason. Failures are reported
through ``failed``. Qt widgets; the work is ``RoomsPresenter``'s.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QInputDialog,
    QListView,
    QMenu,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from siproxylin.domain.errors import SiproxylinError
from siproxylin.domain.models import Occupant
from siproxylin.gui import icons
from siproxylin.gui.async_slot import async_slot
from siproxylin.gui.models.occupants import OccupantRole
from siproxylin.gui.nick_colours import nick_colour
from siproxylin.gui.presenters.room_rights import OccupantAction
from siproxylin.gui.presenters.rooms import RoomsPresenter

Index = QModelIndex | QPersistentModelIndex
AskText = Callable[[QWidget, str, str, str], str | None]

ACTION_TEXT = {
    OccupantAction.GRANT_VOICE: "Grant &Voice",
    OccupantAction.REVOKE_VOICE: "Revoke &Voice",
    OccupantAction.GRANT_MODERATOR: "Make &Moderator",
    OccupantAction.REVOKE_MODERATOR: "Remove Mo&derator",
    OccupantAction.KICK: "&Kick…",
    OccupantAction.BAN: "&Ban…",
}
_ASKS_REASON = (OccupantAction.KICK, OccupantAction.BAN)
_PAD = 6


def ask_text(parent: QWidget, title: str, label: str, text: str = "") -> str | None:
    """Ask for one line of text; None when cancelled."""
    value, ok = QInputDialog.getText(parent, title, label, text=text)
    return value if ok else None


class OccupantDelegate(QStyledItemDelegate):
    """Paints header rows small and dim, occupant rows as dot, coloured nick and badge."""

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: N802
        height = QFontMetrics(option.font).height()
        return QSize(120, height + (8 if index.data(OccupantRole.HEADER) else 6))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        painter.save()
        rect = opt.rect
        text_colour = opt.palette.color(QPalette.ColorRole.Text)
        if index.data(OccupantRole.HEADER):
            font = QFont(opt.font)
            font.setBold(True)
            font.setPointSizeF(max(font.pointSizeF() * 0.85, 6.0))
            painter.setFont(font)
            dim = QColor(text_colour)
            dim.setAlphaF(0.6)
            painter.setPen(dim)
            painter.drawText(
                rect.adjusted(_PAD, 2, -_PAD, 0),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom,
                str(index.data()).upper(),
            )
            painter.restore()
            return
        occupant: Occupant = index.data(OccupantRole.OCCUPANT)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(rect, opt.palette.color(QPalette.ColorRole.Highlight))
        icons.presence_icon(occupant.availability).paint(
            painter, QRect(rect.left() + _PAD, rect.top() + (rect.height() - 16) // 2, 16, 16)
        )
        left = rect.left() + _PAD + 20
        badge: str = index.data(OccupantRole.BADGE) or ""
        metrics = QFontMetrics(opt.font)
        badge_width = metrics.horizontalAdvance(badge) + 10 if badge else 0
        right = rect.right() - _PAD - badge_width - (4 if badge else 0)
        background = opt.palette.color(QPalette.ColorRole.Base)
        colour = (
            opt.palette.color(QPalette.ColorRole.HighlightedText)
            if selected
            else nick_colour(occupant.nick, background)
        )
        font = QFont(opt.font)
        font.setBold(occupant.own)
        painter.setFont(font)
        painter.setPen(colour)
        nick = QFontMetrics(font).elidedText(
            occupant.nick, Qt.TextElideMode.ElideRight, right - left
        )
        painter.drawText(
            QRect(left, rect.top(), right - left, rect.height()),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            nick,
        )
        if badge:
            small = QFont(opt.font)
            small.setPointSizeF(max(small.pointSizeF() * 0.8, 6.0))
            box = QRect(
                rect.right() - _PAD - badge_width,
                rect.top() + 4,
                badge_width,
                rect.height() - 8,
            )
            fill = QColor(text_colour)
            fill.setAlphaF(0.12)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(fill)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.drawRoundedRect(box, 6, 6)
            painter.setFont(small)
            dim = QColor(text_colour)
            dim.setAlphaF(0.75)
            painter.setPen(dim)
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, badge)
        painter.restore()


class OccupantList(QListView):
    """The occupant list of the open room."""

    failed = Signal(str)  # a user-readable reason a command did not happen
    private_requested = Signal(object)  # Occupant: open a private conversation

    def __init__(self, rooms: RoomsPresenter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("occupants")
        self._rooms = rooms
        self.ask_text: AskText = ask_text
        self.setModel(rooms.occupants)
        self.setItemDelegate(OccupantDelegate(self))
        self.setUniformItemSizes(False)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._on_context_menu)
        self.doubleClicked.connect(self._on_double_clicked)

    def menu_for(self, occupant: Occupant) -> QMenu:
        """The context menu of an occupant row."""
        menu = QMenu(self)
        private = menu.addAction("Private &Message")
        private.setEnabled(not occupant.own)
        private.triggered.connect(lambda: self.private_requested.emit(occupant))
        actions = self._rooms.actions_for(occupant)
        if actions:
            menu.addSeparator()
        for action in actions:
            item = menu.addAction(ACTION_TEXT[action])
            item.triggered.connect(
                lambda _checked=False, chosen=action: self.run_action(chosen, occupant)
            )
        return menu

    def run_action(self, action: OccupantAction, occupant: Occupant) -> None:
        """Give ``action`` about ``occupant`` (kick and ban ask for a reason first)."""
        reason = ""
        if action in _ASKS_REASON:
            verb = "Kick" if action is OccupantAction.KICK else "Ban"
            answer = self.ask_text(self, f"{verb} {occupant.nick}", "Reason (optional):", "")
            if answer is None:
                return
            reason = answer.strip()
        self._act(action, occupant, reason)

    @async_slot
    async def _act(self, action: OccupantAction, occupant: Occupant, reason: str) -> None:
        try:
            await self._rooms.act(action, occupant, reason)
        except SiproxylinError as error:
            self.failed.emit(f"{ACTION_TEXT[action].replace('&', '').rstrip('…')}: {error}")

    def _on_context_menu(self, pos: QPoint) -> None:
        occupant = self.indexAt(pos).data(OccupantRole.OCCUPANT)
        if isinstance(occupant, Occupant):
            menu = self.menu_for(occupant)
            menu.exec(self.viewport().mapToGlobal(pos))
            menu.deleteLater()

    def _on_double_clicked(self, index: QModelIndex) -> None:
        occupant = index.data(OccupantRole.OCCUPANT)
        if isinstance(occupant, Occupant) and not occupant.own:
            self.private_requested.emit(occupant)
