"""Ordered schema migrations, each recorded in the ``migrations`` table.

Add a new migration by appending to ``MIGRATIONS``; never edit a released one.
Tables and columns are named for people who query the DuckDB file directly.
"""

from __future__ import annotations

import logging

import duckdb

from verify.store import Store

log = logging.getLogger(__name__)

CORE = """
CREATE SEQUENCE IF NOT EXISTS source_id_seq START 1;
CREATE SEQUENCE IF NOT EXISTS document_id_seq START 1;
CREATE SEQUENCE IF NOT EXISTS passage_id_seq START 1;

-- One row per publisher, identified by its registrable domain (bbc.co.uk).
CREATE TABLE sources (
    source_id     INTEGER PRIMARY KEY DEFAULT nextval('source_id_seq'),
    domain        VARCHAR NOT NULL UNIQUE,
    name          VARCHAR,
    kind          VARCHAR,
    created_at    TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- Other domains of the same outlet (one outlet, several domains).
CREATE TABLE source_aliases (
    alias_domain  VARCHAR PRIMARY KEY,
    source_id     INTEGER NOT NULL,
    created_at    TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- One row per ingested document. origin_key identifies where it came from
-- (a file path, or path#row for JSONL/CSV rows) so re-ingesting is idempotent.
CREATE TABLE documents (
    document_id    INTEGER PRIMARY KEY DEFAULT nextval('document_id_seq'),
    origin_key     VARCHAR NOT NULL UNIQUE,
    source_id      INTEGER,
    file_path      VARCHAR,
    url            VARCHAR,
    title          VARCHAR,
    author         VARCHAR,
    published_date DATE,
    language       VARCHAR,
    content_hash   VARCHAR NOT NULL,
    text           VARCHAR NOT NULL,
    char_count     INTEGER NOT NULL,
    ingested_at    TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- Passages: a few sentences each, with character offsets into documents.text.
CREATE TABLE passages (
    passage_id     BIGINT PRIMARY KEY DEFAULT nextval('passage_id_seq'),
    document_id    INTEGER NOT NULL,
    passage_order  INTEGER NOT NULL,
    text           VARCHAR NOT NULL,
    char_start     INTEGER NOT NULL,
    char_end       INTEGER NOT NULL
);
CREATE INDEX passages_by_document ON passages(document_id);

-- Ingest runs and their per-file outcomes.
CREATE TABLE ingest_runs (
    run_id        VARCHAR PRIMARY KEY,
    started_at    TIMESTAMP NOT NULL DEFAULT current_timestamp,
    finished_at   TIMESTAMP,
    added         INTEGER, updated INTEGER, skipped INTEGER, failed INTEGER, passages INTEGER
);
CREATE TABLE ingest_errors (
    run_id        VARCHAR NOT NULL,
    file_path     VARCHAR NOT NULL,
    location      VARCHAR,
    reason        VARCHAR NOT NULL,
    created_at    TIMESTAMP NOT NULL DEFAULT current_timestamp
);
"""

