"""HTTP signatures, draft-cavage-12 and RFC 9421: sign, verify, and an httpx auth."""

from .auth import HttpSignatureAuth, SchemeMemory
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
    "sign_request",
    "signature_key_id",
    "verify_content_digest",
    "verify_digest_header",
    "verify_request",
]
