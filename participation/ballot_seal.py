"""Keys and sealing for online ballots while voting is open (see docs/participation.md, "Ballot
secrecy").

Everything secret is derived from ``settings.BALLOT_SECRET_KEY``, which lives in the environment,
never in the database, together with a per-round random *salt* kept in ``BallotLinkKey`` and
deleted when voting closes:

* the **link tag** ``HMAC(link key, "round:user")`` lets a voter find and change their own ballot;
* the ballot's **choices are sealed**: padded to a fixed length and encrypted with AES-256-GCM
  (the ``cryptography`` package, not hand-made cryptography) under a random 12-byte nonce, with
  the link tag as associated data, so a blob cannot be moved to another voter's row unnoticed.

A database dump alone therefore links a voter (the participation row, written in the same
transaction and in the same order) only to an opaque, equal-length blob. Closing the vote opens
every blob, deletes the salt and writes the choices in the clear in a random order under new ids.
"""

from __future__ import annotations

import base64
import hmac
import json
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

NONCE_BYTES = 12
PAD_TO = 4096
"""Sealed plaintexts are padded to a multiple of this many bytes (a ballot of up to about 300
projects), so the blob's length does not tell how many projects were chosen."""


class SealError(Exception):
    """A sealed ballot that cannot be opened (the environment's key changed, or the row was
    altered)."""


def new_salt() -> str:
    return secrets.token_hex(32)


def _key(salt: str, purpose: str) -> bytes:
    secret = settings.BALLOT_SECRET_KEY
    if not secret:
        raise SealError("BALLOT_SECRET_KEY is not set")
    return hmac.new(secret.encode(), f"pb-ballot:{purpose}:{salt}".encode(), "sha256").digest()


def link_tag(salt: str, round_id: int, user_id: int) -> str:
    return hmac.new(_key(salt, "link"), f"{round_id}:{user_id}".encode(), "sha256").hexdigest()


def seal(salt: str, tag: str, choices: list[list[int]]) -> str:
    plain = json.dumps(choices, separators=(",", ":")).encode()
    size = -(-(len(plain) + 1) // PAD_TO) * PAD_TO
    plain = plain + b"\n" + b" " * (size - len(plain) - 1)
    nonce = secrets.token_bytes(NONCE_BYTES)
    cipher = AESGCM(_key(salt, "enc")).encrypt(nonce, plain, b"v2:" + tag.encode())
    return base64.urlsafe_b64encode(nonce + cipher).decode()


def open_sealed(salt: str, tag: str, sealed: str) -> list[list[int]]:
    try:
        raw = base64.urlsafe_b64decode(sealed.encode())
    except ValueError:
        raise SealError("not a sealed ballot") from None
    if len(raw) <= NONCE_BYTES:
        raise SealError("not a sealed ballot")
    nonce, cipher = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
    try:
        plain = AESGCM(_key(salt, "enc")).decrypt(nonce, cipher, b"v2:" + tag.encode())
    except InvalidTag:
        raise SealError("the sealed ballot does not check out") from None
    choices: list[list[int]] = json.loads(plain.split(b"\n", 1)[0])
    return choices
