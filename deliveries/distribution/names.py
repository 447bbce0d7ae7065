"""Members' names as volunteers see them: abbreviated when the pickup point asks, sorted the
way a French list is read (É with E, not after Z)."""

import unicodedata

from marketplace.core.former_members import former_member_name


def short_name(name: str) -> str:
    """Léa Guérin → Léa G.; a basket two households split, "Alice Martin / Bruno Dupont" →
    "Alice M. / Bruno D."."""
    return " / ".join(_short(person) for person in name.split(" / "))


def _short(name: str) -> str:
    if name == former_member_name():
        return name
    first, *rest = name.split() or [""]
    return " ".join([first, *(f"{word[0]}." for word in rest if word)])


def sort_key(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))