RATINGS = """
CREATE SEQUENCE IF NOT EXISTS rating_set_id_seq START 1;
CREATE SEQUENCE IF NOT EXISTS rating_id_seq START 1;
CREATE SEQUENCE IF NOT EXISTS suggestion_id_seq START 1;

-- An imported public rating set (one row per import of one file version).
CREATE TABLE rating_sets (
    rating_set_id  INTEGER PRIMARY KEY DEFAULT nextval('rating_set_id_seq'),
    name           VARCHAR NOT NULL,
    format         VARCHAR NOT NULL,
    version        VARCHAR,
    licence        VARCHAR,
    attribution    VARCHAR,
    file_path      VARCHAR,
    file_hash      VARCHAR,
    weight         DOUBLE NOT NULL DEFAULT 1.0,
    imported_by    VARCHAR,
    imported_at    TIMESTAMP NOT NULL DEFAULT current_timestamp,
    rows_read      INTEGER,
    rows_imported  INTEGER,
    rows_rejected  INTEGER
);

-- Append-only rating history. Never UPDATEd or DELETEd: a correction is a new
-- row. valid_to is derived in the view rating_history.
CREATE TABLE ratings (
    rating_id      BIGINT PRIMARY KEY DEFAULT nextval('rating_id_seq'),
    domain         VARCHAR NOT NULL,
    rater          VARCHAR NOT NULL,
    rater_kind     VARCHAR NOT NULL,          -- 'person' | 'rating_set'
    rating_set_id  INTEGER,
    scale          VARCHAR NOT NULL,
    raw_value      VARCHAR NOT NULL,
    reliability    DOUBLE NOT NULL,           -- normalised to [0, 1]
    label          VARCHAR,
    rationale      VARCHAR,
    method         VARCHAR,
    valid_from     TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE VIEW rating_history AS
SELECT r.*,
       lead(valid_from) OVER (PARTITION BY domain, rater ORDER BY valid_from, rating_id) AS valid_to
FROM ratings r;

-- Suggestions from the evidence track record, and people's decisions on them.
CREATE TABLE rating_suggestions (
    suggestion_id  INTEGER PRIMARY KEY DEFAULT nextval('suggestion_id_seq'),
    domain         VARCHAR NOT NULL,
    current_value  DOUBLE,
    suggested_value DOUBLE NOT NULL,
    agreements     INTEGER NOT NULL,
    disagreements  INTEGER NOT NULL,
    evidence       JSON,
    created_at     TIMESTAMP NOT NULL DEFAULT current_timestamp
);
CREATE TABLE suggestion_decisions (
    suggestion_id  INTEGER NOT NULL,
    decision       VARCHAR NOT NULL,          -- 'accepted' | 'dismissed'
    decided_by     VARCHAR NOT NULL,
    note           VARCHAR,
    rating_id      BIGINT,
    decided_at     TIMESTAMP NOT NULL DEFAULT current_timestamp
);
"""

CHECKS = """
-- One row per verification of a claim, with everything needed to reproduce it.
CREATE TABLE checks (
    check_id        VARCHAR PRIMARY KEY,
    claim           VARCHAR NOT NULL,
    verdict         VARCHAR NOT NULL,   -- SUPPORTED | REFUTED | CONFLICTING | NOT ENOUGH EVIDENCE
    confidence      DOUBLE NOT NULL,
    reason          VARCHAR,
    support_score   DOUBLE,
    refute_score    DOUBLE,
    filters         JSON,
    settings        JSON,
    model_versions  JSON,
    result_json     JSON,
    created_at      TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- The evidence each check weighed, in rank order.
CREATE TABLE check_evidence (
    check_id        VARCHAR NOT NULL,
    evidence_rank   INTEGER NOT NULL,
    passage_id      BIGINT,
    document_id     INTEGER,
    domain          VARCHAR,
    stance          VARCHAR NOT NULL,   -- supports | refutes | unrelated
    p_supports      DOUBLE, p_refutes DOUBLE, p_unrelated DOUBLE,
    reliability     DOUBLE,
    relevance       DOUBLE,
    weight          DOUBLE,
    dense_score     DOUBLE, lexical_score DOUBLE, fused_score DOUBLE,
    duplicate_of    BIGINT,
    numeric_alignment JSON,
    passage_text    VARCHAR,
    PRIMARY KEY (check_id, evidence_rank)
);

-- Verdicts a person confirmed or overrode (append-only). Used by the sources
-- track record and by ClaimReview export.
CREATE TABLE verdicts (
    verdict_id      VARCHAR PRIMARY KEY,
    check_id        VARCHAR NOT NULL,
    verdict         VARCHAR NOT NULL,
    machine_verdict VARCHAR,
    reviewer        VARCHAR NOT NULL,
    note            VARCHAR,
    created_at      TIMESTAMP NOT NULL DEFAULT current_timestamp
);
"""

