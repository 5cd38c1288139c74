"""Match a claim against the archive: candidates from dense + BM25, scored per claim.

1. The claim is normalised for matching (:func:`verify.archive.normalise.for_matching`).
2. Candidates: the nearest fact-checks by the workspace embedder (cosine to a fact-check's
   claim or to its title) and the best by BM25 over claim + title, ``CANDIDATES`` of each.
3. Each candidate gets features (:data:`FEATURES`): cosines, BM25 (raw and relative to the
   query's best), both ranks, shared figures and shared names.
4. A re-ranker (a logistic model over those features) turns them into a score in [0, 1]:
   how likely the fact-check reviewed the same claim. Without a learned one the default
   weights below are used (set by hand, checked on CLEF 2020 train); a workspace may hold
   a learned one in ``archive_reranker.json`` (:meth:`Reranker.save`).
5. Fact-checks of the same claim (:func:`same_claim_key`: equal but for case, punctuation
   and quote style) get the same score, the best of theirs (:func:`pool_same_claims`), and
   the earliest recorded comes first: the embedder must not rank two copies of one claim
   apart on a quote mark.

``MATCH_THRESHOLD`` (0.5) is the score above which ``verify check`` shows a match above the
evidence.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from verify.archive.models import FactCheck, Match
from verify.archive.normalise import for_matching
from verify.errors import ArchiveError

if TYPE_CHECKING:
    from verify.archive.index import ArchiveIndex
    from verify.embedders import Embedder
    from verify.store import Store

CANDIDATES = 50
MATCH_THRESHOLD = 0.5
RERANKER_FILE = "archive_reranker.json"

FEATURES = ("cos_max", "cos_claim", "cos_title", "cos_gap", "bm25_rel", "bm25_log",
            "dense_rrank", "bm25_rrank", "figures_shared", "figures_missing", "names_shared",
            "words_shared", "idf_fact_check_covered", "idf_claim_covered")

_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*(?![A-Za-z])")
_NAME = re.compile(r"\b[A-Z][\w'\-]{2,}")
_WORD = re.compile(r"[a-z0-9]{3,}")
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_COMMON = frozenset("""the this that these those there then they them what when where which while
who why how and but for not you your our are was were has have had will would can could
should its it's his her she him also just about after before said says saying new one two
january february march april may june july august september october november december
monday tuesday wednesday thursday friday saturday sunday breaking video photo watch wow""".split())


def figures(text: str) -> set[str]:
    """The figures of ``text``, written without thousands separators ("1,700" -> "1700")."""
    return {re.sub(r"(?<=\d),(?=\d{3})", "", n).rstrip(".,") for n in _NUMBER.findall(text)}


def names(text: str) -> set[str]:
    """Capitalised words (people, places, organisations), lowercased."""
    return {w.lower() for w in _NAME.findall(text) if w.lower() not in _COMMON}


def words(text: str) -> set[str]:
    """Content words of three letters or more."""
    return {w for w in _WORD.findall(text.lower()) if w not in _COMMON}


def same_claim_key(claim: str) -> str:
    """What copies of one claim share: its words for matching, lowercased, without
    punctuation or quote style.

    Example:
        >>> same_claim_key('Stone was an "aide" to Nixon.') == same_claim_key("Stone was an 'aide' to Nixon")
        True
    """
    return _NOT_WORD.sub(" ", for_matching(claim).lower()).strip()


def pool_same_claims(scores: np.ndarray, keys: Sequence[str]) -> np.ndarray:
    """``scores`` with each raised to the best score among the candidates of the same
    claim (``keys``: :func:`same_claim_key` of each candidate's claim)."""
    scores = np.asarray(scores, np.float64)
    best: dict[str, float] = {}
    for key, score in zip(keys, scores, strict=True):
        best[key] = max(best.get(key, -math.inf), float(score))
    return np.asarray([best[key] for key in keys], np.float64)


@dataclass
class Reranker:
    """A logistic model over :data:`FEATURES`: ``score = sigmoid(w . (x - mean) / scale + b)``."""

    weights: list[float]
    intercept: float
    mean: list[float] = field(default_factory=lambda: [0.0] * len(FEATURES))
    scale: list[float] = field(default_factory=lambda: [1.0] * len(FEATURES))
    features: tuple[str, ...] = FEATURES
    trained_on: str = "default weights, set by hand"

    def score(self, x: np.ndarray) -> np.ndarray:
        """Scores in [0, 1] for rows of features."""
        z = (np.asarray(x, np.float64) - np.asarray(self.mean)) / np.asarray(self.scale)
        logits = z @ np.asarray(self.weights) + self.intercept
        return 1.0 / (1.0 + np.exp(-np.clip(logits, -40, 40)))

    @classmethod
    def fit(cls, x: np.ndarray, y: np.ndarray, trained_on: str, c: float = 1.0,
            groups: Sequence[int] | np.ndarray | None = None,
            negatives_per_positive: int = 60) -> Reranker:
        """Fit on labelled candidate features (1: the same claim).

        With ``groups`` (the query each row belongs to) the weights are fitted pairwise
        (each relevant candidate against its query's others: a ranking objective), then
        scaled and shifted on the rows (Platt) so the score stays a probability; without,
        pointwise (class-balanced)."""
        from sklearn.linear_model import LogisticRegression

        x = np.asarray(x, np.float64)
        y = np.asarray(y)
        mean, scale = x.mean(axis=0), x.std(axis=0)
        scale[scale == 0] = 1.0
        z = (x - mean) / scale
        if groups is None:
            model = LogisticRegression(C=c, max_iter=2000, class_weight="balanced").fit(z, y)
            weights, intercept = model.coef_[0], float(model.intercept_[0])
        else:
            groups = np.asarray(groups)
            diffs = []
            for g in np.unique(groups):
                rows = np.where(groups == g)[0]
                pos, neg = rows[y[rows] == 1], rows[y[rows] == 0][:negatives_per_positive]
                diffs += [z[p] - z[n] for p in pos for n in neg]
            if not diffs:
                raise ArchiveError("no query has both a matching and a non-matching candidate")
            d = np.asarray(diffs)
            pairwise = LogisticRegression(C=c, max_iter=2000, fit_intercept=False).fit(
                np.vstack([d, -d]), np.r_[np.ones(len(d)), np.zeros(len(d))])
            direction = pairwise.coef_[0]
            platt = LogisticRegression(C=100.0, max_iter=2000).fit((z @ direction)[:, None], y)
            weights = direction * float(platt.coef_[0][0])
            intercept = float(platt.intercept_[0])
        return cls([float(w) for w in weights], intercept, [float(m) for m in mean],
                   [float(s) for s in scale], FEATURES, trained_on)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (what :meth:`save` writes)."""
        return {"features": list(self.features), "weights": self.weights,
                "intercept": self.intercept, "mean": self.mean, "scale": self.scale,
                "trained_on": self.trained_on}

    def save(self, path: Path) -> None:
        """Write as JSON (no pickles)."""
        path.write_text(json.dumps(self.to_dict(), indent=2))

    @classmethod
    def load(cls, path: Path) -> Reranker:
        """Read what :meth:`save` wrote; a file for other features is refused."""
        try:
            data = json.loads(path.read_text())
            if tuple(data["features"]) != FEATURES:
                raise ArchiveError(f"{path}: re-ranker for features {data['features']}, "
                                   f"this version computes {list(FEATURES)}")
            return cls([float(w) for w in data["weights"]], float(data["intercept"]),
                       [float(m) for m in data["mean"]], [float(s) for s in data["scale"]],
                       FEATURES, str(data.get("trained_on", "")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ArchiveError(f"{path}: cannot read the re-ranker: {exc}") from None


# Hand-set: paraphrase similarity first, lexical agreement second, then figures and names.
DEFAULT_RERANKER = Reranker(
    weights=[9.0, 1.0, 1.0, 3.0, 1.5, 0.4, 0.5, 0.5, 0.6, -0.6, 0.5, 1.0, 0.0, 0.0],
    intercept=-7.6)


@dataclass
class Candidate:
    """One fact-check considered for a claim, with its features."""

    fact_check_id: int
    cos_claim: float = 0.0
    cos_title: float = 0.0
    bm25: float = 0.0
    dense_rank: int = 0
    bm25_rank: int = 0
    features: list[float] = field(default_factory=list)


def candidates(index: ArchiveIndex, query: str, vector: np.ndarray,
               k: int = CANDIDATES) -> list[Candidate]:
    """The union of the dense and BM25 top ``k``, each with both scores."""
    dense = index.dense_candidates(vector, 2 * k)
    lexical = index.lexical_candidates(query, k)
    dense_order = sorted(dense, key=lambda i: -max(dense[i]))[:k]
    ids = list(dict.fromkeys(dense_order + list(lexical)))
    missing_dense = [i for i in ids if i not in dense]
    if missing_dense:
        dense.update(index.dense_scores(vector, missing_dense))
    missing_lex = [i for i in ids if i not in lexical]
    if missing_lex:
        lexical.update(index.lexical_scores(query, missing_lex))
    by_dense = {i: r for r, i in enumerate(sorted(ids, key=lambda i: -max(dense[i])), 1)}
    by_lex = {i: r for r, i in enumerate(sorted(ids, key=lambda i: -lexical.get(i, 0.0)), 1)}
    return [Candidate(i, dense[i][0], dense[i][1], lexical.get(i, 0.0), by_dense[i], by_lex[i])
            for i in ids]


def featurise(query: str, items: list[Candidate], texts: dict[int, str],
              idf: Callable[[str], float] | None = None) -> np.ndarray:
    """Rows of :data:`FEATURES` for the candidates of one query (``texts``: claim + title;
    ``idf``: the archive's inverse document frequency of a BM25 token)."""
    if not items:
        return np.zeros((0, len(FEATURES)))
    from verify.index.tokenize import tokenize

    weigh = idf or (lambda token: 1.0)
    q_tokens = set(tokenize(query))
    q_mass = sum(weigh(t) for t in q_tokens) or 1.0
    q_fig, q_names, q_words = figures(query), names(query), words(query)
    top_cos = max(max(c.cos_claim, c.cos_title) for c in items)
    top_bm25 = max(c.bm25 for c in items) or 1.0
    rows = []
    for c in items:
        text = texts.get(c.fact_check_id, "")
        c_fig, c_names, c_words = figures(text), names(text), words(text)
        c_tokens = set(tokenize(for_matching(text)))
        shared_mass = sum(weigh(t) for t in q_tokens & c_tokens)
        c_mass = sum(weigh(t) for t in c_tokens) or 1.0
        cos_max = max(c.cos_claim, c.cos_title)
        row = [cos_max, c.cos_claim, c.cos_title, cos_max - top_cos, c.bm25 / top_bm25,
               math.log1p(max(c.bm25, 0.0)), 1.0 / c.dense_rank, 1.0 / c.bm25_rank,
               float(len(q_fig & c_fig)), float(len(c_fig - q_fig) > 0 and bool(q_fig)),
               len(q_names & c_names) / max(1, len(c_names)),
               len(q_words & c_words) / max(1, len(c_words)),
               shared_mass / c_mass, shared_mass / q_mass]
        c.features = row
        rows.append(row)
    return np.asarray(rows, np.float64)


_SELECT = ("SELECT fact_check_id, claim, rating, verdict, organisation, review_date, url, "
           "claimant, language, title, text, origin FROM fact_checks")


def load_fact_checks(store: Store, ids: Sequence[int]) -> dict[int, FactCheck]:
    """The fact-checks with these ids."""
    if not ids:
        return {}
    rows = store.execute(_SELECT + " WHERE fact_check_id IN (SELECT unnest(?))",
                         [list(map(int, ids))]).fetchall()
    return {int(r[0]): FactCheck(claim=r[1], rating=r[2], verdict=r[3], organisation=r[4],
                                 review_date=r[5], url=r[6], claimant=r[7], language=r[8],
                                 title=r[9], text=r[10], origin=r[11], fact_check_id=int(r[0]))
            for r in rows}


def _why(c: Candidate, query: str, text: str) -> tuple[list[str], list[str], list[str]]:
    shared_fig = sorted(figures(query) & figures(text))
    shared_names = sorted(names(query) & names(text))
    cos = max(c.cos_claim, c.cos_title)
    why: list[str] = []
    if cos >= 0.75:
        why.append(f"paraphrase (cosine {cos:.2f})")
    elif cos >= 0.5:
        why.append(f"similar meaning (cosine {cos:.2f})")
    if c.bm25_rank == 1 and c.bm25 > 0:
        why.append(f"most shared wording (BM25 {c.bm25:.1f})")
    elif c.bm25 > 0:
        why.append(f"shared wording (BM25 {c.bm25:.1f})")
    if shared_fig:
        why.append("shared figures: " + ", ".join(shared_fig))
    if shared_names:
        why.append("shared names: " + ", ".join(shared_names))
    return why, shared_fig, shared_names


def match_claim(store: Store, embedder: Embedder, index: ArchiveIndex, claim: str, k: int = 5,
                *, reranker: Reranker | None = None, candidates_k: int = CANDIDATES,
                min_score: float = 0.0) -> list[Match]:
    """Earlier fact-checks ranked by how likely they reviewed ``claim`` (best first)."""
    query = for_matching(claim, index.word_count)
    if not query or len(index.ids) == 0 or k <= 0:
        return []
    vector = embedder.embed(query)
    items = candidates(index, query, vector, candidates_k)
    records = load_fact_checks(store, [c.fact_check_id for c in items])
    texts = {i: f"{fc.claim} {fc.title or ''}" for i, fc in records.items()}
    scores = (reranker or DEFAULT_RERANKER).score(featurise(query, items, texts, index.idf))
    scores = pool_same_claims(scores, [same_claim_key(records[c.fact_check_id].claim)
                                       if c.fact_check_id in records else f"#{c.fact_check_id}"
                                       for c in items])
    order = sorted(range(len(items)), key=lambda j: (-scores[j], items[j].fact_check_id))
    out: list[Match] = []
    for j in order:
        if len(out) >= k or scores[j] < min_score:
            break
        c = items[j]
        fc = records.get(c.fact_check_id)
        if fc is None:
            continue
        why, fig, nm = _why(c, query, texts[c.fact_check_id])
        out.append(Match(fact_check=fc, score=round(float(scores[j]), 4), rank=len(out) + 1,
                         dense_score=round(max(c.cos_claim, c.cos_title), 4),
                         lexical_score=round(c.bm25, 4), why=why, shared_figures=fig,
                         shared_names=nm))
    return out
