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


def node_classes() -> list[type[DOMNode]]:
    """Every widget, screen and app class imported so far."""
    found: list[type[DOMNode]] = []
    todo: list[type[DOMNode]] = [DOMNode]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in found:
                found.append(sub)
                todo.append(sub)
    return found


def described_by_catalogue(cls: type[DOMNode]) -> bool:
    """Whether a binding `cls` declares or inherits names a catalogue key."""
    return any(
        isinstance(b, Binding) and b.description in CATALOGUE
        for base in cls.__mro__
        for b in base.__dict__.get("BINDINGS", [])
    )


def localized(binding: Binding) -> Binding:
    """`binding` described in the current language (its description a catalogue key)."""
    if binding.description in CATALOGUE:
        return replace(binding, description=tr(binding.description))
    return binding


def localize_bindings() -> None:
    """Describe every binding of the UI's classes (and of their subclasses) in
    the current language."""
    for cls in filter(described_by_catalogue, node_classes()):
        merged = cls._merge_bindings()
        for key, bindings in merged.key_to_bindings.items():
            merged.key_to_bindings[key] = [localized(b) for b in bindings]
        cls._merged_bindings = merged
