#!/usr/bin/env python3
"""Independent Cobblestone (c2sp.org/chunked-encryption) written from the spec
text only, with the `cryptography` package, to check bin/cobblestone.mjs.

usage: cobblestone.py encrypt|decrypt KEYHEX CONTEXT   (stdin -> stdout)
"""
import hashlib
import hmac
import os
import sys

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

CHUNK = 16384
TAG = 16


def derive(key: bytes, salt: bytes, context: bytes):
    aead = {16: b"AEAD_AES_128_GCM", 32: b"AEAD_AES_256_GCM"}[len(key)]
    info = b"c2sp.org/chunked-encryption@v1+" + aead + b"\x00" + salt + context
    okm, t, i = b"", b"", 1
    while len(okm) < len(key) + 12 + 32:
        t = hmac.new(key, t + info + bytes([i]), hashlib.sha512).digest()
        okm += t
        i += 1
    n = len(key)
    return AESGCM(okm[:n]), okm[n:n + 12], okm[n + 12:n + 44]


def nonce(base: bytes, i: int) -> bytes:
    return (int.from_bytes(base, "big") ^ i).to_bytes(12, "big")


def encrypt(key, context, pt):
    salt = os.urandom(24)
    aead, base, commitment = derive(key, salt, context)
    out = [salt, commitment]
    i = 0
    while True:
        chunk = pt[i * CHUNK:(i + 1) * CHUNK]
        out.append(aead.encrypt(nonce(base, i), chunk, None))
        if len(chunk) < CHUNK:
            return b"".join(out)
        i += 1


def decrypt(key, context, ct):
    if len(ct) < 56:
        raise ValueError("truncated header")
    aead, base, commitment = derive(key, ct[:24], context)
    if not hmac.compare_digest(commitment, ct[24:56]):
        raise ValueError("commitment mismatch")
    body, out, i = ct[56:], [], 0
    while len(body) >= CHUNK + TAG:
        out.append(aead.decrypt(nonce(base, i), body[:CHUNK + TAG], None))
        body, i = body[CHUNK + TAG:], i + 1
    if len(body) < TAG:
        raise ValueError("truncated")
    out.append(aead.decrypt(nonce(base, i), body, None))
    return b"".join(out)


def main():
    mode, key, context = sys.argv[1], bytes.fromhex(sys.argv[2]), sys.argv[3].encode()
    data = sys.stdin.buffer.read()
    try:
        res = encrypt(key, context, data) if mode == "encrypt" else decrypt(key, context, data)
    except Exception as e:  # noqa: BLE001
        sys.stderr.write(f"cobblestone.py: {type(e).__name__}: {e}\n")
        sys.exit(1)
    sys.stdout.buffer.write(res)


main()
