"""Fine-tune a 3-way stance cross-encoder (supports / refutes / unrelated) on MiniLM.

Runs as a plain script (no ``verify`` imports, so it works on a bare GPU machine with
only torch + transformers + numpy): ``python3 training/train.py --help``.
Uses CUDA when available, else the CPU (slow: ~40 pairs/s on 2 cores).

Driver mode (default) trains one or more data variants (in parallel subprocesses on a
GPU), evaluates each after every epoch on the held-out dev sets, keeps the best epoch,
picks the best variant by the dev score, evaluates it on every eval set and the probes,
and writes the model (fp16 safetensors + config + tokenizer) to ``--out``.

Example:
    $ python3 training/train.py --data .gpu/data --base .gpu/base --out /tmp/stance \
          --variants full --epochs 1 --limit 300 --max-steps 2
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import logging
import math
import os
import random
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import numpy as np
import torch

LABEL_NAMES = ("supports", "refutes", "unrelated")
VARIANTS = {
    "full": ("base", "numeric", "edits", "unrelated"),
    "full_up": ("base", "numeric", "edits", "unrelated", "upsample"),
    "noedits_up": ("base", "numeric", "unrelated", "upsample"),
    "base": ("base",),
    "no_numeric": ("base", "edits", "unrelated"),
    "no_edits": ("base", "numeric", "unrelated"),
    "no_unrelated": ("base", "numeric", "edits"),
    # recipe v1.1: a short fine-tune of the shipped model (training.stage2)
    "stage2": ("detail", "replay"),
    # recipe v1d: science direction flips, abstract conclusions, LIAR-PLUS rulings
    "full_direction": ("base", "numeric", "edits", "unrelated", "science"),
    "full_sci": ("base", "numeric", "edits", "unrelated", "science", "corpus"),
    "full_liar": ("base", "numeric", "edits", "unrelated", "liar"),
    "full_sci_liar": ("base", "numeric", "edits", "unrelated", "science", "corpus", "liar"),
    # recipe v1e: findings from an abstract's last three sentences instead of its last one
    "full_sci3_liar": ("base", "numeric", "edits", "unrelated", "science", "corpus3", "liar"),
    # recipes v1f / v1g: one short epoch from the shipped v1d model (training.refine)
    "partial": ("partial", "replay_v1f"),
    "title": ("title", "replay_v1f"),
    # recipe v1h: v1g plus negated claims seen supported (training.refine)
    "negation": ("title", "negation", "replay_v1f"),
    # recipe v1i: v1g plus claims against on-topic abstracts that do not state them
    "neighbour": ("title", "neighbour", "replay_v1f"),
    # recipe v1j: v1g plus findings against their own abstract's aim sentences
    "aims": ("title", "aims", "replay_v1f"),
    # recipe v1k: a fine-tune of v1g on the licensed extra sets (training.extra)
    # plus a replay of v1g's data; "extra_full" is its GPU size (every extra pair, all of
    # v1g's data)
    "extra": ("extra", "replay_v1k"),
    "extra_full": ("extra_full", "title", "base", "numeric", "edits", "unrelated", "science",
                   "corpus", "liar"),
}
DEV_SETS = ("mnli_heldout", "dev_base", "dev_aug")
EVAL_SETS = ("mnli_heldout", "dev_base", "dev_aug", "dev_detail", "dev_partial", "dev_extra",
             "fever_symmetric", "healthver", "climate_fever", "anli_dev", "sick")
# Hand-written probes (claim, evidence, expected label). Written for this project.
PROBES = [
    ("IS-K killed 338 civilians in Pakistan since January 2017",
     "Since January 2017 the Islamic State Khorasan Province has killed 338 civilians in "
     "attacks across Pakistan, according to the monitoring group.", "supports"),
    ("IS-K killed 338 civilians in Pakistan since January 2017",
     "Since January 2017 the Islamic State Khorasan Province has killed more than 3,000 "
     "civilians in attacks across Pakistan, according to the monitoring group.", "refutes"),
    ("IS-K killed 338 civilians in Pakistan since January 2017",
     "The home side scored twice in the second half to win the cup final 2-0 on Sunday.",
     "unrelated"),
    ("The government closed five military bases last year.",
     "Last year the government kept all of its military bases open despite budget cuts.",
     "refutes"),
    ("The government closed five military bases last year.",
     "Last year the government closed five of its military bases to cut costs.", "supports"),
    ("The militia has about 800 fighters.",
     "Officials estimate the militia now counts roughly 10,000 fighters.", "refutes"),
    ("The militia has about 800 fighters.",
     "Officials estimate the militia now counts roughly 800 fighters.", "supports"),
    ("1,700 prisoners were released in the amnesty.",
     "The amnesty led to the release of 17,000 prisoners.", "refutes"),
    ("1,700 prisoners were released in the amnesty.",
     "The amnesty led to the release of some 1,700 prisoners.", "supports"),
    ("Unemployment increased in 2020.",
     "Unemployment decreased sharply in 2020 as the economy recovered.", "refutes"),
    ("The bridge opened in 1998.",
     "The bridge was opened to traffic in 1998 after six years of work.", "supports"),
    ("The bridge opened in 1998.",
     "The bridge was opened to traffic in 2011 after six years of work.", "refutes"),
    ("The vaccine was approved in five countries.",
     "Rainfall in the region was above average for the third year running.", "unrelated"),
    ("More than 1,000 people attended the rally.",
     "Police said about 1,200 people attended the rally.", "supports"),
    # a date the evidence never gives is not a contradiction (added with recipe v1.1)
    ("Under the February 29 agreement the US would close five bases within 135 days.",
     "The US will cut its troops to 8,600 and close five of its bases within 135 days.",
     "supports_or_unrelated"),
    ("In 2019 the council approved the new stadium.",
     "The city council approved plans for the new stadium after a long debate.",
     "supports_or_unrelated"),
]


def probe_passed(got: object, expected: object) -> bool:
    """Whether a probe's label is the expected one ("supports_or_unrelated" allows either)."""
    return str(got) in str(expected).split("_or_")


