"""API keys: who may call /api/*, and `formgen keys`."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from api import create_app
from formgen.cli.main import main
from formgen.service import auth
from formgen.service.server import access_check, is_loopback
from formgen.store.drafts import new_key

KEY = "fgk_test-key-for-the-case-system-0001"
OTHER_KEY = "fgk_test-key-for-the-web-portal-0002"
FORM = "manchester-allocations-pro-forma"


@pytest.fixture()
def keys_file(tmp_path: Path) -> Path:
    path = tmp_path / "keys"
    path.write_text(
        "# formgen API clients\n"
        f"case-system:{auth.hash_key(KEY)}\n\n"
        f"web-portal:{hashlib.sha256(OTHER_KEY.encode()).hexdigest()}\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture()
def keyed(keys_file: Path) -> FlaskClient:
    return create_app({"TESTING": True, "API_KEYS_FILE": str(keys_file)}).test_client()


@pytest.mark.parametrize(
    ("headers", "words"),
    [
        ({}, "Send an API key as 'Authorization: Bearer <key>'."),
        ({"Authorization": f"Basic {KEY}"}, "The Authorization header must be 'Bearer <key>'."),
        ({"Authorization": "Bearer "}, "The Authorization header must be 'Bearer <key>'."),
        ({"Authorization": "Bearer fgk_not-a-key-anyone-was-given"}, "The API key is not recognised."),
        ({"Authorization": f"Bearer {KEY}x"}, "The API key is not recognised."),
    ],
)
def test_missing_or_wrong_key_is_a_401_problem(keyed: FlaskClient, headers: dict[str, str], words: str) -> None:
    for response in (keyed.get("/api/forms", headers=headers),
                     keyed.post(f"/api/forms/{FORM}/render", json={}, headers=headers)):
        assert response.status_code == 401
        assert response.mimetype == "application/problem+json"
        assert response.json["status"] == 401
        assert words in response.json["detail"]
        assert response.headers["WWW-Authenticate"] == 'Bearer realm="formgen"'
        assert KEY not in response.get_data(as_text=True)


@pytest.mark.parametrize("key", [KEY, OTHER_KEY])
def test_each_clients_key_opens_the_api(keyed: FlaskClient, key: str) -> None:
    response = keyed.get("/api/forms", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200
    # A second call is served from the verified-key cache, with the same answer.
    assert keyed.get("/api/forms", headers={"Authorization": f"bearer {key}"}).status_code == 200


def test_healthz_stays_open_with_keys(keyed: FlaskClient) -> None:
    assert keyed.get("/healthz").status_code == 200


def test_keys_from_the_environment_variable_form(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "API_KEYS": f"a:{auth.hash_key(KEY)}, b:{auth.hash_key(OTHER_KEY)}"})
    ring = auth.keyring(app)
    assert [c.name for c in ring.clients] == ["a", "b"]
    assert ring.client_for(OTHER_KEY) == "b"
    assert ring.client_for("nothing") is None


def test_no_keys_means_open(client: FlaskClient) -> None:
    assert client.get("/api/forms").status_code == 200


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("no-colon-here", "expected 'name:hash'"),
        ("bad name:" + "0" * 64, "expected 'name:hash'"),
        ("a:sha256-of-nothing", "the hash is neither"),
        ("a:" + "0" * 64 + "\na:" + "1" * 64, "the client name 'a' appears twice"),
    ],
)
def test_unreadable_key_lines_stop_start_up_without_quoting_them(text: str, words: str) -> None:
    with pytest.raises(auth.KeyFileError, match=words) as caught:
        create_app({"TESTING": True, "API_KEYS": text})
    assert "sha256-of-nothing" not in str(caught.value)


def test_hash_is_salted_and_slow_and_verifies() -> None:
    first, second = auth.hash_key(KEY), auth.hash_key(KEY)
    assert first != second and first.startswith("scrypt$")
    assert auth.Client("x", first).matches(KEY)
    assert not auth.Client("x", first).matches(OTHER_KEY)


def test_keys_command_prints_a_key_once_and_stores_only_its_sha256(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["keys", "case-system"]) == 0
    out, err = capsys.readouterr()
    key = next(line.strip() for line in err.splitlines() if line.strip().startswith("fgk_"))
    name, hashed = out.strip().split(":", 1)
    # 256 random bits need no slow hash: the line is the key's SHA-256, checked in microseconds.
    assert hashed == hashlib.sha256(key.encode()).hexdigest()
    assert name == "case-system" and key not in out
    assert auth.KeyRing(auth.parse_lines([out], "test")).client_for(key) == "case-system"


def test_keys_command_stores_a_long_key_from_stdin_and_refuses_a_short_one(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(KEY + "-and-more-random-text\n"))
    assert main(["keys", "portal", "--stdin"]) == 0
    assert capsys.readouterr().out == f"portal:{hashlib.sha256((KEY + '-and-more-random-text').encode()).hexdigest()}\n"
    monkeypatch.setattr("sys.stdin", io.StringIO("short-key-16char\n"))
    assert main(["keys", "portal", "--stdin"]) == 64
    assert "at least 32 random characters" in capsys.readouterr().err


def _counting_scrypt(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = auth._scrypt

    def counted(key: str, salt: bytes) -> bytes:
        calls.append(key)
        return real(key, salt)

    monkeypatch.setattr(auth, "_scrypt", counted)
    return calls


def test_a_scrypt_line_is_checked_once_per_key_then_known_by_its_sha256(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [f"a:{auth.hash_key(KEY)}", f"b:{auth.hash_key(OTHER_KEY)}", f"c:{auth.hash_key(KEY + 'c')}"]
    ring = auth.KeyRing(auth.parse_lines(lines, "test"))
    calls = _counting_scrypt(monkeypatch)
    wrong = "fgk_a-wrong-key-somebody-is-trying-00001"
    assert ring.client_for(wrong) is None and len(calls) == 3
    # The same wrong key again costs nothing: it is remembered as wrong.
    assert ring.client_for(wrong) is None and len(calls) == 3
    assert ring.client_for(KEY) == "a" and len(calls) == 4
    # Learned: a's key is now known by its SHA-256, and a's line is never scrypted again.
    assert ring.client_for(KEY) == "a" and len(calls) == 4
    assert ring.client_for("fgk_another-wrong-key-0000000000002") is None and len(calls) == 6


def test_sha256_lines_never_cost_a_slow_hash(monkeypatch: pytest.MonkeyPatch) -> None:
    ring = auth.KeyRing(auth.parse_lines([f"a:{auth.digest_key(KEY)}", f"b:{auth.digest_key(OTHER_KEY)}"], "test"))
    calls = _counting_scrypt(monkeypatch)
    for number in range(50):
        assert ring.client_for(f"fgk_wrong-{number:040d}") is None
    assert ring.client_for(OTHER_KEY) == "b"
    assert calls == []


def test_repeated_wrong_keys_from_one_address_are_slowed_with_a_429(keys_file: Path) -> None:
    app = create_app({"TESTING": True, "API_KEYS_FILE": str(keys_file), "AUTH_FAILURES_PER_MINUTE": 3})
    guesser, other = app.test_client(), app.test_client()
    guesser.environ_base["REMOTE_ADDR"] = "192.0.2.66"
    other.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    for number in range(3):
        assert guesser.get("/api/forms", headers={"Authorization": f"Bearer fgk_guess-{number}"}).status_code == 401
    slowed = guesser.get("/api/forms", headers={"Authorization": "Bearer fgk_guess-4"})
    assert slowed.status_code == 429
    assert slowed.mimetype == "application/problem+json"
    assert slowed.json["type"] == "/problems/too-many-attempts"
    assert 1 <= int(slowed.headers["Retry-After"]) <= 60
    # A valid key still gets in from that address, and other addresses are not slowed.
    assert guesser.get("/api/forms", headers={"Authorization": f"Bearer {OTHER_KEY}"}).status_code == 200
    assert other.get("/api/forms", headers={"Authorization": "Bearer fgk_guess-5"}).status_code == 401


def test_an_unreadable_keys_file_is_one_line_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-keys"
    with pytest.raises(auth.KeyFileError) as caught:
        create_app({"TESTING": True, "API_KEYS_FILE": str(missing)})
    assert str(caught.value) == f"cannot read the API keys file {missing}: No such file or directory."


def test_keys_command_refuses_a_bad_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["keys", "two words"]) == 64
    assert "client name" in capsys.readouterr().err


@pytest.mark.parametrize(("host", "loopback"), [("127.0.0.1", True), ("::1", True), ("localhost", True),
                                                 ("0.0.0.0", False), ("192.0.2.10", False), ("example.org", False)])
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_server_refuses_other_addresses_without_keys(monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    monkeypatch.delenv("FORMGEN_API_KEYS", raising=False)
    monkeypatch.delenv("FORMGEN_API_KEYS_FILE", raising=False)
    monkeypatch.setenv("FORMGEN_AUDIT_DB", str(tmp_path / "audit.sqlite3"))
    refusal = access_check("0.0.0.0")
    assert refusal is not None and "refusing to serve on 0.0.0.0 without API keys" in refusal
    assert access_check("127.0.0.1") is None
    assert "open to anyone on this machine" in capsys.readouterr().err


@pytest.mark.parametrize("web", [{"FORMGEN_WEB_PAGES": "off"},
                                 {"FORMGEN_WEB_USER_HEADER": "X-Forwarded-User", "FORMGEN_TRUSTED_PROXIES": "10.0.0.5",
                                  "FORMGEN_DRAFT_KEYS": new_key()}])
def test_server_may_bind_anywhere_with_keys_and_pages_signed_in_or_off(
        monkeypatch: pytest.MonkeyPatch, keys_file: Path, tmp_path: Path, web: dict[str, str]) -> None:
    monkeypatch.setenv("FORMGEN_API_KEYS_FILE", str(keys_file))
    monkeypatch.setenv("FORMGEN_AUDIT_DB", str(tmp_path / "audit.sqlite3"))
    monkeypatch.setenv("FORMGEN_DOCUMENT_KEYS", "d" * 40)
    for name, value in web.items():
        monkeypatch.setenv(name, value)
    assert access_check("0.0.0.0") is None


def test_server_behind_sign_on_without_draft_keys_refuses_in_one_line(
        monkeypatch: pytest.MonkeyPatch, keys_file: Path, tmp_path: Path) -> None:
    monkeypatch.setenv("FORMGEN_API_KEYS_FILE", str(keys_file))
    monkeypatch.setenv("FORMGEN_AUDIT_DB", str(tmp_path / "audit.sqlite3"))
    monkeypatch.setenv("FORMGEN_DOCUMENT_KEYS", "d" * 40)
    monkeypatch.setenv("FORMGEN_WEB_USER_HEADER", "X-Forwarded-User")
    monkeypatch.setenv("FORMGEN_TRUSTED_PROXIES", "10.0.0.5")
    monkeypatch.delenv("FORMGEN_DRAFT_KEYS", raising=False)
    refusal = access_check("0.0.0.0")
    assert refusal is not None and "\n" not in refusal
    assert refusal.startswith("formgen: FORMGEN_DRAFT_KEYS must be set once people sign in")


def test_server_with_keys_but_open_pages_refuses_other_addresses_in_one_line(
        monkeypatch: pytest.MonkeyPatch, keys_file: Path, tmp_path: Path) -> None:
    monkeypatch.setenv("FORMGEN_API_KEYS_FILE", str(keys_file))
    monkeypatch.setenv("FORMGEN_AUDIT_DB", str(tmp_path / "audit.sqlite3"))
    refusal = access_check("0.0.0.0")
    assert refusal is not None and "\n" not in refusal
    assert refusal.startswith("formgen: refusing to serve on 0.0.0.0: the web pages would have no signed-in person.")
    assert "FORMGEN_WEB_USER_HEADER" in refusal and "FORMGEN_WEB_PAGES=off" in refusal
    assert access_check("127.0.0.1") is None


def test_serve_command_exits_2_when_refusing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("FORMGEN_API_KEYS", raising=False)
    monkeypatch.delenv("FORMGEN_API_KEYS_FILE", raising=False)
    monkeypatch.setenv("FORMGEN_AUDIT_DB", str(tmp_path / "audit.sqlite3"))
    assert main(["serve", "--host", "0.0.0.0", "--port", "1"]) == 2
    assert "refusing to serve" in capsys.readouterr().err


# ---------------------------------------------------------------- document signing keys at start-up

def _deployed(monkeypatch: pytest.MonkeyPatch, keys_file: Path, tmp_path: Path) -> None:
    """API keys and the pages off: everything a non-loopback start needs but the document keys."""
    monkeypatch.setenv("FORMGEN_API_KEYS_FILE", str(keys_file))
    monkeypatch.setenv("FORMGEN_AUDIT_DB", str(tmp_path / "audit.sqlite3"))
    monkeypatch.setenv("FORMGEN_WEB_PAGES", "off")
    monkeypatch.delenv("FORMGEN_DOCUMENT_KEYS", raising=False)


def test_server_beyond_loopback_refuses_without_document_keys_in_one_line(
        monkeypatch: pytest.MonkeyPatch, keys_file: Path, tmp_path: Path) -> None:
    _deployed(monkeypatch, keys_file, tmp_path)
    refusal = access_check("0.0.0.0")
    assert refusal is not None and "\n" not in refusal
    assert refusal.startswith("formgen: refusing to serve on 0.0.0.0 without document signing keys")
    assert "FORMGEN_DOCUMENT_KEYS" in refusal
    assert access_check("127.0.0.1") is None  # a laptop: a key per process will do


@pytest.mark.parametrize(("value", "says"), [
    ("too-short", "FORMGEN_DOCUMENT_KEYS: key 1 is shorter than 32 characters."),
    ("d" * 40 + ",short", "FORMGEN_DOCUMENT_KEYS: key 2 is shorter than 32 characters."),
    (" , ,", "FORMGEN_DOCUMENT_KEYS is set but holds no key"),
])
def test_malformed_document_keys_stop_the_start_in_one_line_on_any_address(
        monkeypatch: pytest.MonkeyPatch, keys_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        value: str, says: str) -> None:
    _deployed(monkeypatch, keys_file, tmp_path)
    monkeypatch.setenv("FORMGEN_DOCUMENT_KEYS", value)
    for host in ("127.0.0.1", "0.0.0.0"):
        refusal = access_check(host)
        assert refusal is not None and refusal.startswith(f"formgen: {says}") and "\n" not in refusal
    assert main(["serve", "--host", "127.0.0.1", "--port", "1"]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"formgen: {says}")


def test_create_app_refuses_malformed_document_keys_rather_than_failing_each_render(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from formgen.documents.signing import DocumentKeysError

    monkeypatch.setenv("FORMGEN_DOCUMENT_KEYS", "too-short")
    with pytest.raises(DocumentKeysError, match="shorter than 32 characters"):
        create_app({"TESTING": True})
