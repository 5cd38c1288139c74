"""Export a trained stance model folder to ONNX and quantise it to int8 (dynamic).

Needs the ``onnx`` package at export time only (``pip install onnx``); the shipped
model then runs with ``onnxruntime`` alone.

Example:
    $ python -m training.export_onnx --model /tmp/stance/model --out verify/models/stance
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import tempfile
from pathlib import Path

COPY = ("config.json", "tokenizer.json", "tokenizer_config.json")
ONNX_NAME = "model.int8.onnx"

log = logging.getLogger(__name__)


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


def main(argv: list[str] | None = None) -> int:
    """CLI entry."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True, help="trained folder (safetensors)")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    path = export(Path(args.model), Path(args.out))
    log.info(json.dumps({"onnx": str(path), "bytes": path.stat().st_size}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