_logger = logging.getLogger("training.train")


def log(msg: str) -> None:
    """A progress line (timestamped by the handler ``main`` sets up)."""
    _logger.info(msg)


def read_pairs(path: Path, limit: int | None = None) -> list[dict]:
    """Rows of a gzip'd JSON-lines pair file."""
    rows = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            rows.append(json.loads(line))
            if limit and len(rows) >= limit:
                break
    return rows


def set_path(data: Path, name: str) -> Path:
    """File of a dev/eval set: ``dev_*.jsonl.gz`` or ``eval_<name>.jsonl.gz``."""
    return data / (f"{name}.jsonl.gz" if name.startswith("dev_") else f"eval_{name}.jsonl.gz")


def macro_f1(gold: np.ndarray, pred: np.ndarray, labels: list[int]) -> float:
    """Macro-F1 over ``labels`` (the classes present in gold)."""
    scores = []
    for c in labels:
        tp = int(((pred == c) & (gold == c)).sum())
        fp = int(((pred == c) & (gold != c)).sum())
        fn = int(((pred != c) & (gold == c)).sum())
        scores.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return float(np.mean(scores)) if scores else 0.0


class Encoder:
    """Tokenises (claim, evidence) pairs with dynamic padding."""

    def __init__(self, tokenizer, max_len: int) -> None:
        self.tok = tokenizer
        self.max_len = max_len

    def encode(self, rows: list[dict]) -> list[list[int]]:
        """Token ids of each pair, truncating the evidence first."""
        out = []
        for i in range(0, len(rows), 2048):
            chunk = rows[i:i + 2048]
            enc = self.tok([r["claim"] for r in chunk], [r["evidence"] for r in chunk],
                           truncation="longest_first", max_length=self.max_len)
            out.extend(enc["input_ids"])
        return out

    def collate(self, ids: list[list[int]], device: str) -> dict[str, torch.Tensor]:
        """Pad a batch of id lists into tensors (token_type_ids from the [SEP])."""
        width = max(len(x) for x in ids)
        input_ids = torch.zeros((len(ids), width), dtype=torch.long)
        mask = torch.zeros_like(input_ids)
        types = torch.zeros_like(input_ids)
        sep = self.tok.sep_token_id
        for i, seq in enumerate(ids):
            input_ids[i, :len(seq)] = torch.tensor(seq)
            mask[i, :len(seq)] = 1
            first_sep = seq.index(sep) if sep in seq else len(seq)
            types[i, first_sep + 1:len(seq)] = 1
        return {"input_ids": input_ids.to(device), "attention_mask": mask.to(device),
                "token_type_ids": types.to(device)}


