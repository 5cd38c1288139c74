"""`verify serve`: the HTTP API, its users and roles, path restriction and jobs (fake models)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from verify import Workspace
from verify.config import Settings
from verify.server import create_app

DOCS = {
    "reuters.com": ("IS-K killed 338 civilians in Pakistan since 2017, according to a "
                    "count by researchers at CSIS published in March."),
    "bbc.co.uk": ("The city council approved a new budget of 12 million pounds for road "
                  "repairs on Tuesday after a long debate."),
}
ROLES = ("reader", "checker", "editor", "admin")


def _corpus(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rows = [{"text": text, "url": f"https://www.{domain}/story", "title": f"story {domain}",
             "date": "2024-03-01"} for domain, text in DOCS.items()]
    path = folder / "news.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def served(tmp_path: Path, fake_settings: Settings) -> Iterator[tuple[TestClient, dict[str, str], Workspace]]:
    """A client over a small disk workspace, a token per role, the workspace."""
    ws = Workspace.open(tmp_path / "ws", settings=fake_settings)
    ws.ingest([_corpus(tmp_path / "corpus")], progress=False)
    tokens = {role: ws.users.add(f"{role}-person", role)[1] for role in ROLES}
    roots = [tmp_path / "inbox"]
    (tmp_path / "inbox").mkdir()
    app = create_app(ws, desk_roots=roots, write_wait_s=30)
    with TestClient(app) as client:
        yield client, tokens, ws
    ws.close()


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def wait_job(client: TestClient, token: str, job_id: str, timeout_s: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    seen: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        job = client.get(f"/jobs/{job_id}", headers=auth(token)).json()
        seen.append(job)
        if job["status"] in ("done", "failed"):
            job["_seen"] = seen
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not end: {seen[-1]}")


# ---- authentication --------------------------------------------------------------------------
def test_health_needs_no_token_but_everything_else_does(served) -> None:
    client, _, _ = served
    assert client.get("/health").json()["ok"] is True
    for method, path in [("get", "/checks"), ("post", "/search"), ("get", "/sources"),
                         ("get", "/documents"), ("get", "/me")]:
        answer = getattr(client, method)(path, **({"json": {"claim": "x"}} if method == "post" else {}))
        assert answer.status_code == 401, path
        assert answer.headers["www-authenticate"] == "Bearer"
        assert "token" in answer.json()["error"]


def test_a_wrong_or_removed_token_is_refused(served) -> None:
    client, tokens, ws = served
    assert client.get("/me", headers=auth("vfy_nothing_here")).status_code == 401
    forged = tokens["admin"][:-3] + "abc"
    assert client.get("/me", headers=auth(forged)).status_code == 401
    assert client.get("/me", headers=auth(tokens["reader"])).json()["name"] == "reader-person"
    assert client.delete("/users/reader-person", headers=auth(tokens["admin"])).status_code == 200
    answer = client.get("/me", headers=auth(tokens["reader"]))
    assert answer.status_code == 401


def test_tokens_are_stored_hashed(served) -> None:
    _, tokens, ws = served
    stored = ws.store.fetchall("SELECT token_hash FROM users")
    assert all(h.startswith("scrypt$") for (h,) in stored)
    assert not any(t in h for t in tokens.values() for (h,) in stored)


# ---- roles -----------------------------------------------------------------------------------
def test_reader_reads_but_may_not_check_review_rate_or_ingest(served) -> None:
    client, tokens, _ = served
    h = auth(tokens["reader"])
    hits = client.post("/search", json={"claim": "IS-K killed 338 civilians", "k": 3}, headers=h)
    assert hits.status_code == 200 and "reuters.com" in hits.json()[0]["passage"]["domain"]
    assert client.get("/documents", headers=h).status_code == 200
    listed = client.get("/sources", params={"query": "reuters"}, headers=h).json()
    assert "reuters.com" in [s["domain"] for s in listed]
    assert client.post("/match", json={"claim": "IS-K killed civilians"}, headers=h).status_code == 200
    refused = client.post("/check", json={"claim": "IS-K killed 338 civilians"}, headers=h)
    assert refused.status_code == 403
    assert refused.json()["field"] == "role" and "checker" in refused.json()["error"]
    assert client.post("/sources/example.org/ratings", headers=h,
                       json={"value": 0.9, "rationale": "x"}).status_code == 403
    assert client.post("/ingest/urls", json={"urls": ["https://example.org/a"]},
                       headers=h).status_code == 403
    assert client.get("/users", headers=h).status_code == 403


def test_checker_checks_and_reviews_stamped_with_their_name(served) -> None:
    client, tokens, ws = served
    h = auth(tokens["checker"])
    result = client.post("/check", json={"claim": "IS-K killed 338 civilians in Pakistan"}, headers=h)
    assert result.status_code == 200, result.text
    body = result.json()
    assert body["verdict"] == "SUPPORTED" and body["saved"] is True
    review = client.post(f"/checks/{body['check_id']}/reviews", headers=h,
                         json={"verdict": "refuted", "note": "CSIS says otherwise"})
    assert review.status_code == 201 and review.json()["reviewer"] == "checker-person"
    shown = client.get(f"/checks/{body['check_id']}", headers=auth(tokens["reader"])).json()
    assert shown["reviews"][0]["verdict"] == "REFUTED"
    assert shown["reviews"][0]["reviewer"] == "checker-person"
    row = client.get("/checks", headers=h).json()[0]
    assert (row["check_id"], row["reviewed_verdict"], row["reviewer"]) == \
        (body["check_id"], "REFUTED", "checker-person")
    log = ws.users.actions(user="checker-person")
    assert [a["action"] for a in log] == ["review", "check"]
    # a checker may not rate sources
    assert client.post("/sources/example.org/ratings", headers=h,
                       json={"value": 0.9, "rationale": "x"}).status_code == 403


def test_check_without_saving_leaves_history_alone(served) -> None:
    client, tokens, ws = served
    answer = client.post("/check", headers=auth(tokens["checker"]),
                         json={"claim": "IS-K killed 338 civilians", "save": False})
    assert answer.status_code == 200 and answer.json()["saved"] is False
    assert ws.list_checks() == []


def test_editor_rates_a_source_with_their_name_and_history_shows_it(served) -> None:
    client, tokens, ws = served
    h = auth(tokens["editor"])
    rated = client.post("/sources/example.org/ratings", headers=h,
                        json={"value": 4, "scale": "1-5", "rationale": "named authors"})
    assert rated.status_code == 201, rated.text
    assert rated.json()["rater"] == "editor-person"
    history = client.get("/sources/example.org/history", headers=auth(tokens["reader"])).json()
    assert [e["rater"] for e in history] == ["editor-person"]
    shown = client.get("/sources/example.org", headers=auth(tokens["reader"])).json()
    assert shown["domain"] == "example.org" and shown["reliability"]["value"] == pytest.approx(0.75)
    exported = client.get("/sources/export", params={"format": "csv"}, headers=h)
    assert exported.status_code == 200 and "editor-person" in exported.text
    assert ws.users.actions(action="sources.rate")[0]["user"] == "editor-person"


def test_bad_input_names_the_field(served) -> None:
    client, tokens, _ = served
    h = auth(tokens["editor"])
    answer = client.post("/sources/example.org/ratings", headers=h,
                         json={"value": 9, "scale": "1-5", "rationale": "x"})
    assert answer.status_code == 400 and answer.json()["field"] == "value"
    answer = client.post("/checks/chk_nope/reviews", headers=auth(tokens["checker"]),
                         json={"verdict": "REFUTED"})
    assert answer.status_code == 404 and "chk_nope" in answer.json()["error"]
    assert client.post("/search", json={"claim": ""}, headers=h).status_code == 422


def test_admin_manages_users_and_others_may_not(served) -> None:
    client, tokens, ws = served
    added = client.post("/users", json={"name": "bot", "role": "checker"}, headers=auth(tokens["admin"]))
    assert added.status_code == 201 and added.json()["token"].startswith("vfy_")
    assert client.get("/me", headers=auth(added.json()["token"])).json()["role"] == "checker"
    assert client.post("/users", json={"name": "x", "role": "admin"},
                       headers=auth(tokens["editor"])).status_code == 403
    dup = client.post("/users", json={"name": "bot", "role": "reader"}, headers=auth(tokens["admin"]))
    assert dup.status_code == 400 and dup.json()["field"] == "name"
    bad = client.post("/users", json={"name": "y", "role": "boss"}, headers=auth(tokens["admin"]))
    assert bad.status_code == 400 and bad.json()["field"] == "role"
    names = [u["name"] for u in client.get("/users", headers=auth(tokens["admin"])).json()]
    assert "bot" in names and "token" not in json.dumps(client.get("/users", headers=auth(tokens["admin"])).json()).replace("token_id", "")


# ---- ingest, documents, jobs -------------------------------------------------------------------
def test_upload_ingest_is_a_job_with_progress_then_searchable_and_removable(served) -> None:
    client, tokens, ws = served
    h = auth(tokens["editor"])
    text = b"The harbour authority counted 4,512 ships entering the port of Rotterdam in May."
    job = client.post("/ingest/uploads", headers=h,
                      files=[("files", ("harbour.txt", text, "text/plain"))])
    assert job.status_code == 202 and job.json()["status"] in ("queued", "running", "done")
    ended = wait_job(client, tokens["reader"], job.json()["job_id"])
    assert ended["status"] == "done", ended
    assert ended["result"]["added"] == 1 and ended["fraction"] == 1.0
    assert ended["user"] == "editor-person"
    hits = client.post("/search", json={"claim": "ships entering Rotterdam harbour", "k": 1},
                       headers=h).json()
    assert "Rotterdam" in hits[0]["passage"]["text"]
    docs = client.get("/documents", params={"query": "harbour"}, headers=h).json()
    assert len(docs) == 1 and docs[0]["passages"] >= 1
    removed = client.delete(f"/documents/{docs[0]['document_id']}", headers=h)
    assert removed.status_code == 200 and removed.json()["passages_removed"] >= 1
    assert client.get("/documents", params={"query": "harbour"}, headers=h).json() == []
    actions = [a["action"] for a in ws.users.actions(user="editor-person")]
    assert actions == ["documents.remove", "ingest.uploads"]
    assert client.get("/jobs/job_missing", headers=h).status_code == 404


def test_server_paths_only_for_admins_and_only_under_the_roots(served, tmp_path: Path) -> None:
    client, tokens, _ = served
    inbox = tmp_path / "inbox"
    (inbox / "note.txt").write_text("The festival sold 80,000 tickets in its first week.",
                                    encoding="utf-8")
    outside = tmp_path / "secret"
    outside.mkdir()
    (outside / "s.txt").write_text("private", encoding="utf-8")
    editor = client.post("/ingest/paths", json={"paths": [str(inbox)]}, headers=auth(tokens["editor"]))
    assert editor.status_code == 403
    h = auth(tokens["admin"])
    for path in (str(outside), str(inbox / ".." / "secret"), "/etc"):
        refused = client.post("/ingest/paths", json={"paths": [path]}, headers=h)
        assert refused.status_code == 400, path
        assert "not read" in refused.json()["error"] or "outside" in refused.json()["error"]
    (inbox / "link").symlink_to(outside)
    assert client.post("/ingest/paths", json={"paths": [str(inbox / "link")]},
                       headers=h).status_code == 400
    (inbox / "link").unlink()
    job = client.post("/ingest/paths", json={"paths": ["note.txt"]}, headers=h)
    assert job.status_code == 202, job.text
    assert wait_job(client, tokens["admin"], job.json()["job_id"])["result"]["added"] == 1


def test_no_desk_roots_means_no_server_paths(tmp_path: Path, fake_settings: Settings,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VERIFY_DESK_ROOTS", raising=False)
    ws = Workspace.open(tmp_path / "ws", settings=fake_settings)
    _, token = ws.users.add("root", "admin")
    with TestClient(create_app(ws)) as client:
        answer = client.post("/ingest/paths", json={"paths": [str(tmp_path)]}, headers=auth(token))
    ws.close()
    assert answer.status_code == 400 and "off" in answer.json()["error"]


def test_audit_job_reports_progress_and_its_result(served) -> None:
    client, tokens, ws = served
    text = ("IS-K killed 338 civilians in Pakistan since 2017, researchers said. "
            "The city council approved a budget of 12 million pounds for road repairs.")
    assert client.post("/audits", json={"texts": [text]},
                       headers=auth(tokens["reader"])).status_code == 403
    job = client.post("/audits", json={"texts": [text]}, headers=auth(tokens["checker"]))
    assert job.status_code == 202
    ended = wait_job(client, tokens["reader"], job.json()["job_id"], timeout_s=120)
    assert ended["status"] == "done", ended
    audit_id = ended["result"]["audit_id"]
    assert ended["result"]["summary"]["articles"] == 1
    shown = client.get(f"/audits/{audit_id}", headers=auth(tokens["reader"])).json()
    assert shown["audit_id"] == audit_id and shown["summary"]["articles"] == 1
    assert ws.users.actions(action="audit")[0]["user"] == "checker-person"


def test_openapi_lists_the_areas(served) -> None:
    client, _, _ = served
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/check", "/search", "/match", "/sources", "/sources/{domain}/ratings",
                 "/documents", "/ingest/uploads", "/ingest/urls", "/audits", "/jobs/{job_id}",
                 "/users"):
        assert path in paths, path
    assert client.get("/docs").status_code == 200


# ---- CLI -------------------------------------------------------------------------------------
def test_users_cli_prints_the_token_once_and_lists_without_it(tmp_path: Path) -> None:
    from verify.cli import cli

    runner = CliRunner()
    target = str(tmp_path / "cli-ws")
    added = runner.invoke(cli, ["-w", target, "users", "add", "ana", "--role", "editor"])
    assert added.exit_code == 0, added.output
    token = added.output.strip().splitlines()[-1]
    assert token.startswith("vfy_")
    listed = runner.invoke(cli, ["-w", target, "users", "list"])
    assert "ana" in listed.output and "editor" in listed.output and token not in listed.output
    with Workspace.open(target) as ws:
        assert ws.users.authenticate(token).name == "ana"
    bad = runner.invoke(cli, ["-w", target, "users", "add", "bo", "--role", "boss"])
    assert bad.exit_code != 0
    removed = runner.invoke(cli, ["-w", target, "users", "remove", "ana"])
    assert removed.exit_code == 0 and "removed ana" in removed.output


def test_failed_sign_ins_are_throttled_with_429(served) -> None:
    """Past the limit of failed sign-ins for a name, the server answers 429 with
    Retry-After, even to the right password, and says why; other names still sign in."""
    from verify.server.throttle import LoginThrottle

    client, _, ws = served
    client.app.state.verify.logins = LoginThrottle(name_limit=3, address_limit=100)
    ws.users.set_password("checker-person", "a long enough password")
    ws.users.set_password("reader-person", "another long password")
    for _ in range(3):
        wrong = client.post("/login", json={"name": "checker-person", "password": "nope"})
        assert wrong.status_code == 401
    refused = client.post("/login", json={"name": "checker-person",
                                          "password": "a long enough password"})
    assert refused.status_code == 429
    assert "too many failed sign-ins for 'checker-person'" in refused.json()["error"]
    assert int(refused.headers["Retry-After"]) > 0
    other = client.post("/login", json={"name": "reader-person",
                                        "password": "another long password"})
    assert other.status_code == 200 and other.json()["token"]


FACT_CHECKS_CSV = ("claim,rating,organisation,date,url\n"
                   '"5G towers spread the coronavirus",False,Checker One,2020-03-25,'
                   "https://one.example/5g\n"
                   '"Drinking hot water cures the flu",Mostly false,Checker Two,2020-02-01,\n')


def test_archive_import_for_editors_then_read_and_matched_by_everyone(served) -> None:
    client, tokens, ws = served
    upload = {"file": ("desk.csv", FACT_CHECKS_CSV.encode(), "text/csv")}
    refused = client.post("/archive/import", files=upload, headers=auth(tokens["checker"]))
    assert refused.status_code == 403
    assert "editor" in refused.json()["error"] and "import fact-checks" in refused.json()["error"]
    for added, there in ((2, 0), (0, 2)):        # a second import adds nothing
        started = client.post("/archive/import", files=upload, data={"organisation": "Desk"},
                              headers=auth(tokens["editor"]))
        assert started.status_code == 202
        job = wait_job(client, tokens["editor"], started.json()["job_id"])
        assert job["status"] == "done", job
        assert (job["result"]["added"], job["result"]["already_there"]) == (added, there)
    h = auth(tokens["reader"])
    assert client.get("/archive", headers=h).json()["fact_checks"] == 2
    listed = client.get("/archive/fact-checks", params={"query": "hot water"}, headers=h).json()
    assert [f["claim"] for f in listed] == ["Drinking hot water cures the flu"]
    assert listed[0]["verdict"] == "REFUTED"
    matched = client.post("/match", json={"claim": "#5GTowers spread the #coronavirus!!"},
                          headers=h).json()
    assert matched[0]["fact_check"]["url"] == "https://one.example/5g"
    assert ws.users.actions(action="archive.import")[0]["user"] == "editor-person"