AUDITS = """
-- One audit run over one or more articles.
CREATE TABLE audits (
    audit_id        VARCHAR PRIMARY KEY,
    inputs          JSON,
    settings        JSON,
    status          VARCHAR NOT NULL,   -- running | done
    created_at      TIMESTAMP NOT NULL DEFAULT current_timestamp,
    finished_at     TIMESTAMP
);

-- Each article of an audit, with its status (done | failed | empty | no_claims).
CREATE TABLE audit_articles (
    audit_id        VARCHAR NOT NULL,
    article_key     VARCHAR NOT NULL,
    file_path       VARCHAR,
    title           VARCHAR,
    text            VARCHAR,
    status          VARCHAR NOT NULL,
    message         VARCHAR,
    finished_at     TIMESTAMP NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (audit_id, article_key)
);

-- Check-worthy claims found in an article, linked to the check that verified them.
CREATE TABLE audit_claims (
    audit_id        VARCHAR NOT NULL,
    article_key     VARCHAR NOT NULL,
    claim_index     INTEGER NOT NULL,
    sentence        VARCHAR NOT NULL,
    sentence_start  INTEGER NOT NULL,
    sentence_end    INTEGER NOT NULL,
    claim_text      VARCHAR NOT NULL,
    checkworthiness DOUBLE NOT NULL,
    check_id        VARCHAR,
    PRIMARY KEY (audit_id, article_key, claim_index)
);
"""

SOURCES_META = """
-- Rows of an imported rating file that were rejected (malformed) or skipped
-- (a page rather than a domain, a duplicate, no rating), with their line number.
CREATE TABLE rating_import_issues (
    rating_set_id  INTEGER NOT NULL,
    location       VARCHAR NOT NULL,          -- 'line 12' or 'record 12'
    line           INTEGER,
    field          VARCHAR,
    kind           VARCHAR NOT NULL,          -- 'rejected' | 'skipped'
    reason         VARCHAR NOT NULL
);

-- Outlet names for rated domains, as given by a rating set or a person.
CREATE TABLE source_names (
    domain         VARCHAR NOT NULL,
    name           VARCHAR NOT NULL,
    origin         VARCHAR,
    rating_set_id  INTEGER,
    created_at     TIMESTAMP NOT NULL DEFAULT current_timestamp
);
"""

SOURCES_HISTORY = """
-- Rating history as the source book reads it: a person's rating is superseded by the
-- next in-house rating of the domain (whoever makes it), an imported set's rating by the
-- next rating from the same set. previous_reliability is the value it replaced.
CREATE VIEW source_rating_history AS
SELECT r.*,
       CASE WHEN r.rater_kind = 'person' THEN 'in-house' ELSE r.rater END AS slot,
       lead(r.valid_from) OVER w AS valid_to,
       lag(r.reliability) OVER w AS previous_reliability
FROM ratings r
WINDOW w AS (PARTITION BY r.domain, CASE WHEN r.rater_kind = 'person' THEN 'in-house' ELSE r.rater END
             ORDER BY r.valid_from, r.rating_id);
"""

AUDIT_DETAILS = """
-- Audit reports are rebuilt from these JSON columns when an audit is resumed:
-- per article its metadata and input position, per claim its verdict and best evidence.
ALTER TABLE audit_articles ADD COLUMN details JSON;
ALTER TABLE audit_claims ADD COLUMN details JSON;
"""

VERDICT_HEADS = """
-- Verdict heads a desk learned from its reviewed checks (verify learn). At most one is
-- active; the others stay on record with their cross-validated scores.
CREATE TABLE verdict_heads (
    head_id          VARCHAR PRIMARY KEY,
    created_at       TIMESTAMP NOT NULL DEFAULT current_timestamp,
    stance_version   VARCHAR NOT NULL,
    embedder_id      VARCHAR NOT NULL,
    verdict_settings VARCHAR NOT NULL,   -- hash of the verdict settings of its checks
    n_reviews        INTEGER NOT NULL,
    label_counts     JSON,
    cv_head_f1       DOUBLE,
    cv_rule_f1       DOUBLE,
    active           BOOLEAN NOT NULL DEFAULT false,
    head_json        JSON NOT NULL
);
"""

