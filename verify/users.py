"""Users of a shared workspace: API tokens (stored hashed) and roles, and the log of writes.

Roles, each allowing what the one before it does:

- ``reader``: search, match, read checks, sources, documents, audits and jobs;
- ``checker``: + check claims (a saved check), review checks, run audits;
- ``editor``: + rate sources, import rating files, ingest (URLs, uploads), remove documents;
- ``admin``: + manage users, ingest from folders on the server (only under the desk roots).

A token is ``vfy_<token_id>_<secret>``; only an scrypt hash of it is kept, so it is shown
once, when the user is added. A user may also get a password for the desk
(:meth:`UserBook.set_password`); :meth:`UserBook.login` exchanges it for a session token that
works like an API token until it expires (12 hours by default).

Example:
    >>> from verify import Workspace
    >>> ws = Workspace.in_memory()
    >>> user, token = ws.users.add("ana", "editor")
    >>> ws.users.authenticate(token).role
    'editor'
    >>> ws.users.allows(user, "admin")
    False
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import re
import secrets
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from verify.errors import AuthenticationError, InputError, NotFoundError, PermissionDeniedError

if TYPE_CHECKING:
    from verify.store import Store

log = logging.getLogger(__name__)

ROLES: tuple[str, ...] = ("reader", "checker", "editor", "admin")
TOKEN_PREFIX = "vfy_"
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,63}$")
# scrypt cost: about 15 ms and 16 MiB per hash; verified tokens are cached in the process.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
SESSION_HOURS = 12.0
MIN_PASSWORD = 8
SESSION_PREFIX = "s"   # session token ids start with it; API token ids are hex

_verified: dict[str, tuple[str, str]] = {}  # sha256(token) -> (token_id, token_hash)
_verified_lock = threading.Lock()


@dataclass(frozen=True)
class User:
    """A person (or a bot: a CMS, a tipline) allowed to use the workspace."""

    name: str
    role: str
    token_id: str
    created_at: dt.datetime | None = None
    created_by: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (never the token or its hash)."""
        return {"name": self.name, "role": self.role, "token_id": self.token_id,
                "created_at": self.created_at.isoformat() if self.created_at else None,
                "created_by": self.created_by}


def check_role(role: str) -> str:
    """The role named by ``role`` (case-insensitive), or InputError naming the field."""
    value = (role or "").strip().lower()
    if value not in ROLES:
        raise InputError(f"role: unknown role {role!r} (one of: {', '.join(ROLES)})")
    return value


def role_allows(role: str, needed: str) -> bool:
    """Whether ``role`` may do what ``needed`` may (roles are ordered)."""
    return ROLES.index(check_role(role)) >= ROLES.index(check_role(needed))


def hash_secret(token: str, *, salt: bytes | None = None) -> str:
    """An scrypt hash of ``token`` as ``scrypt$n$r$p$salt$hash`` (hex)."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(token.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P,
                            maxmem=64 * 1024 * 1024, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_secret(token: str, stored: str) -> bool:
    """Whether ``token`` hashes to ``stored`` (constant-time comparison)."""
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        got = hashlib.scrypt(token.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r),
                             p=int(p), maxmem=64 * 1024 * 1024, dklen=len(digest) // 2)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got.hex(), digest)


def _token_id(token: str) -> str:
    """The public id inside a token, or AuthenticationError for something that is no token."""
    if not token.startswith(TOKEN_PREFIX):
        raise AuthenticationError("the API token is not a verify token (vfy_...)")
    token_id, sep, secret = token[len(TOKEN_PREFIX):].partition("_")
    if not sep or not token_id or not secret:
        raise AuthenticationError("the API token is malformed")
    return token_id


def _a(word: str) -> str:
    """``word`` with its indefinite article ('a reader', 'an editor')."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


