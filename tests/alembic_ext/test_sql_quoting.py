"""alembic_ext's one quoting helper refuses what cannot be an identifier, with an error
that carries the name (no database needed)."""

from __future__ import annotations

import pytest

from alembic_ext._sql import ident, qualified
from sqlalchemy_ruvector.errors import InvalidIdentifierError


@pytest.mark.parametrize("name", ["", "a\x00b"])
def test_bad_identifier_refused(name: str) -> None:
    with pytest.raises(ValueError) as e:
        ident(name)
    assert isinstance(e.value, InvalidIdentifierError)
    assert e.value.identifier == name


def test_identifiers_quoted_when_needed() -> None:
    assert ident("items") == "items"
    assert ident("Items") == '"Items"'
    assert qualified("my schema", "t") == '"my schema".t'
