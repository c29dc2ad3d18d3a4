"""Password hashing with argon2id (argon2-cffi), and what a password must be."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from documents.errors import UserError

MIN_LENGTH = 10
MAX_LENGTH = 1000
_HASHER = PasswordHasher()  # argon2id with the library's recommended parameters


class BadPassword(UserError):
    """A new password is too short or too long."""


def check_new_password(password: str) -> None:
    """Refuse a password shorter than `MIN_LENGTH` or longer than `MAX_LENGTH` characters."""
    if len(password) < MIN_LENGTH:
        raise BadPassword("the password must have at least %(count)s characters", count=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        raise BadPassword("the password must have at most %(count)s characters", count=MAX_LENGTH)


def hash_password(password: str) -> str:
    """The argon2id hash of an acceptable new ``password``."""
    check_new_password(password)
    return _HASHER.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    """True when ``password`` is the one ``password_hash`` was made from."""
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _HASHER.check_needs_rehash(password_hash)