class UserBook:
    """Users, their tokens and the log of their writes, in one workspace's store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # ---- users -------------------------------------------------------------------------
    def add(self, name: str, role: str, *, by: str | None = None) -> tuple[User, str]:
        """Add a user; returns the user and their token (shown once, kept only hashed)."""
        clean = (name or "").strip()
        if not NAME_PATTERN.match(clean):
            raise InputError(f"name: {name!r} is not a user name (1-64 letters, digits, "
                             "spaces or . _ @ -, starting with a letter or digit)")
        role = check_role(role)
        if self.store.fetchone("SELECT 1 FROM users WHERE name = ?", [clean]):
            raise InputError(f"name: there is already a user called {clean!r}",
                             hint="remove them first, or choose another name")
        token_id = secrets.token_hex(6)
        token = f"{TOKEN_PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
        with self.store.transaction() as tx:
            tx.execute("INSERT INTO users (name, role, token_id, token_hash, created_by) "
                       "VALUES (?, ?, ?, ?, ?)", [clean, role, token_id, hash_secret(token), by])
        self.record(by or "cli", "users.add", clean, {"role": role})
        log.info("added user %s (%s)", clean, role)
        return self.get(clean), token

    def get(self, name: str) -> User:
        """One user by name, or NotFoundError."""
        row = self.store.fetchone("SELECT name, role, token_id, created_at, created_by FROM users "
                                  "WHERE name = ?", [(name or "").strip()])
        if row is None:
            raise NotFoundError(f"name: no user called {name!r}")
        return User(*row)

    def list_users(self) -> list[User]:
        """Every user, by name."""
        rows = self.store.fetchall("SELECT name, role, token_id, created_at, created_by FROM users "
                                   "ORDER BY name")
        return [User(*r) for r in rows]

    def remove(self, name: str, *, by: str | None = None) -> User:
        """Remove a user (their token stops working at once); returns who was removed."""
        user = self.get(name)
        with self.store.transaction() as tx:
            tx.execute("DELETE FROM users WHERE name = ?", [user.name])
            tx.execute("DELETE FROM user_passwords WHERE name = ?", [user.name])
            tx.execute("DELETE FROM user_sessions WHERE name = ?", [user.name])
        with _verified_lock:
            for key, (token_id, _) in list(_verified.items()):
                if token_id == user.token_id:
                    del _verified[key]
        self.record(by or "cli", "users.remove", user.name, {"role": user.role})
        return user

    def authenticate(self, token: str | None) -> User:
        """The user whose token this is, or AuthenticationError."""
        if not token or not token.strip():
            raise AuthenticationError("an API token is needed")
        token = token.strip()
        token_id = _token_id(token)
        if token_id.startswith(SESSION_PREFIX):
            row = self.store.fetchone(
                "SELECT u.name, u.role, u.token_id, u.created_at, u.created_by, s.token_hash "
                "FROM user_sessions s JOIN users u ON u.name = s.name "
                "WHERE s.token_id = ? AND s.expires_at > now()::TIMESTAMP", [token_id])
            if row is None:
                raise AuthenticationError("the login has expired or was ended; sign in again")
        else:
            row = self.store.fetchone("SELECT name, role, token_id, created_at, created_by, "
                                      "token_hash FROM users WHERE token_id = ?", [token_id])
        if row is None:
            raise AuthenticationError("the API token matches no user (removed?)")
        key = hashlib.sha256(token.encode()).hexdigest()
        with _verified_lock:
            cached = _verified.get(key)
        if cached != (token_id, row[5]):
            if not verify_secret(token, row[5]):
                raise AuthenticationError("the API token matches no user")
            with _verified_lock:
                _verified[key] = (token_id, row[5])
        return User(*row[:5])

    # ---- desk logins ---------------------------------------------------------------------
    def set_password(self, name: str, password: str, *, by: str | None = None) -> User:
        """Give a user a desk password (at least 8 characters; replaces an earlier one and
        ends their logins)."""
        user = self.get(name)
        if len(password or "") < MIN_PASSWORD:
            raise InputError(f"password: at least {MIN_PASSWORD} characters")
        with self.store.transaction() as tx:
            tx.execute("DELETE FROM user_passwords WHERE name = ?", [user.name])
            tx.execute("INSERT INTO user_passwords (name, password_hash) VALUES (?, ?)",
                       [user.name, hash_secret(password)])
            tx.execute("DELETE FROM user_sessions WHERE name = ?", [user.name])
        self.record(by or "cli", "users.password", user.name)
        return user

    def login(self, name: str, password: str, *,
              hours: float = SESSION_HOURS) -> tuple[User, str]:
        """A session token for a user's name and password (AuthenticationError otherwise);
        it works as an API token for ``hours``."""
        row = self.store.fetchone("SELECT password_hash FROM user_passwords WHERE name = ?",
                                  [(name or "").strip()])
        # the same scrypt work whether or not the user exists (no timing hint of who does)
        stored = row[0] if row else hash_secret("not a password")
        if not verify_secret(password or "", stored) or row is None:
            raise AuthenticationError("wrong user name or password")
        user = self.get(name)
        token_id = SESSION_PREFIX + secrets.token_hex(8)
        token = f"{TOKEN_PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
        with self.store.transaction() as tx:
            tx.execute("DELETE FROM user_sessions WHERE expires_at <= now()::TIMESTAMP")
            tx.execute("INSERT INTO user_sessions (token_id, name, token_hash, expires_at) "
                       "VALUES (?, ?, ?, now()::TIMESTAMP + to_seconds(?))",
                       [token_id, user.name, hash_secret(token), float(hours) * 3600.0])
        self.record(user.name, "users.login", user.name)
        return user, token

    def logout(self, token: str) -> None:
        """End the login a session token belongs to."""
        token_id = _token_id(token.strip())
        if token_id.startswith(SESSION_PREFIX):
            self.store.execute("DELETE FROM user_sessions WHERE token_id = ?", [token_id])

    @staticmethod
    def allows(user: User, needed: str) -> bool:
        """Whether ``user``'s role allows what ``needed`` may do."""
        return role_allows(user.role, needed)

    @staticmethod
    def require(user: User, needed: str, action: str = "") -> None:
        """PermissionDeniedError unless ``user``'s role allows ``needed``."""
        if not role_allows(user.role, needed):
            what = f" to {action}" if action else ""
            raise PermissionDeniedError(f"role: {user.name} is {_a(user.role)}; "
                                        f"{_a(needed)} role or above is needed{what}")

    # ---- the log of writes -----------------------------------------------------------------
    def record(self, user: str, action: str, target: str | None = None,
               detail: dict[str, Any] | None = None) -> None:
        """Stamp a write with the user who made it."""
        self.store.execute("INSERT INTO user_actions (user_name, action, target, detail) "
                           "VALUES (?, ?, ?, ?)",
                           [user, action, target, json.dumps(detail, default=str) if detail else None])

    def actions(self, *, user: str | None = None, action: str | None = None,
                limit: int = 100) -> list[dict[str, Any]]:
        """The latest writes, newest first (optionally one user's or one action's)."""
        if limit < 1:
            raise InputError(f"limit: must be at least 1 (got {limit})")
        sql = "SELECT action_id, user_name, action, target, detail, created_at FROM user_actions"
        where: list[str] = []
        params: list[Any] = []
        if user:
            where.append("user_name = ?")
            params.append(user)
        if action:
            where.append("action = ?")
            params.append(action)
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY action_id DESC LIMIT ?"
        params.append(int(limit))
        cols = ["action_id", "user", "action", "target", "detail", "created_at"]
        out = []
        for row in self.store.fetchall(sql, params):
            item = dict(zip(cols, row, strict=True))
            item["detail"] = json.loads(item["detail"]) if item["detail"] else None
            out.append(item)
        return out
