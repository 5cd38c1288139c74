#!/usr/bin/env bash
# Recipe v1k at GPU size ("v1k-gpu"): the same code as `REFINE=v1k scripts/train_stance.sh
# refine`, bigger. From the shipped v1g weights (commit 04ffdd2), train.py variant
# "extra_full": every licensed extra pair (training/extra.py: Citation-Integrity,
# Check-COVID, Perspectrum, TabFact, no caps; FNC-1 has no licence and is left out) plus
# ALL of v1g's data (v1d's seven groups and v1g's title group) instead of a replay sample:
# 80,007 pairs, 2 epochs, batch 64, lr 3e-5, best epoch by the dev score, checkpoints.
#
#   VERIFY_EVAL_DATA=../shared/data scripts/train_stance_gpu.sh prepare    # here, CPU, ~2 min
#   scripts/train_stance_gpu.sh train        # on the GPU machine, repository root, with
#                                            # .gpu/data and .gpu/v1g carried (~62 MB)
#   scripts/train_stance_gpu.sh candidate    # here: candidate folder + pair-level table
#
# On the lent machine (run tool), e.g.:
#   command: OUT=$OUT scripts/train_stance_gpu.sh train   carry: [".gpu/data", ".gpu/v1g"]
# then copy the returned model.tar.part* into .gpu/out-v1k-gpu/ and run "candidate".
# Not measured on a GPU yet (no machine was lent to the session that wrote it); the
# CPU-sized recipe is the one measured in the model card. A killed "train" resumes from
# its checkpoint when rerun on the same machine (WORKROOT is kept while it stays warm).
# Like the CPU recipe it never ships by itself: SHIP=1 with "candidate" ships.
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false PYTHONUNBUFFERED=1
STEP=${1:-}
OUT=${OUT:-.gpu/out-v1k-gpu}
V1G_DIR=.gpu/v1g
EVAL_SETS=${EVAL_SETS:-mnli_heldout,dev_base,dev_aug,dev_extra,fever_symmetric,healthver,climate_fever,anli_dev,sick}

case "$STEP" in
  prepare)
    : "${VERIFY_EVAL_DATA:?set VERIFY_EVAL_DATA to the shared data folder}"
    mkdir -p "$V1G_DIR" /tmp/stance-v1d
    for f in model.safetensors config.json tokenizer.json tokenizer_config.json version.json; do
      git show "04ffdd2:verify/models/stance/$f" > "$V1G_DIR/$f"
      git show "ef4402c:verify/models/stance/$f" > "/tmp/stance-v1d/$f"
    done
    python -m training.data --data "$VERIFY_EVAL_DATA" --out .gpu/data --recipe v1d
    python -m training.refine --data .gpu/data --shared "$VERIFY_EVAL_DATA" \
      --parent /tmp/stance-v1d --v1g-parent "$V1G_DIR"
    du -sh .gpu/data "$V1G_DIR"
    ;;
  train)
    mkdir -p "$OUT"
    python3 training/train.py --data .gpu/data --base "$V1G_DIR" --out "$OUT" \
      --workroot "${WORKROOT:-/tmp/stance-v1k-gpu}" --variants extra_full --prefer extra_full \
      --epochs "${EPOCHS:-2}" --batch "${BATCH:-64}" --lr "${LR:-3e-5}" \
      --freeze-word-embeddings --checkpoint-every 500 --eval-sets "$EVAL_SETS" \
      --variant-budget "${VARIANT_BUDGET:-480}" --time-budget "${TIME_BUDGET:-560}" \
      2>&1 | tee -a "$OUT/train.log"
    ;;
  candidate)
    cat "$OUT"/model.tar.part* | tar -x -C "$OUT"
    if [[ "${SHIP:-0}" == 1 ]]; then
      python -m training.ship --model "$OUT/model" --manifest .gpu/data/manifest_v1k-gpu.json
      exit 0
    fi
    python -m training.ship --model "$OUT/model" --manifest .gpu/data/manifest_v1k-gpu.json \
      --out "$OUT/candidate"
    python -m training.evaluate --data .gpu/data --sets "$EVAL_SETS" \
      --model "$OUT/candidate" --json "$OUT/eval_candidate.json"
    python -m training.evaluate --data .gpu/data --sets "$EVAL_SETS" \
      --json "$OUT/eval_shipped.json"
    python -m training.evaluate --compare "$OUT/eval_shipped.json" "$OUT/eval_candidate.json"
    ;;
  *)
    echo "usage: scripts/train_stance_gpu.sh prepare|train|candidate (see the header)" >&2
    exit 2
    ;;
esac
