"""How people sign in to the Tools page.

- `GET /auth/config`: what the page needs to know: the OpenID Connect provider (production), or that
  the development sign-in is on.
- Development only (`Settings.development_sign_in_allowed`): `GET /auth/dev-identities` lists who one
  can be (platform staff, the administrator of a carrier, of an organization) and `POST /auth/dev-token`
  signs a token for one of them with the development secret. With production settings both answer 404:
  they do not exist there. In development they answer only requests to a loopback host name, and a
  token only to a same-origin JSON request (web/development.py): 403 otherwise.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

import orjson
from aiohttp import web

from access.principal import EVERYTHING
from access.tokens import TokenSettings, mint_development_token
from db import carriers, organizations
from db.carriers import CarrierFilter
from db.pagination import PageRequest
from db.pool import Connection
from resolvers.global_ids import from_global_id, to_global_id
from settings import Settings
from web.app_keys import DATABASE, SETTINGS
from web.development import is_same_origin_json, serves_conveniences
from web.responses import error_response

# Development tokens: long enough for a working day, short enough to be re-issued; the page may ask
# for less (its expired-session flow is tested with a few seconds).
MAX_LIFETIME_SECONDS = 8 * 3600
MIN_LIFETIME_SECONDS = 5
IDENTITY_LIST_SIZE = 500
KINDS = ("STAFF", "CARRIER_ADMIN", "ORGANIZATION_ADMIN")


async def config(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS]
    oidc = None
    if settings.oidc_issuer and settings.oidc_client_id:
        oidc = {
            "issuer": settings.oidc_issuer,
            "clientId": settings.oidc_client_id,
            "audience": settings.jwt_audience,
            "scopes": settings.oidc_scopes,
        }
    body = {
        "environment": settings.environment,
        "developmentSignIn": serves_conveniences(request, settings),
        "oidc": oidc,
    }
    return web.json_response(body, headers={"Cache-Control": "no-store"})


async def identities(request: web.Request) -> web.Response:
    _development_only(request)
    page = PageRequest(limit=IDENTITY_LIST_SIZE)
    async with request.app[DATABASE].acquire() as conn:
        carrier_page = await carriers.page(conn, reach=EVERYTHING, where=CarrierFilter(), page=page)
        organization_page = await organizations.page(conn, reach=EVERYTHING, search=None, page=page)
    found: list[dict[str, Any]] = [{"kind": "STAFF", "label": "Platform staff"}]
    found += [
        {
            "kind": "ORGANIZATION_ADMIN",
            "organizationId": to_global_id("Organization", row.id),
            "label": f"Administrator of the organization {row.name}",
        }
        for row in organization_page.rows
    ]
    found += [
        {
            "kind": "CARRIER_ADMIN",
            "carrierCode": row.code,
            "label": f"Administrator of {row.code} ({row.name})",
        }
        for row in carrier_page.rows
    ]
    return web.json_response({"identities": found}, headers={"Cache-Control": "no-store"})


async def token(request: web.Request) -> web.Response:
    settings = _development_only(request)
    if not is_same_origin_json(request):
        return error_response(
            403,
            "Ask for a development token with a JSON body (Content-Type: application/json) from this "
            "page's own origin.",
            "FORBIDDEN",
            uuid.uuid4().hex,
        )
    try:
        body = orjson.loads(await request.read())
    except orjson.JSONDecodeError:
        body = None
    if not isinstance(body, dict) or body.get("kind") not in KINDS:
        return _refused("Say who to sign in as: kind is STAFF, CARRIER_ADMIN or ORGANIZATION_ADMIN.")
    lifetime = body.get("lifetimeSeconds", MAX_LIFETIME_SECONDS)
    if type(lifetime) is not int or not MIN_LIFETIME_SECONDS <= lifetime <= MAX_LIFETIME_SECONDS:
        return _refused(f"lifetimeSeconds is between {MIN_LIFETIME_SECONDS} and {MAX_LIFETIME_SECONDS}.")
    async with request.app[DATABASE].acquire() as conn:
        identity = await _identity(conn, body)
    if identity is None:
        return _refused("No such carrier or organization.")
    issued_at = time.time()
    signed = mint_development_token(
        TokenSettings.from_settings(settings),
        subject=identity.subject,
        name=body["name"] if isinstance(body.get("name"), str) else identity.name,
        staff=identity.staff,
        carrier_codes=identity.carrier_codes,
        organization_ids=identity.organization_ids,
        lifetime_seconds=lifetime,
        now=issued_at,
    )
    return web.json_response(
        {"token": signed, "expiresAt": int(issued_at) + lifetime}, headers={"Cache-Control": "no-store"}
    )


@dataclass(frozen=True, slots=True)
class Identity:
    subject: str
    name: str
    staff: bool = False
    carrier_codes: tuple[str, ...] = ()
    organization_ids: tuple[uuid.UUID, ...] = ()


async def _identity(conn: Connection, body: dict[str, Any]) -> Identity | None:
    """Who the body asks to be, if that carrier or organization exists."""
    if body["kind"] == "STAFF":
        return Identity("dev-staff", "Platform staff (development)", staff=True)
    if body["kind"] == "CARRIER_ADMIN":
        code = body.get("carrierCode")
        if not isinstance(code, str) or not await carriers.ids_by_codes(conn, codes=[code]):
            return None
        return Identity(
            f"dev-admin-{code.upper()}", f"{code.upper()} administrator", carrier_codes=(code.upper(),)
        )
    organization_id = _organization_id(body.get("organizationId"))
    found = (
        await organizations.by_ids(conn, reach=EVERYTHING, ids=[organization_id]) if organization_id else {}
    )
    if organization_id is None or organization_id not in found:
        return None
    return Identity(
        f"dev-admin-{organization_id}",
        f"{found[organization_id].name} administrator",
        organization_ids=(organization_id,),
    )


def _development_only(request: web.Request) -> Settings:
    settings = request.app[SETTINGS]
    if not settings.development_sign_in_allowed:
        raise web.HTTPNotFound()
    if not serves_conveniences(request, settings):
        raise web.HTTPForbidden(
            reason="Development sign-in answers only at a loopback address: open http://localhost"
        )
    return settings


def _organization_id(value: object) -> uuid.UUID | None:
    if not isinstance(value, str):
        return None
    decoded = from_global_id(value)
    if decoded is not None and decoded[0] == "Organization":
        return decoded[1]
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _refused(message: str) -> web.Response:
    return error_response(400, message, "BAD_USER_INPUT", uuid.uuid4().hex)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/auth/config", config)
    app.router.add_get("/auth/dev-identities", identities)
    app.router.add_post("/auth/dev-token", token)
