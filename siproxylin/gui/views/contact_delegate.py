"""ContactDelegate: a contact tree row as icon, title and a dimmer detail text.

The detail (an account's state, a contact's status message) follows the title
in a lighter colour and is elided first when the column is narrow, so the
address or name stays readable. Qt widgets only; reads ``ContactRole`` data.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
)

from siproxylin.gui.models.contact_entries import ContactRole

Index = QModelIndex | QPersistentModelIndex

_GAP = 8  # pixels between title and detail
ROW_HEIGHT = 30  # a 24 pixel avatar and some air
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


class ContactDelegate(QStyledItemDelegate):
    """Paints title and detail of ``ContactTreeModel`` rows."""

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: N802
        # Every row is as tall as an avatar (the tree has uniform row heights, and
        # its first row, an account, has only a small dot).
        hint = super().sizeHint(option, index)
        return QSize(hint.width(), max(hint.height(), ROW_HEIGHT))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        title: str = index.data(ContactRole.TITLE) or opt.text
        detail: str = index.data(ContactRole.DETAIL) or ""
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, widget)
        rect = rect.adjusted(2, 0, -2, 0)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        colour = opt.palette.color(role)
        painter.save()
        painter.setFont(opt.font)
        painter.setPen(colour)
        metrics = QFontMetrics(opt.font)
        shown = metrics.elidedText(title, Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(rect, _LEFT, shown)
        room = rect.width() - metrics.horizontalAdvance(shown) - _GAP
        if detail and room > metrics.horizontalAdvance("…") * 3:
            font = QApplication.font(widget) if widget is not None else QApplication.font()
            small = QFontMetrics(font)
            colour.setAlphaF(0.6)
            painter.setFont(font)
            painter.setPen(colour)
            left = rect.right() - room + 1
            detail_rect = QRect(left, rect.top(), room, rect.height())
            painter.drawText(
                detail_rect, _LEFT, small.elidedText(detail, Qt.TextElideMode.ElideRight, room)
            )
        painter.restore()
