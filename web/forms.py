"""Reading posted forms: one text field at a time, never a file where text is expected."""

from __future__ import annotations

from starlette.datastructures import FormData


def text_field(form: FormData, name: str) -> str:
    """The text of field ``name``, stripped of nothing; "" when absent or not text."""
    value = form.get(name)
    return value if isinstance(value, str) else ""
