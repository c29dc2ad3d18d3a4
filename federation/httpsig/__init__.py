"""HTTP signatures, draft-cavage-12 and RFC 9421: sign, verify, and an httpx auth.

Finding your way around:

* `verify` – the front door for incoming requests: key id lookup and policy.
* `sign` – headers to add to an outgoing request, either scheme.
* `auth` – `httpx.Auth` with the 401 "double-knock" and a per-host memory.
* `cavage`, `rfc9421` – each scheme's parsing, signing string/base, crypto.
* `digest` – ``Digest`` and ``Content-Digest``; `keys` – algorithms over keys;
  `fields` – header normalisation and URL parts; `errors` – `SignatureError`.
"""

from .auth import HttpSignatureAuth, SchemeMemory, other_scheme
from .digest import (
    content_digest_header,
    digest_header,
    verify_content_digest,
    verify_digest_header,
)
from .errors import SignatureError
from .keys import PrivateKey, PublicKey
from .sign import sign_request
from .verify import Scheme, VerifiedSignature, signature_key_id, verify_request

__all__ = [
    "HttpSignatureAuth",
    "PrivateKey",
    "PublicKey",
    "Scheme",
    "SchemeMemory",
    "SignatureError",
    "VerifiedSignature",
    "content_digest_header",
    "digest_header",
    "other_scheme",
    "sign_request",
    "signature_key_id",
    "verify_content_digest",
    "verify_digest_header",
    "verify_request",
]
