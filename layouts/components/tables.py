"""Plain, accessible HTML tables (caption, header cells with scope)."""

from __future__ import annotations

from collections.abc import Sequence

from dash import html


def data_table(caption: str, headers: Sequence[str], rows: Sequence[Sequence[str]],
               numeric: Sequence[int] = (), class_name: str = "data-table") -> html.Table:
    """A table whose first column heads each row; columns in `numeric` are right-aligned."""

    def cell(index: int, text: str):
        if index == 0:
            return html.Th(text, scope="row")
        return html.Td(text, className="num" if index in numeric else None)

    return html.Table(
        [
            html.Caption(caption),
            html.Thead(html.Tr([html.Th(h, scope="col", className="num" if i in numeric else None)
                                for i, h in enumerate(headers)])),
            html.Tbody([html.Tr([cell(i, c) for i, c in enumerate(row)]) for row in rows]),
        ],
        className=class_name,
    )