EVIDENCE_REASONS = """
-- Why each weighed passage took its stance (issue 18): the reason it refutes (figure,
-- negation, antonym, model; '' when it does not), the note in words, and whether it was set
-- aside as a dissent of far less reliable sources.
ALTER TABLE check_evidence ADD COLUMN refute_reason VARCHAR;
ALTER TABLE check_evidence ADD COLUMN stance_note VARCHAR;
ALTER TABLE check_evidence ADD COLUMN dissent BOOLEAN;
"""

INGEST_RUNS_AND_IDENTITY = """
-- Issue 20. An ingest run is recorded when it starts ('running'), then finished as 'done'
-- or 'failed'; a run found 'running' by a later writer died ('killed'), one stopped by an
-- exception or Ctrl-C is 'interrupted'. phase says how far it got (storing | indexing).
ALTER TABLE ingest_runs ADD COLUMN status VARCHAR;
ALTER TABLE ingest_runs ADD COLUMN phase VARCHAR;
ALTER TABLE ingest_runs ADD COLUMN pid INTEGER;
ALTER TABLE ingest_runs ADD COLUMN removed INTEGER;
ALTER TABLE ingest_runs ADD COLUMN index_in_sync BOOLEAN;
UPDATE ingest_runs SET status = 'done' WHERE finished_at IS NOT NULL;
UPDATE ingest_runs SET status = 'unknown' WHERE finished_at IS NULL;

-- A document's identity: 'url:<url>' where it has one, else 'sha256:<hash of its text>'.
-- A moved or copied file is the same document; every place it was read from (a file path,
-- or path#row for JSONL/CSV rows) is a row of document_origins.
ALTER TABLE documents ADD COLUMN identity VARCHAR;
UPDATE documents SET identity = CASE WHEN url IS NOT NULL AND trim(url) <> ''
    THEN 'url:' || trim(url) ELSE 'sha256:' || sha256(text) END;
-- (its index is migration 0011: DuckDB cannot create an index in the transaction that
-- updated the rows, so an existing workspace with documents could not be migrated)
CREATE TABLE document_origins (
    origin_key     VARCHAR PRIMARY KEY,
    document_id    INTEGER NOT NULL,
    file_path      VARCHAR,
    seen_at        TIMESTAMP NOT NULL DEFAULT current_timestamp
);
INSERT INTO document_origins (origin_key, document_id, file_path, seen_at)
    SELECT origin_key, document_id, file_path, ingested_at FROM documents;
"""

FACT_CHECK_ARCHIVE = """
-- Issue 22. Earlier fact-checks, this desk's or other fact-checkers', to match incoming
-- claims against. identity makes an import idempotent: 'url:<review url>#<claim hash>' where
-- the fact-check has a URL, else 'claim:<hash of organisation + claim + rating>'.
-- verdict is the rating read as a verify verdict (NULL when it has none: 'Misleading').
CREATE SEQUENCE IF NOT EXISTS fact_check_id_seq START 1;
CREATE TABLE fact_checks (
    fact_check_id  BIGINT PRIMARY KEY DEFAULT nextval('fact_check_id_seq'),
    identity       VARCHAR NOT NULL UNIQUE,
    claim          VARCHAR NOT NULL,
    rating         VARCHAR,
    verdict        VARCHAR,
    organisation   VARCHAR,
    review_date    DATE,
    url            VARCHAR,
    claimant       VARCHAR,
    language       VARCHAR,
    title          VARCHAR,
    text           VARCHAR,
    origin         VARCHAR,
    imported_at    TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- One row per archive import, with what it added and what it could not read.
CREATE TABLE fact_check_imports (
    import_id      VARCHAR PRIMARY KEY,
    source         VARCHAR NOT NULL,
    format         VARCHAR,
    read_count     INTEGER,
    added          INTEGER,
    already_there  INTEGER,
    problems       JSON,
    imported_at    TIMESTAMP NOT NULL DEFAULT current_timestamp
);
"""

