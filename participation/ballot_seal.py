"""Keys and sealing for online ballots while voting is open (see docs/participation.md, "Ballot
secrecy").

Everything secret is derived from ``settings.BALLOT_SECRET_KEY``, which lives in the environment,
never in the database, together with a per-round random *salt* kept in ``BallotLinkKey`` and
deleted when voting closes:

* the **link tag** ``HMAC(link key, "round:user")`` lets a voter find and change their own ballot;
* the ballot's **choices are sealed**: padded to a fixed length, encrypted with a keystream of
  HMAC-SHA256 blocks (counter mode over a random 16-byte nonce) and authenticated with a separate
  HMAC key (encrypt-then-MAC, bound to the tag). The standard library has no AEAD cipher; HMAC-
  SHA256 as a pseudorandom function in counter mode is a standard construction.

A database dump alone therefore links a voter (the participation row, written in the same
transaction and in the same order) only to an opaque, equal-length blob. Closing the vote opens
every blob, deletes the salt and writes the choices in the clear in a random order under new ids.
"""

from __future__ import annotations

import base64
import hmac
import json
import secrets

from django.conf import settings

NONCE_BYTES = 16
TAG_BYTES = 32
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


def _keystream(key: bytes, nonce: bytes, length: int) -> bytes:
    blocks = (length + 31) // 32
    return b"".join(
        hmac.new(key, nonce + i.to_bytes(8, "big"), "sha256").digest() for i in range(blocks)
    )[:length]


def _mac(salt: str, tag: str, body: bytes) -> bytes:
    return hmac.new(_key(salt, "mac"), b"v1:" + tag.encode() + b":" + body, "sha256").digest()


def seal(salt: str, tag: str, choices: list[list[int]]) -> str:
    plain = json.dumps(choices, separators=(",", ":")).encode()
    size = -(-(len(plain) + 1) // PAD_TO) * PAD_TO
    plain = plain + b"\n" + b" " * (size - len(plain) - 1)
    nonce = secrets.token_bytes(NONCE_BYTES)
    cipher = bytes(
        a ^ b for a, b in zip(plain, _keystream(_key(salt, "enc"), nonce, size), strict=True)
    )
    body = nonce + cipher
    return base64.urlsafe_b64encode(body + _mac(salt, tag, body)).decode()


def open_sealed(salt: str, tag: str, sealed: str) -> list[list[int]]:
    try:
        raw = base64.urlsafe_b64decode(sealed.encode())
    except ValueError:
        raise SealError("not a sealed ballot") from None
    body, mac = raw[:-TAG_BYTES], raw[-TAG_BYTES:]
    if len(body) <= NONCE_BYTES or not hmac.compare_digest(mac, _mac(salt, tag, body)):
        raise SealError("the sealed ballot does not check out")
    nonce, cipher = body[:NONCE_BYTES], body[NONCE_BYTES:]
    plain = bytes(
        a ^ b
        for a, b in zip(cipher, _keystream(_key(salt, "enc"), nonce, len(cipher)), strict=True)
    )
    choices: list[list[int]] = json.loads(plain.split(b"\n", 1)[0])
    return choices