def length_grouped_batches(lengths: list[int], batch: int, rng: random.Random) -> list[list[int]]:
    """Shuffle, sort within mega-chunks of 50 batches by length, then shuffle the batches."""
    idx = list(range(len(lengths)))
    rng.shuffle(idx)
    batches: list[list[int]] = []
    mega = batch * 50
    for i in range(0, len(idx), mega):
        chunk = sorted(idx[i:i + mega], key=lambda j: lengths[j])
        batches.extend(chunk[k:k + batch] for k in range(0, len(chunk), batch))
    rng.shuffle(batches)
    return batches


@torch.inference_mode()
def predict(model, enc: Encoder, ids: list[list[int]], device: str, batch: int = 256) -> np.ndarray:
    """Class probabilities for pre-tokenised pairs (length-sorted batching)."""
    model.eval()
    order = sorted(range(len(ids)), key=lambda j: len(ids[j]))
    out = np.zeros((len(ids), 3), dtype=np.float32)
    for k in range(0, len(order), batch):
        sel = order[k:k + batch]
        inputs = enc.collate([ids[j] for j in sel], device)
        with torch.autocast(device_type=device, dtype=torch.bfloat16):
            logits = model(**inputs).logits
        out[sel] = torch.softmax(logits.float(), dim=-1).cpu().numpy()
    return out


def score(gold: np.ndarray, probs: np.ndarray) -> dict:
    """Accuracy and macro-F1 (3-way argmax; plus S/R-only argmax for 2-way sets)."""
    pred = probs.argmax(1)
    labels = sorted(set(gold.tolist()))
    res = {"n": int(len(gold)), "acc": float((pred == gold).mean()),
           "f1": macro_f1(gold, pred, labels)}
    if labels == [0, 1]:
        pred2 = probs[:, :2].argmax(1)
        res["f1_sr"] = macro_f1(gold, pred2, [0, 1])
    for c, name in enumerate(LABEL_NAMES):
        if (gold == c).any():
            res[f"recall_{name}"] = float((pred[gold == c] == c).mean())
    return res


