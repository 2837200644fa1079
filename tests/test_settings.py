"""Settings: each declared once, read from the environment by its declaration, and the README's table
printed from the same declarations."""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from pathlib import Path
from typing import Any, Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st

import settings
from settings import Settings, SettingsError
from tests.drawn import drawn

ROOT = Path(__file__).resolve().parent.parent
FIELDS = dataclasses.fields(Settings)
HINTS = typing.get_type_hints(Settings)


def variable(field: dataclasses.Field[Any]) -> str:
    name: str = field.metadata["setting"].variable
    return name


def test_the_readmes_configuration_table_is_the_declarations() -> None:
    readme = (ROOT / "README.md").read_text()
    found = re.search(r"<!-- settings:.*?-->\n(.*?)\n<!-- end of settings -->", readme, re.S)
    assert found, "the README's Configuration table lost its markers"
    assert found.group(1) == settings.table(), "run `python -m settings` and paste its table into the README"


def test_every_setting_has_its_own_variable() -> None:
    names = [variable(field) for field in FIELDS]
    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"[A-Z][A-Z0-9_]*", name) for name in names)


def _values(kind: Any) -> st.SearchStrategy[tuple[str, Any]]:
    """Text for a variable of this type, with the value it must be read as."""
    if typing.get_origin(kind) in (typing.Union, types.UnionType):  # X | None
        kind = next(a for a in typing.get_args(kind) if a is not type(None))
    if typing.get_origin(kind) is Literal:
        return st.sampled_from(typing.get_args(kind)).map(lambda v: (v, v))
    if kind is bool:
        return st.sampled_from([("true", True), ("0", False), ("on", True), ("no", False)])
    if kind is int:
        return st.integers(1, 10**6).map(lambda n: (str(n), n))
    if kind is float:
        return st.floats(0.5, 10**4, allow_nan=False).map(lambda x: (repr(x), x))
    if kind is Path:
        return st.just(("/tmp/elsewhere", Path("/tmp/elsewhere")))  # noqa: S108 - a path, never opened
    return st.text(alphabet="abcxyz.:/-", min_size=1, max_size=20).map(lambda text: (text, text))


# Read by a function of their own (LOG_LEVEL upper-cased, METRICS_PORT 0 as unset) or checked together.
OWN_READING = {"log_level", "metrics_port", "jwt_issuer", "environment"}


@pytest.mark.parametrize("field", [f for f in FIELDS if f.name not in OWN_READING], ids=lambda f: f.name)
def test_each_setting_is_read_from_its_variable(field: dataclasses.Field[Any]) -> None:
    for text, expected in drawn(_values(HINTS[field.name]), 3):
        alone = dataclasses.replace(Settings(), **{field.name: expected})
        if field.name == "max_page_size":  # the default page follows the limit down (tested below)
            alone = dataclasses.replace(alone, default_page_size=min(alone.default_page_size, expected))
        try:
            alone.validate()
        except SettingsError:  # a value that clashes with another setting's default: refused too
            with pytest.raises(SettingsError):
                Settings.from_env({variable(field): text})
            continue
        assert getattr(Settings.from_env({variable(field): text}), field.name) == expected


@pytest.mark.parametrize(
    "field", [f for f in FIELDS if HINTS[f.name] in (int, float, bool)], ids=lambda f: f.name
)
def test_an_unusable_value_names_its_variable(field: dataclasses.Field[Any]) -> None:
    for junk in drawn(st.text(alphabet="xyz!?", min_size=1, max_size=8), 3):
        with pytest.raises(SettingsError, match=variable(field)):
            Settings.from_env({variable(field): junk})


def test_production_has_its_own_defaults_and_an_unset_variable_is_the_default() -> None:
    production = Settings.from_env(
        {"CARRIER_ADMIN_ENV": "production", "JWT_JWKS_URL": "https://id.test/jwks"}
    )
    assert (production.introspection, production.graphiql, production.key_environment) == (
        "staff",
        False,
        "live",
    )
    assert production.trusted_documents_only_for_people is True
    development = Settings.from_env({"MAX_PAGE_SIZE": ""})
    assert development.max_page_size == Settings.max_page_size
    assert (
        Settings.from_env({"OIDC_ISSUER": "https://id.test", "OIDC_CLIENT_ID": "x"}).jwt_issuer
        == "https://id.test"
    )


@given(st.integers(min_value=1, max_value=1000))
def test_lowering_the_page_size_limit_is_one_setting(limit: int) -> None:
    """The default page follows MAX_PAGE_SIZE down unless it is set itself; set above it, it is refused."""
    settings = Settings.from_env({"MAX_PAGE_SIZE": str(limit)})
    assert settings.max_page_size == limit
    assert settings.default_page_size == min(20, limit)
    if limit < 1000:
        with pytest.raises(SettingsError, match="DEFAULT_PAGE_SIZE"):
            Settings.from_env({"MAX_PAGE_SIZE": str(limit), "DEFAULT_PAGE_SIZE": str(limit + 1)})
