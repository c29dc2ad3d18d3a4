"""RFC 9421 HTTP Message Signatures: parse, build the signature base, sign, verify.

Requests only. This module checks cryptography only; which components must be
covered and the time window are decided by `verify.py`.

Supported components: the derived ``@method``, ``@target-uri``, ``@authority``,
``@scheme``, ``@path``, ``@query``, ``@request-target`` and ``@query-param``
(with ``name``), and plain header fields. Field parameters (``sf``, ``key``,
``bs``, ``req``, ``tr``) are refused as unsupported.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import quote, unquote_plus, urlsplit

from http_sfv.dictionary import Dictionary
from http_sfv.item import InnerList, Item

from .errors import SignatureError
from .fields import authority, path_and_query
from .keys import PrivateKey, PublicKey, default_algorithm, sign_bytes, verify_bytes


@dataclass(frozen=True)
class MessageSignature:
    """One labelled signature from ``Signature-Input`` plus its value from ``Signature``."""

    label: str
    covered: InnerList
    signature: bytes

    @property
    def components(self) -> tuple[str, ...]:
        """Names of the covered components, without their parameters."""
        return tuple(str(item.value) for item in self.covered)

    def _param(self, name: str) -> object:
        return self.covered.params.get(name)

    @property
    def key_id(self) -> str | None:
        """The ``keyid`` parameter, if given."""
        value = self._param("keyid")
        return value if isinstance(value, str) else None

    @property
    def alg(self) -> str | None:
        """The ``alg`` parameter, if given."""
        value = self._param("alg")
        return value if isinstance(value, str) else None

    @property
    def created(self) -> int | None:
        """The ``created`` parameter (seconds since the epoch), if given."""
        value = self._param("created")
        return value if type(value) is int else None

    @property
    def expires(self) -> int | None:
        """The ``expires`` parameter (seconds since the epoch), if given."""
        value = self._param("expires")
        return value if type(value) is int else None


def _parse_dictionary(name: str, value: str) -> Dictionary:
    field = Dictionary()
    try:
        field.parse(value.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise SignatureError(f"malformed {name} header") from None
    return field


def parse_signatures(signature_input: str, signature: str) -> list[MessageSignature]:
    """Parse ``Signature-Input`` and ``Signature`` into signatures, in header order."""
    inputs = _parse_dictionary("Signature-Input", signature_input)
    values = _parse_dictionary("Signature", signature)
    result = []
    for label, covered in inputs.items():
        if not isinstance(covered, InnerList):
            raise SignatureError(f"malformed Signature-Input header: {label} is not a list")
        if any(not isinstance(item.value, str) for item in covered):
            raise SignatureError(f"malformed Signature-Input header: {label} has a non-string")
        value = values.get(label)
        raw = getattr(value, "value", None)
        if not isinstance(raw, bytes):
            raise SignatureError(f"malformed Signature header: no byte sequence for {label}")
        result.append(MessageSignature(label=label, covered=covered, signature=raw))
    if not result:
        raise SignatureError("malformed Signature-Input header: no signature")
    return result


_FORM_SAFE = "*-._"  # the application/x-www-form-urlencoded set leaves these (and alnum)


def _form_encode(text: str) -> str:
    # RFC 9421 section 2.2.8: names and values are re-encoded so that equivalent
    # queries give one value; quote() would keep "~", the form encoding does not.
    return quote(text, safe=_FORM_SAFE).replace("~", "%7E")


def _query_param(url: str, item: Item) -> str:
    name = item.params.get("name")
    if not isinstance(name, str) or set(item.params) != {"name"}:
        raise SignatureError("@query-param needs exactly one name parameter")
    found = []
    for pair in urlsplit(url).query.split("&"):
        key, _, value = pair.partition("=")
        if _form_encode(unquote_plus(key)) == name:
            found.append(_form_encode(unquote_plus(value)))
    if len(found) != 1:
        raise SignatureError(f"@query-param {name!r} is absent or repeated")
    return found[0]


def component_value(item: Item, method: str, url: str, headers: Mapping[str, str]) -> str:
    """The value of one covered component (section 2); ``headers`` must be normalised."""
    name = str(item.value)
    if name == "@query-param":
        return _query_param(url, item)
    if item.params:
        raise SignatureError(f"unsupported parameters on component {name!r}")
    parts = urlsplit(url)
    derived = {
        "@method": lambda: method.upper(),
        "@target-uri": lambda: url,
        "@authority": lambda: authority(url),
        "@scheme": lambda: parts.scheme.lower(),
        "@path": lambda: parts.path or "/",
        "@query": lambda: f"?{parts.query}",
        "@request-target": lambda: path_and_query(url),
    }
    if name in derived:
        return derived[name]()
    if name.startswith("@") or name != name.lower():
        raise SignatureError(f"unsupported component {name!r}")
    if name not in headers:
        raise SignatureError(f"covered header {name!r} is missing from the request")
    value = headers[name]
    if "\n" in value or "\r" in value:
        raise SignatureError(f"header {name!r} contains a line break")
    return value


def signature_base(covered: InnerList, method: str, url: str, headers: Mapping[str, str]) -> bytes:
    """The signature base (section 2.5) for ``covered`` over the request."""
    lines = []
    seen = set()
    for item in covered:
        identifier = str(item)
        if identifier in seen:
            raise SignatureError(f"component {identifier} is covered twice")
        seen.add(identifier)
        lines.append(f"{identifier}: {component_value(item, method, url, headers)}")
    lines.append(f'"@signature-params": {covered}')
    text = "\n".join(lines)
    if not text.isascii():
        raise SignatureError("signature base contains characters outside ASCII")
    return text.encode("ascii")


def verify_signature(
    sig: MessageSignature,
    method: str,
    url: str,
    headers: Mapping[str, str],
    public_key: PublicKey,
    *,
    algorithm: str | None = None,
) -> None:
    """Check the cryptographic signature of ``sig``; raise `SignatureError` if wrong.

    The algorithm is ``algorithm`` if given (the verifier's knowledge of the
    key), else the ``alg`` parameter, else inferred from the key type.
    """
    chosen = algorithm or sig.alg or default_algorithm(public_key)
    if sig.alg is not None and sig.alg != chosen:
        raise SignatureError(f"alg {sig.alg!r} does not match the key's algorithm")
    base = signature_base(sig.covered, method, url, headers)
    verify_bytes(chosen, public_key, base, sig.signature)


def sign(
    components: Sequence[str],
    method: str,
    url: str,
    headers: Mapping[str, str],
    *,
    key_id: str,
    private_key: PrivateKey,
    created: int,
    expires: int | None = None,
    label: str = "sig1",
    alg: str | None = None,
    include_alg: bool = True,
) -> tuple[str, str]:
    """Sign the request; return the ``Signature-Input`` and ``Signature`` values.

    Parameters are emitted in the order ``created``, ``keyid``, ``alg``,
    ``expires``. ``alg`` defaults to the key's algorithm; ``include_alg=False``
    leaves the parameter out (the verifier then infers it from the key).
    """
    algorithm = alg or default_algorithm(private_key)
    covered = InnerList(list(components))
    covered.params["created"] = created
    covered.params["keyid"] = key_id
    if include_alg:
        covered.params["alg"] = algorithm
    if expires is not None:
        covered.params["expires"] = expires
    base = signature_base(covered, method, url, headers)
    raw = sign_bytes(algorithm, private_key, base)
    inputs, values = Dictionary(), Dictionary()
    inputs[label] = covered
    values[label] = raw
    return str(inputs), str(values)
