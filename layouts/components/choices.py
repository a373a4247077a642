"""Checkboxes and radio buttons as plain form controls, for the explorer's filters.

Dash 4's `dcc.Checklist`/`dcc.RadioItems` render a `role="listbox"` of `role="option"` labels around read-only
inputs: assistive technology announces options of a list box, not checkboxes, and the inputs nest inside the
options. `Choices` renders what a form has: `<label><input type="checkbox|radio" name=…> text</label>` per option
(in a `<fieldset>` with a `<legend>` given by the page), so a screen reader says "Kontrollkästchen, Lusan, nicht
aktiviert". Its browser side is `window.cockpit_controls.Choices` in assets/explorer_controls.js (plain React,
no build step); `value` is a list of the checked values (`multiple`) or the one picked value.
"""

from __future__ import annotations

from dash.development.base_component import Component

PROPS = ["id", "options", "value", "multiple", "name", "className"]


class Choices(Component):
    """options: [{"value": str, "label": str, "internal": bool}]; value: list[str] (multiple) or str."""

    _namespace = "cockpit_controls"
    _type = "Choices"
    _children_props: list[str] = []
    _base_nodes = ["children"]
    _prop_names = PROPS
    _valid_wildcard_attributes: list[str] = []
    available_properties = PROPS
    available_wildcard_properties: list[str] = []

    def __init__(self, id: str, options: list[dict], value, multiple: bool = False,  # noqa: A002 - Dash's prop name
                 className: str | None = None):
        self._prop_names = PROPS
        self._valid_wildcard_attributes = []
        self.available_properties = PROPS
        self.available_wildcard_properties = []
        props = {"id": id, "options": options, "value": value, "multiple": multiple, "name": id}
        if className:
            props["className"] = className
        super().__init__(**props)