USERS_AND_ACTIONS = """
-- People who may use a workspace through `verify serve`: one API token each, stored as an
-- scrypt hash (token_hash: 'scrypt$n$r$p$salt_hex$hash_hex'); token_id is the token's
-- public prefix, to find the row without trying every hash.
CREATE SEQUENCE IF NOT EXISTS user_id_seq START 1;
CREATE TABLE users (
    user_id     INTEGER PRIMARY KEY DEFAULT nextval('user_id_seq'),
    name        VARCHAR NOT NULL UNIQUE,
    role        VARCHAR NOT NULL,
    token_id    VARCHAR NOT NULL UNIQUE,
    token_hash  VARCHAR NOT NULL,
    created_by  VARCHAR,
    created_at  TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- Every write made through the server, stamped with the user who made it.
CREATE SEQUENCE IF NOT EXISTS user_action_id_seq START 1;
CREATE TABLE user_actions (
    action_id   BIGINT PRIMARY KEY DEFAULT nextval('user_action_id_seq'),
    user_name   VARCHAR NOT NULL,
    action      VARCHAR NOT NULL,
    target      VARCHAR,
    detail      JSON,
    created_at  TIMESTAMP NOT NULL DEFAULT current_timestamp
);
"""

DOCUMENTS_IDENTITY_INDEX = """
-- The index on documents.identity, in a transaction of its own (see 0008).
CREATE INDEX IF NOT EXISTS documents_by_identity ON documents(identity);
"""

DESK_LOGINS = """
-- Desk logins: a password per user (scrypt hash, as tokens are) and the session tokens a
-- login hands out (token_id 's...' never clashes with an API token's hex id).
CREATE TABLE user_passwords (
    name           VARCHAR PRIMARY KEY,
    password_hash  VARCHAR NOT NULL,
    updated_at     TIMESTAMP NOT NULL DEFAULT current_timestamp
);
CREATE TABLE user_sessions (
    token_id    VARCHAR PRIMARY KEY,
    name        VARCHAR NOT NULL,
    token_hash  VARCHAR NOT NULL,
    created_at  TIMESTAMP NOT NULL DEFAULT current_timestamp,
    expires_at  TIMESTAMP NOT NULL
);
"""

MIGRATIONS: list[tuple[str, str]] = [
    ("0001_core", CORE),
    ("0002_ratings", RATINGS),
    ("0003_checks", CHECKS),
    ("0004_audits", AUDITS),
    ("0005_sources_meta", SOURCES_META),
    ("0005_sources_history_view", SOURCES_HISTORY),
    ("0005_audit_details", AUDIT_DETAILS),
    ("0006_verdict_heads", VERDICT_HEADS),
    ("0007_evidence_reasons", EVIDENCE_REASONS),
    ("0008_ingest_runs_and_identity", INGEST_RUNS_AND_IDENTITY),
    ("0009_fact_check_archive", FACT_CHECK_ARCHIVE),
    ("0010_users_and_actions", USERS_AND_ACTIONS),
    ("0011_documents_identity_index", DOCUMENTS_IDENTITY_INDEX),
    ("0012_desk_logins", DESK_LOGINS),
]


def applied(db: Store | duckdb.DuckDBPyConnection) -> list[str]:
    """Names of the migrations already applied, in order."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS migrations ("
        " name VARCHAR PRIMARY KEY, applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
    )
    return [row[0] for row in db.execute("SELECT name FROM migrations ORDER BY name").fetchall()]


def migrate(db: Store | duckdb.DuckDBPyConnection) -> list[str]:
    """Apply every pending migration in order, each in its own transaction; return the names
    applied now. ``Store.open`` runs this; a bare DuckDB connection is accepted too.

    Example:
        >>> import duckdb
        >>> "0001_core" in migrate(duckdb.connect(":memory:"))
        True
    """
    store = db if isinstance(db, Store) else Store(db)
    done = set(applied(store))
    newly: list[str] = []
    for name, sql in MIGRATIONS:
        if name in done:
            continue
        with store.transaction():
            store.execute(sql)
            store.execute("INSERT INTO migrations (name) VALUES (?)", [name])
        log.info("applied migration %s", name)
        newly.append(name)
    return newly
