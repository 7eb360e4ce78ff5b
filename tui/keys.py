"""Key labels in the UI's language.

A binding of the UI is declared with a catalogue key as its description
(`Binding("g", "refresh", "key.refresh", id="app.refresh")`). Textual merges
a class's bindings once, when the class is created; `localize_bindings`
merges them again for the language chosen and puts the catalogue's text in
place of each key, before the app creates any screen.
"""

from __future__ import annotations

from dataclasses import replace

from textual.binding import Binding
from textual.dom import DOMNode

from tui.catalogue import CATALOGUE
from tui.lang import tr


def ui_classes() -> list[type[DOMNode]]:
    """Every widget, screen and app class of `tui` (those imported so far)."""
    found: list[type[DOMNode]] = []
    todo: list[type[DOMNode]] = [DOMNode]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("tui.") and sub not in found:
                found.append(sub)
    return found


def localized(binding: Binding) -> Binding:
    """`binding` described in the current language (its description a catalogue key)."""
    if binding.description in CATALOGUE:
        return replace(binding, description=tr(binding.description))
    return binding


def localize_bindings() -> None:
    """Describe every binding of the UI's classes in the current language."""
    for cls in ui_classes():
        merged = cls._merge_bindings()
        for key, bindings in merged.key_to_bindings.items():
            merged.key_to_bindings[key] = [localized(b) for b in bindings]
        cls._merged_bindings = merged
