"""verify's own stance model: a MiniLM-L6 cross-encoder fine-tuned for 3 labels.

The weights ship in ``verify/models/stance/`` as fp16 safetensors, run with torch (bf16
autocast where the CPU has it, else fp32). A folder holding an int8 ONNX graph
(``model.int8.onnx``) runs with onnxruntime instead; that format was measured and not
shipped. Trained by ``training/train.py``; see the folder's MODEL_CARD.md.

Example:
    from verify.stance import get_stance_model
    model = get_stance_model("verify-stance")
    model.predict("IS-K killed 338 civilians", "The group killed 338 civilians.").label
    # -> 'supports'
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from verify.errors import ModelLoadError
from verify.stance.base import StanceModel
from verify.types import STANCES

log = logging.getLogger(__name__)

PRECISION_ENV = "VERIFY_STANCE_PRECISION"
MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "stance"
REQUIRED_FILES = ("config.json", "tokenizer.json", "version.json")
ONNX_FILE = "model.int8.onnx"
TORCH_FILE = "model.safetensors"
MAX_LENGTH = 256
BATCH_SIZE = 32
# what running one more batch costs, in padded token slots (on the 2-core CPU: at 384 the
# demo's checks split and were no faster; at 768 they stay one batch and a SciFact check,
# three long sentences per passage, still splits; see length_groups)
BATCH_COST = 768


class TransformerStanceModel(StanceModel):
    """A sequence-classification cross-encoder over (claim, evidence) pairs.

    Loads lazily on the first ``predict_batch`` call: the ONNX int8 graph when the folder
    has one (and ``backend`` is "auto" or "onnx"), else the safetensors weights in fp32.
    """

    def __init__(self, path: str | Path = MODEL_DIR, *, batch_size: int | None = None,
                 max_length: int = MAX_LENGTH, device: str = "cpu",
                 backend: str = "auto", precision: str | None = None,
                 group_by_length: bool = True) -> None:
        self.path = Path(path)
        self.group_by_length = group_by_length
        self.precision = _choose_precision(precision or os.environ.get(PRECISION_ENV, "auto"),
                                           device)
        self.max_length = max_length
        self.device = device
        missing = [name for name in REQUIRED_FILES if not (self.path / name).is_file()]
        has_onnx, has_torch = (self.path / ONNX_FILE).is_file(), (self.path / TORCH_FILE).is_file()
        if backend == "auto":
            backend = "onnx" if has_onnx else "torch"
        if backend not in {"onnx", "torch"}:
            raise ValueError(f"unknown stance backend {backend!r}: use auto, onnx or torch")
        if not (has_onnx if backend == "onnx" else has_torch):
            missing.append(ONNX_FILE if backend == "onnx" else TORCH_FILE)
        self.backend = backend
        # Dynamic int8 quantisation takes activation ranges per run, so in a padded batch a
        # pair's scores would depend on its batch mates: ONNX scores one pair per run
        # (measured as fast as batch 32 on 2 CPU cores, since nothing is padded).
        self.batch_size = batch_size or (1 if backend == "onnx" else BATCH_SIZE)
        if missing:
            raise ModelLoadError(
                f"stance model files missing in {self.path}: {', '.join(missing)}",
                hint="reinstall verify, or retrain with scripts/train_stance.sh")
        try:
            info = json.loads((self.path / "version.json").read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ModelLoadError(f"unreadable {self.path / 'version.json'}: {exc}") from exc
        self.model_id = str(info.get("model_id", "verify-stance"))
        self.version = str(info.get("version", ""))
        self._model: Any = None
        self._tokenizer: Any = None
        self._order: list[int] = []
        self._lock = threading.Lock()

    def _label_order(self, label2id: dict) -> list[int]:
        """Model output columns for supports, refutes, unrelated (from the config)."""
        mapping = {str(k).lower(): int(v) for k, v in label2id.items()}
        if set(mapping) != set(STANCES):
            raise ModelLoadError(f"stance model labels {sorted(mapping)} are not {list(STANCES)}")
        return [mapping[name] for name in STANCES]

    def _load(self) -> None:
        """Load tokenizer and weights once (ONNX int8, or fp16 on disk -> fp32 in torch)."""
        with self._lock:
            if self._model is not None:
                return
            from transformers import AutoTokenizer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
            try:
                config = json.loads((self.path / "config.json").read_text(encoding="utf-8"))
                tokenizer = AutoTokenizer.from_pretrained(str(self.path), local_files_only=True)
                if self.backend == "onnx":
                    import onnxruntime as ort

                    model: Any = ort.InferenceSession(str(self.path / ONNX_FILE),
                                                      providers=["CPUExecutionProvider"])
                else:
                    import torch
                    from transformers import AutoModelForSequenceClassification

                    model = AutoModelForSequenceClassification.from_pretrained(
                        str(self.path), local_files_only=True, dtype=torch.float32)
                    model.to(self.device).eval()
            except ImportError as exc:
                raise ModelLoadError(f"the stance model needs {exc.name}: {exc}",
                                     hint="pip install onnxruntime") from exc
            except (OSError, ValueError, RuntimeError, json.JSONDecodeError) as exc:
                raise ModelLoadError(f"cannot load the stance model from {self.path}: {exc}",
                                     hint="reinstall verify") from exc
            self._order = self._label_order(config.get("label2id", {}))
            self._tokenizer, self._model = tokenizer, model
            log.info("loaded stance model %s (%s, %s) from %s", self.model_id, self.version,
                     self.backend, self.path)

    def _logits(self, features: dict[str, list[list[int]]]) -> np.ndarray:
        """Raw logits for one batch of tokenised pairs (padded here to its longest)."""
        if self.backend == "onnx":
            enc = self._tokenizer.pad(features, return_tensors="np")
            feeds = {k: enc[k].astype(np.int64)
                     for k in ("input_ids", "attention_mask", "token_type_ids")}
            return np.asarray(self._model.run(["logits"], feeds)[0], dtype=np.float32)
        enc = self._tokenizer.pad(features, return_tensors="pt").to(self.device)
        return self._model(**enc).logits.float().cpu().numpy()

    @contextlib.contextmanager
    def _inference(self) -> Iterator[None]:
        """Inference mode and, in bf16, autocast, held over all of a call's batches (so the
        weights are cast to bf16 once per call, not once per batch)."""
        if self.backend == "onnx":
            yield
            return
        import torch

        with torch.inference_mode(), torch.autocast(device_type=self.device.split(":")[0],
                                                    dtype=torch.bfloat16,
                                                    enabled=self.precision == "bf16"):
            yield

    def predict_batch(self, claims: Sequence[str], evidence: Sequence[str]) -> np.ndarray:
        """Return an (n, 3) float array of probabilities: supports, refutes, unrelated."""
        if len(claims) != len(evidence):
            raise ValueError(f"{len(claims)} claims but {len(evidence)} evidence passages")
        if not claims:
            return np.zeros((0, 3), dtype=np.float32)
        self._load()
        out = np.zeros((len(claims), 3), dtype=np.float32)
        # every pair is tokenised once; the batches are padded one by one
        enc = self._tokenizer([str(c) for c in claims], [str(e) for e in evidence],
                              truncation="longest_first", max_length=self.max_length)
        fields = [k for k in ("input_ids", "attention_mask", "token_type_ids") if k in enc]
        with self._inference():
            for idx in self._batches([len(ids) for ids in enc["input_ids"]]):
                logits = self._logits({k: [enc[k][i] for i in idx] for k in fields})
                logits = logits - logits.max(axis=1, keepdims=True)
                probs = np.exp(logits)
                probs /= probs.sum(axis=1, keepdims=True)
                out[idx] = probs[:, self._order]
        return out

    def _batches(self, lengths: list[int]) -> list[list[int]]:
        """Pair indices in batches of similar length (the answers are put back in order).

        One check asks about whole passages and their short focus sentences together;
        padded into one batch, the short pairs cost as much as the long ones. With
        ``group_by_length`` (the default) they are grouped by token count
        (``length_groups``); without, sorted by it and cut every ``batch_size`` pairs.
        """
        if not self.group_by_length:
            order = sorted(range(len(lengths)), key=lambda i: lengths[i])
            return [order[s:s + self.batch_size] for s in range(0, len(order), self.batch_size)]
        return length_groups(lengths, self.batch_size)


def length_groups(lengths: Sequence[int], batch_size: int,
                  batch_cost: int = BATCH_COST) -> list[list[int]]:
    """Indices sorted by length, cut into batches of at most ``batch_size`` so that the
    padded token slots (each batch padded to its longest) plus ``batch_cost`` per batch are
    fewest (an exact split: in sorted order the best batches are runs).

    Example:
        >>> length_groups([150, 40, 160, 45, 38], 32, batch_cost=100)
        [[4, 1, 3], [0, 2]]
        >>> length_groups([150, 40, 160, 45, 38], 32, batch_cost=1000)
        [[4, 1, 3, 0, 2]]
    """
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    sizes = [lengths[i] for i in order]
    best = [0] * (len(sizes) + 1)   # best[j]: cost of the first j pairs
    cut = [0] * (len(sizes) + 1)    # where the last batch of the first j pairs starts
    for j in range(1, len(sizes) + 1):
        best[j], cut[j] = min((best[i] + batch_cost + (j - i) * sizes[j - 1], i)
                              for i in range(max(0, j - batch_size), j))
    groups: list[list[int]] = []
    j = len(sizes)
    while j > 0:
        groups.insert(0, order[cut[j]:j])
        j = cut[j]
    return groups


def cpu_has_bf16() -> bool:
    """True when the CPU computes bf16 natively (AVX512-BF16 or AMX), read from /proc/cpuinfo."""
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def _choose_precision(requested: str, device: str) -> str:
    """``auto`` -> bf16 autocast where the hardware has it (the model was trained under bf16
    autocast; measured 2.2x faster on an AMX CPU, same labels on FEVER-Symmetric pairs), else fp32."""
    if requested not in {"auto", "fp32", "bf16"}:
        raise ValueError(f"unknown stance precision {requested!r}: use auto, fp32 or bf16")
    if requested != "auto":
        return requested
    return "bf16" if device.startswith("cuda") or (device == "cpu" and cpu_has_bf16()) else "fp32"


def load_shipped_model() -> StanceModel:
    """The stance model shipped with verify (registry name ``verify-stance``)."""
    return TransformerStanceModel(MODEL_DIR)