def train_variant(args: argparse.Namespace) -> None:
    """Train one data variant; save best-epoch model + metrics into ``args.workdir``."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    device = "cuda" if torch.cuda.is_available() and not args.cpu else "cpu"
    if device == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
    # "name@7" trains variant "name" with seed 7 (to see the spread between seeds)
    name, _, seed_text = args.variant.partition("@")
    seed = int(seed_text) if seed_text else args.seed
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    data = Path(args.data)
    rows = []
    for group in VARIANTS[name]:
        part = read_pairs(data / f"train_{group}.jsonl.gz", args.limit)
        if args.train_fraction < 1.0:   # the head of a shuffled file: a seeded sample
            part = part[:max(1, round(len(part) * args.train_fraction))]
        rows.extend(part)
    tok = AutoTokenizer.from_pretrained(args.base)
    enc = Encoder(tok, args.max_len)
    t0 = time.time()
    ids = enc.encode(rows)
    labels = torch.tensor([r["label"] for r in rows])
    dev = {name: read_pairs(set_path(data, name), args.limit) for name in DEV_SETS}
    dev_ids = {name: enc.encode(r) for name, r in dev.items()}
    log(f"{args.variant}: {len(rows)} train pairs tokenised in {time.time() - t0:.1f}s on {device}")
    fingerprint = run_fingerprint(args, seed, rows)
    if args.checkpoint_every and finished(work, fingerprint) and (
            not args.score_pairs or (work / "scored.npy").is_file()):
        log(f"{args.variant}: already trained with this data and these settings ({work})")
        return
    model = AutoModelForSequenceClassification.from_pretrained(
        args.base, num_labels=3, dtype=torch.float32,
        id2label=dict(enumerate(LABEL_NAMES)), label2id={n: i for i, n in enumerate(LABEL_NAMES)})
    model.to(device)
    if args.freeze_word_embeddings:  # the returned weights then need no vocabulary matrix
        model.get_input_embeddings().weight.requires_grad_(False)
    optim = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=args.lr,
                              weight_decay=0.01)
    rng = random.Random(seed)
    steps_per_epoch = math.ceil(len(rows) / args.batch)
    total = steps_per_epoch * args.epochs if not args.max_steps else args.max_steps
    warmup = max(1, int(0.06 * total))
    sched = torch.optim.lr_scheduler.LambdaLR(
        optim, lambda s: min((s + 1) / warmup, max(0.0, (total - s) / max(1, total - warmup))))
    lengths = [len(x) for x in ids]
    best, best_state, history, step = -1.0, None, [], 0
    ckpt = work / "checkpoint.pt"
    start_epoch, skip, elapsed = 1, 0, 0.0
    state = load_checkpoint(ckpt, fingerprint) if args.checkpoint_every else None
    if state is not None:
        model.load_state_dict(state["model"])
        optim.load_state_dict(state["optim"])
        sched.load_state_dict(state["sched"])
        best, best_state, history, step = (state["best"], state["best_state"],
                                           state["history"], state["step"])
        start_epoch, skip, elapsed = state["epoch"], state["position"], state["elapsed"]
        rng.setstate(state["epoch_rng"])     # that epoch's batches are drawn again
        torch.set_rng_state(state["torch_rng"])
        log(f"{args.variant}: resumed at step {step} (epoch {start_epoch}, batch {skip}, "
            f"{elapsed:.0f}s trained)")

    def checkpoint(epoch: int, position: int, epoch_rng: object) -> None:
        save_checkpoint(ckpt, {
            "fingerprint": fingerprint, "model": model.state_dict(), "optim": optim.state_dict(),
            "sched": sched.state_dict(), "best": best, "best_state": best_state,
            "history": history, "step": step, "epoch": epoch, "position": position,
            "epoch_rng": epoch_rng, "torch_rng": torch.get_rng_state(),
            "elapsed": time.time() - t_train})

    t_train = time.time() - elapsed
    for epoch in range(start_epoch, args.epochs + 1):
        model.train()
        epoch_rng = rng.getstate()
        batches = length_grouped_batches(lengths, args.batch, rng)
        t_ep, seen, loss_sum = time.time(), 0, 0.0
        for k in range(skip if epoch == start_epoch else 0, len(batches)):
            batch = batches[k]
            inputs = enc.collate([ids[j] for j in batch], device)
            with torch.autocast(device_type=device, dtype=torch.bfloat16):
                logits = model(**inputs).logits
            loss = torch.nn.functional.cross_entropy(logits.float(), labels[batch].to(device))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optim.step()
            sched.step()
            optim.zero_grad(set_to_none=True)
            seen += len(batch)
            step += 1
            if step % 500 == 0 or (args.checkpoint_every and step % args.checkpoint_every == 0):
                loss_sum = float(loss.detach())
                log(f"{args.variant} ep{epoch} step {step}/{total} loss {loss_sum:.3f} "
                    f"({seen / max(1e-9, time.time() - t_ep):.1f} pairs/s)")
            if args.max_steps and step >= args.max_steps:
                break
            if time.time() - t_train > args.variant_budget:
                log(f"{args.variant}: training budget reached in epoch {epoch} at step {step}")
                break
            if args.checkpoint_every and step % args.checkpoint_every == 0 and k + 1 < len(batches):
                checkpoint(epoch, k + 1, epoch_rng)
        ep_time = time.time() - t_ep
        dev_scores = {name: score(np.array([r["label"] for r in dev[name]]),
                                  predict(model, enc, dev_ids[name], device))
                      for name in DEV_SETS}
        sel = float(np.mean([dev_scores[n]["f1"] for n in DEV_SETS]))
        history.append({"epoch": epoch, "seconds": ep_time, "pairs_per_s": seen / ep_time,
                        "select": sel, **{n: dev_scores[n]["f1"] for n in DEV_SETS}})
        log(f"{args.variant} epoch {epoch}: {seen / ep_time:.0f} pairs/s, select {sel:.4f} "
            + " ".join(f"{n}={dev_scores[n]['f1']:.3f}" for n in DEV_SETS))
        if sel > best:
            best = sel
            best_state = {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}
        stop = bool((args.max_steps and step >= args.max_steps)
                    or time.time() - t_train > args.variant_budget)
        if args.checkpoint_every:   # the epoch's scores and best weights are kept
            checkpoint(args.epochs + 1 if stop else epoch + 1, 0, rng.getstate())
        if stop:
            break
    model.load_state_dict(best_state)
    best_epoch = max(history, key=lambda h: h["select"])["epoch"]
    results = evaluate_all(model, enc, data, device, args.limit,
                           [x for x in args.eval_sets.split(",") if x] if args.eval_sets
                           else None)
    model.half().save_pretrained(work / "model", safe_serialization=True)
    tok.save_pretrained(work / "model")
    metrics = {"variant": args.variant, "groups": VARIANTS[name], "n_train": len(rows),
               "train_sha256": rows_sha256(rows),
               "best_epoch": best_epoch, "select": best, "history": history,
               "train_seconds": time.time() - t_train, "device": device,
               "gpu": torch.cuda.get_device_name(0) if device == "cuda" else None,
               "hyper": {"lr": args.lr, "batch": args.batch, "epochs": args.epochs,
                         "max_len": args.max_len, "seed": seed, "warmup": 0.06,
                         "weight_decay": 0.01, "autocast": "bf16",
                         "train_fraction": args.train_fraction,
                         "freeze_word_embeddings": bool(args.freeze_word_embeddings)},
               **results}
    (work / "metrics.json").write_text(json.dumps(metrics, indent=2))
    if args.checkpoint_every:
        (work / "checkpoint.pt").unlink(missing_ok=True)
        (work / "finished.json").write_text(json.dumps({"fingerprint": fingerprint}))
    if args.score_pairs:
        rows = read_pairs(Path(args.score_pairs))
        model.float()
        probs = predict(model, enc, enc.encode(rows), device)
        np.save(work / "scored.npy", probs.astype(np.float16))
        log(f"{args.variant}: scored {len(rows)} pairs from {args.score_pairs}")
    log(f"{args.variant}: done, best epoch {best_epoch}, select {best:.4f}")


def rows_sha256(rows: list[dict]) -> str:
    """SHA-256 of the pairs a run trained on, in order: ``training.data.pairs_sha256``
    of the same pairs (so a run on a recipe's whole files gives the manifest's hash)."""
    digest = hashlib.sha256()
    for r in rows:
        digest.update(f"{r['claim']}\t{r['evidence']}\t{r['label']}\n".encode())
    return digest.hexdigest()


def run_fingerprint(args: argparse.Namespace, seed: int, rows: list[dict]) -> str:
    """SHA-256 of a variant's training pairs (in order) and the settings that shape its
    run: a checkpoint is resumed only by the run it came from."""
    settings = {"variant": args.variant, "seed": seed, "lr": args.lr, "batch": args.batch,
                "epochs": args.epochs, "max_len": args.max_len, "max_steps": args.max_steps,
                "limit": args.limit, "base": str(Path(args.base).resolve()),
                "freeze": bool(args.freeze_word_embeddings)}
    if getattr(args, "train_fraction", 1.0) < 1.0:   # (the pairs differ too)
        settings["fraction"] = args.train_fraction
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode())
    for r in rows:
        digest.update(f"{r['claim']}\t{r['evidence']}\t{r['label']}\n".encode())
    return digest.hexdigest()


def save_checkpoint(path: Path, state: dict) -> None:
    """Write a training checkpoint atomically (a kill while writing keeps the last one)."""
    tmp = path.with_suffix(".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)
    log(f"checkpoint: step {state['step']} -> {path}")


def load_checkpoint(path: Path, fingerprint: str) -> dict | None:
    """The checkpoint at ``path`` if it was written by a run with ``fingerprint``."""
    if not path.is_file():
        return None
    try:
        state = torch.load(path, map_location="cpu", weights_only=False)
    except Exception as exc:  # a damaged checkpoint: start afresh
        log(f"checkpoint {path} unreadable ({exc}): starting afresh")
        return None
    if state.get("fingerprint") != fingerprint:
        log(f"checkpoint {path} is from other data or settings: starting afresh")
        return None
    return state


def finished(work: Path, fingerprint: str) -> bool:
    """Whether ``work`` already holds the finished model of a run with ``fingerprint``."""
    try:
        done = json.loads((work / "finished.json").read_text())
    except (OSError, json.JSONDecodeError):
        return False
    return (done.get("fingerprint") == fingerprint and (work / "metrics.json").is_file()
            and (work / "model" / "model.safetensors").is_file())


def evaluate_all(model, enc: Encoder, data: Path, device: str, limit: int | None,
                 sets: list[str] | None = None) -> dict:
    """Scores on every eval set present (or those of ``sets``), plus the probes."""
    evals = {}
    for name in sets or EVAL_SETS:
        path = set_path(data, name)
        if not path.exists():
            continue
        rows = read_pairs(path, limit)
        probs = predict(model, enc, enc.encode(rows), device)
        evals[name] = score(np.array([r["label"] for r in rows]), probs)
    probe_rows = [{"claim": c, "evidence": e} for c, e, _ in PROBES]
    probs = predict(model, enc, enc.encode(probe_rows), device)
    probes = [{"claim": c, "evidence": e, "expected": exp,
               "probs": [round(float(x), 4) for x in p], "got": LABEL_NAMES[int(p.argmax())]}
              for (c, e, exp), p in zip(PROBES, probs, strict=True)]
    return {"eval": evals, "probes": probes,
            "probes_passed": sum(probe_passed(p["got"], p["expected"]) for p in probes)}


def table(metrics: dict) -> str:
    """A plain-text results table for one variant."""
    lines = [f"variant {metrics['variant']} (best epoch {metrics['best_epoch']}, "
             f"dev select {metrics['select']:.4f}, {metrics['n_train']} train pairs)",
             f"{'set':<16}{'n':>6}{'acc':>8}{'macroF1':>9}{'F1(S/R)':>9}  recalls S/R/U"]
    for name, s in metrics["eval"].items():
        rec = "/".join(f"{s.get('recall_' + n, float('nan')):.2f}" for n in LABEL_NAMES)
        f1sr = f"{s['f1_sr']:.3f}" if "f1_sr" in s else "-"
        lines.append(f"{name:<16}{s['n']:>6}{s['acc']:>8.3f}{s['f1']:>9.3f}{f1sr:>9}  {rec}")
    lines.append(f"probes passed {metrics['probes_passed']}/{len(metrics['probes'])}")
    for p in metrics["probes"]:
        mark = "ok " if probe_passed(p["got"], p["expected"]) else "XX "
        lines.append(f"  {mark}{p['expected']:<9} S/R/U={p['probs']}  {p['claim'][:40]} | "
                     f"{p['evidence'][:50]}")
    return "\n".join(lines)


def drive(args: argparse.Namespace) -> int:
    """Train the variants (parallel on GPU), pick the best by dev score, package it."""
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    work = Path(args.workroot)
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    t0 = time.time()
    procs = {}
    for v in variants:
        cmd = [sys.executable, os.path.abspath(__file__), "--variant", v, "--workdir",
               str(work / v)] + [a for a in args.passthrough]
        env = dict(os.environ, OMP_NUM_THREADS=str(max(1, (os.cpu_count() or 2) // len(variants))))
        procs[v] = subprocess.Popen(cmd, env=env)
        if not args.parallel:
            procs[v].wait()
    deadline = t0 + args.time_budget
    for v, p in procs.items():
        try:
            p.wait(timeout=max(1, deadline - time.time()))
        except subprocess.TimeoutExpired:
            log(f"{v}: over the time budget, stopped")
            p.kill()
    done = {}
    for v in variants:
        path = work / v / "metrics.json"
        if path.exists():
            done[v] = json.loads(path.read_text())
    if not done:
        log("no variant finished")
        return 1
    for m in done.values():
        log(table(m))
    summary = {v: {"select": m["select"], "probes_passed": m["probes_passed"],
                   **{n: m["eval"][n]["f1"] for n in m["eval"]}} for v, m in done.items()}
    log(json.dumps(summary, indent=1))
    def key(v: str) -> float:
        """Dev score plus a small bonus per passed probe."""
        return done[v]["select"] + 0.005 * done[v]["probes_passed"]

    chosen = max(done, key=key)
    if args.prefer in done and key(args.prefer) >= key(chosen) - 0.005:
        chosen = args.prefer
    log(f"chosen variant: {chosen}; wall {time.time() - t0:.0f}s")
    all_metrics = {"chosen": chosen, "wall_seconds": time.time() - t0, "variants": done}
    (out / "metrics.json").write_text(json.dumps(all_metrics, indent=2))
    scored = {v: np.load(work / v / "scored.npy") for v in done if (work / v / "scored.npy").exists()}
    if scored:
        np.savez_compressed(out / "scored.npz", **scored)
    if args.return_variants:
        for v in [v.strip() for v in args.return_variants.split(",") if v.strip() in done]:
            return_layers(work / v / "model", out, v.replace("@", "-s"))
        return 0
    model_dir = work / chosen / "model"
    (model_dir / "metrics.json").write_text(json.dumps(done[chosen], indent=2))
    tar_path = work / "model.tar"
    with tarfile.open(tar_path, "w") as tar:
        tar.add(model_dir, arcname="model")
    k = write_parts(tar_path.read_bytes(), out, "model.tar")
    log(f"model.tar {tar_path.stat().st_size / 1e6:.1f} MB in {k} parts")
    if args.clean:
        shutil.rmtree(work, ignore_errors=True)
    return 0


WORD_EMBEDDINGS = "bert.embeddings.word_embeddings.weight"


PART_BYTES = 15 * 1024 * 1024   # files coming back from a lent machine stay under 16 MiB


def write_parts(data: bytes, out: Path, name: str, part: int = PART_BYTES) -> int:
    """Write ``data`` as ``<name>.part00``, ``.part01``, ...; returns how many."""
    n = 0
    for n, start in enumerate(range(0, len(data), part), 1):
        (out / f"{name}.part{n - 1:02d}").write_bytes(data[start:start + part])
    return n


def return_layers(model_dir: Path, out: Path, name: str, part: int = PART_BYTES) -> None:
    """Write a model's weights less its (frozen) vocabulary matrix as ``<name>.layers.partNN``
    files: two models fit the trip back where two whole ones do not. Rejoin them with
    ``training.ship --layers``."""
    from safetensors.torch import load_file, save

    tensors = {k: v for k, v in load_file(str(model_dir / "model.safetensors")).items()
               if k != WORD_EMBEDDINGS}
    data = save(tensors)
    write_parts(data, out, f"{name}.layers", part)
    log(f"{name}: {len(data) / 1e6:.1f} MB of layer weights returned")


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options (driver options plus the ones passed to each variant)."""
    p = argparse.ArgumentParser(description="Train the verify stance cross-encoder.")
    p.add_argument("--data", required=True, help="folder built by training.data")
    p.add_argument("--base", required=True, help="base MiniLM folder (weights+tokenizer)")
    p.add_argument("--out", default="stance-out")
    p.add_argument("--variants", default="full")
    p.add_argument("--variant", default=None, help="(internal) train this one variant")
    p.add_argument("--workdir", default=None)
    p.add_argument("--workroot", default="/tmp/stance-work")
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--lr", type=float, default=5e-5)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--max-len", type=int, default=256)
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--limit", type=int, default=None, help="rows per file (smoke tests)")
    p.add_argument("--max-steps", type=int, default=0)
    p.add_argument("--train-fraction", type=float, default=1.0,
                   help="train on this share of each training file (its first rows: the "
                        "files are shuffled when built, so the mix keeps its proportions)")
    p.add_argument("--cpu", action="store_true")
    p.add_argument("--parallel", action="store_true", help="train variants concurrently")
    p.add_argument("--time-budget", type=float, default=480.0, help="seconds for training")
    p.add_argument("--variant-budget", type=float, default=1e9,
                   help="seconds of training per variant before it stops and evaluates")
    p.add_argument("--prefer", default="full", help="keep this variant when within 0.005")
    p.add_argument("--clean", action="store_true")
    p.add_argument("--score-pairs", default=None,
                   help="pairs file (JSON lines, claim/evidence) every variant scores after "
                        "training; the probabilities come back in <out>/scored.npz")
    p.add_argument("--eval-sets", default=None,
                   help="comma list: score the kept model on these sets only (default: every "
                        "eval set present; the CPU recipes score the rest with "
                        "training.evaluate)")
    p.add_argument("--checkpoint-every", type=int, default=0,
                   help="save a checkpoint every N steps and after each epoch in the "
                        "variant's workdir; a rerun with the same data and settings resumes "
                        "from it (and skips a variant it already finished)")
    p.add_argument("--freeze-word-embeddings", action="store_true",
                   help="keep the vocabulary matrix at the base model's values")
    p.add_argument("--return-variants", default=None,
                   help="comma list: write these variants' layer weights (needs "
                        "--freeze-word-embeddings) instead of the chosen model's tar")
    args = p.parse_args(argv)
    if args.return_variants and not args.freeze_word_embeddings:
        p.error("--return-variants needs --freeze-word-embeddings")
    args.passthrough = ["--data", args.data, "--base", args.base, "--epochs", str(args.epochs),
                        "--lr", str(args.lr), "--batch", str(args.batch), "--max-len",
                        str(args.max_len), "--seed", str(args.seed),
                        "--max-steps", str(args.max_steps),
                        "--train-fraction", str(args.train_fraction),
                        "--variant-budget", str(args.variant_budget),
                        "--checkpoint-every", str(args.checkpoint_every)]
    if args.limit:
        args.passthrough += ["--limit", str(args.limit)]
    if args.eval_sets:
        args.passthrough += ["--eval-sets", args.eval_sets]
    if args.score_pairs:
        args.passthrough += ["--score-pairs", args.score_pairs]
    if args.cpu:
        args.passthrough.append("--cpu")
    if args.freeze_word_embeddings:
        args.passthrough.append("--freeze-word-embeddings")
    return args


def main(argv: list[str] | None = None) -> int:
    """Entry point: one variant (internal) or the driver."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    logging.basicConfig(level=logging.INFO, format="[%(asctime)s] %(message)s", datefmt="%H:%M:%S")
    args = parse(argv)
    if args.variant:
        train_variant(args)
        return 0
    return drive(args)


if __name__ == "__main__":
    raise SystemExit(main())
