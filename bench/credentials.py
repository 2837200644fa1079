"""Staff tokens the production server accepts: an RSA key made for this run, its JWKS file, RS256 tokens.

Production refuses the development HS256 secret, so the benchmark plays the identity provider: the
server reads the public half from JWT_JWKS_PATH, and the benchmark signs with the private half.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from settings import Settings

KEY_ID = "carrier-admin-bench"
TOKEN_LIFETIME_SECONDS = 4 * 3600


@dataclass(frozen=True, slots=True)
class IdentityProvider:
    private_key: rsa.RSAPrivateKey
    jwks_path: Path
    issuer: str
    audience: str

    def staff_token(self, subject: str = "bench-staff") -> str:
        """A token for a member of the platform's staff (they reach every carrier)."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": subject,
            "iat": now,
            "nbf": now,
            "exp": now + TOKEN_LIFETIME_SECONDS,
            Settings.jwt_claim_name: "Benchmark Staff",
            Settings.jwt_claim_staff: True,
        }
        return jwt.encode(claims, self.private_key, algorithm="RS256", headers={"kid": KEY_ID})


def make_identity_provider(directory: Path) -> IdentityProvider:
    """A fresh key pair; the public half is written to `directory`/jwks.json."""
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(private_key.public_key()))
    public_jwk.update(kid=KEY_ID, alg="RS256", use="sig")
    jwks_path = directory / "jwks.json"
    jwks_path.write_text(json.dumps({"keys": [public_jwk]}))
    return IdentityProvider(
        private_key=private_key,
        jwks_path=jwks_path,
        issuer=Settings.jwt_issuer,
        audience=Settings.jwt_audience,
    )
