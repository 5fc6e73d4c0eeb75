#!/usr/bin/env bash
# Runs on a lent GPU machine (the `run` tool, with carry ["model/work/device-bundle.tar.gz"]):
# trains the cuda preset on from the shipped weights and leaves the weights and the training
# log in $OUT. Back here: npm run model:build -- --weights <files_at>/weights.pt --from export
# Extra arguments go to train.py (e.g. --minutes 5, a wall-clock cap, or --steps N). PYTHON names an interpreter with torch.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${OUT:?OUT must name the folder the weights are written to}"
bundle=model/work/device-bundle.tar.gz
[ -f "$bundle" ] || { echo "device-train: $bundle missing; run npm run model:build -- --device-bundle first" >&2; exit 2; }
PYTHON=${PYTHON:-python3}
work=$(mktemp -d)
tar -xzf "$bundle" -C "$work"
"$PYTHON" -c "import torch; print('device-train: torch', torch.__version__, 'cuda', torch.cuda.is_available())"
"$PYTHON" model/train.py --work "$work" --preset cuda --init-pt "$work/init.pt" --weights-out "$OUT/weights.pt" "$@"
cp "$work/train_log.jsonl" "$OUT/train_log.jsonl"
