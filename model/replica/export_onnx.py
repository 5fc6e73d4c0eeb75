"""Export a trained replica as ONNX graphs laid out like the hub's Qwen3 diffusion repos.

The graphs are built node by node with onnx.helper from the PyTorch weights, so each variant's
dtypes are exactly controlled:
  fp32   model.onnx                 float32 weights
  fp16   model_fp16_fused.onnx      float16 weights and compute, RMSNorm fused
  q4f16  model_q4f16_rtn_sym.onnx   as fp16, but every weight MatMul (q/k/v/o, gate/up/down and
                                    the tied output head) is com.microsoft MatMulNBits: 4 bits,
                                    block 32, symmetric round-to-nearest, fp16 scales, no zero
                                    points (the default 8); the embedding Gather stays fp16
Every variant: input `input_ids` int64 [batch, sequence] (BD3LM also `attention_mask` float32
[batch, 1, sequence, sequence], additive) -> output `logits` float32 [batch, sequence, vocab].
RMSNorm is `SimplifiedLayerNormalization` (onnxruntime's fused op, default domain) everywhere.

    python3 export_onnx.py mdlm|bd3lm <weights.pt> <out folder> [variant ...]
"""

import json
import math
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from qwen3 import load

OPSET = 17
FILES = {"fp32": "model.onnx", "fp16": "model_fp16_fused.onnx", "q4f16": "model_q4f16_rtn_sym.onnx"}
Q_BLOCK = 32


def quantize_rtn_sym(w):
    """MatMulNBits operands for a torch Linear weight w [N, K]: packed B uint8 [N, K/32, 16] (low
    nibble first), scales fp16 [N * K/32]; q = clamp(round(w / scale) + 8, 0, 15), scale = max|w| / 7."""
    n, k = w.shape
    assert k % Q_BLOCK == 0, f"K={k} is not a multiple of {Q_BLOCK}"
    blocks = w.reshape(n, k // Q_BLOCK, Q_BLOCK).astype(np.float32)
    scale = (np.abs(blocks).max(-1, keepdims=True) / 7).astype(np.float16).astype(np.float32)
    safe = np.where(scale == 0, 1, scale)
    q = np.clip(np.round(blocks / safe) + 8, 0, 15).astype(np.uint8)
    packed = q[..., 0::2] | (q[..., 1::2] << 4)
    return packed, scale.reshape(-1).astype(np.float16)


def dequantize(packed, scales, n, k):
    """The weight [N, K] MatMulNBits computes with (for the parity test's reference)."""
    q = np.stack([packed & 15, packed >> 4], axis=-1).reshape(n, k // Q_BLOCK, Q_BLOCK).astype(np.float32)
    return ((q - 8) * scales.astype(np.float32).reshape(n, -1, 1)).reshape(n, k)


class Builder:
    def __init__(self, variant):
        self.variant = variant
        self.dtype = np.float32 if variant == "fp32" else np.float16
        self.onnx_dtype = TensorProto.FLOAT if variant == "fp32" else TensorProto.FLOAT16
        self.nodes, self.inits, self.count = [], [], 0

    def name(self, hint):
        self.count += 1
        return f"{hint}_{self.count}"

    def init(self, name, array):
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def const(self, hint, array):
        return self.init(self.name(hint), np.asarray(array))

    def op(self, op_type, inputs, hint=None, domain="", **attrs):
        out = self.name(hint or op_type)
        self.nodes.append(helper.make_node(op_type, inputs, [out], name=out, domain=domain, **attrs))
        return out

    def weight(self, name, tensor):
        return self.init(name, tensor.detach().numpy().astype(self.dtype))

    def rmsnorm(self, x, name, weight, eps):
        return self.op("SimplifiedLayerNormalization", [x, self.weight(name, weight)], "rmsnorm",
                       axis=-1, epsilon=eps, stash_type=1)

    def linear(self, x, name, weight):
        """x @ weight.T for a torch Linear weight [N, K]."""
        w = weight.detach().numpy()
        if self.variant == "q4f16":
            packed, scales = quantize_rtn_sym(w)
            n, k = w.shape
            return self.op("MatMulNBits", [x, self.init(name + "_Q4", packed), self.init(name + "_scales", scales)],
                           "matmul_q4", domain="com.microsoft", K=k, N=n, bits=4, block_size=Q_BLOCK)
        return self.op("MatMul", [x, self.init(name + "_T", w.T.astype(self.dtype))], "matmul")


def rotate(b, x, cos, sin, head_dim):
    """x * cos + rotate_half(x) * sin over the last axis (HF Qwen3's rotary convention)."""
    half = head_dim // 2
    first = b.op("Slice", [x, b.const("start", [0]), b.const("end", [half]), b.const("axis", [-1])])
    second = b.op("Slice", [x, b.const("start", [half]), b.const("end", [head_dim]), b.const("axis", [-1])])
    rotated = b.op("Concat", [b.op("Neg", [second]), first], axis=-1)
    return b.op("Add", [b.op("Mul", [x, cos]), b.op("Mul", [rotated, sin])])


def attention(b, x, prefix, attn, c, cos, sin, mask):
    nh, nkv, hd = c.num_attention_heads, c.num_key_value_heads, c.head_dim
    groups = nh // nkv
    eps = c.rms_norm_eps

    def heads(proj, n, norm):  # [B, T, n*hd] -> [B, n, T, hd], normed per head
        y = b.op("Reshape", [b.linear(x, f"{prefix}.{proj}.weight", getattr(attn, proj).weight),
                             b.const("shape", np.array([0, 0, n, hd], dtype=np.int64))])
        if norm is not None:
            y = b.rmsnorm(y, f"{prefix}.{norm}.weight", getattr(attn, norm).weight, eps)
        return b.op("Transpose", [y], perm=[0, 2, 1, 3])

    q = rotate(b, heads("q_proj", nh, "q_norm"), cos, sin, hd)
    k = rotate(b, heads("k_proj", nkv, "k_norm"), cos, sin, hd)
    v = heads("v_proj", nkv, None)
    q = b.op("Mul", [q, b.const("scale", np.array(1 / math.sqrt(hd), dtype=b.dtype))])
    # Grouped-query attention without repeating k and v: q [B, kv, groups, T, hd] against
    # k, v [B, kv, 1, T, hd] (query head h = kv * groups + g reads key-value head h // groups).
    q = b.op("Reshape", [q, b.const("shape", np.array([0, nkv, groups, -1, hd], dtype=np.int64))])
    k = b.op("Transpose", [b.op("Unsqueeze", [k, b.const("axes", [2])])], perm=[0, 1, 2, 4, 3])
    v = b.op("Unsqueeze", [v, b.const("axes", [2])])
    scores = b.op("MatMul", [q, k])  # [B, kv, groups, T, T]
    if mask is not None:
        scores = b.op("Add", [scores, mask])
    out = b.op("MatMul", [b.op("Softmax", [scores], axis=-1), v])  # [B, kv, groups, T, hd]
    out = b.op("Reshape", [out, b.const("shape", np.array([0, nh, -1, hd], dtype=np.int64))])
    out = b.op("Transpose", [out], perm=[0, 2, 1, 3])
    out = b.op("Reshape", [out, b.const("shape", np.array([0, 0, nh * hd], dtype=np.int64))])
    return b.linear(out, f"{prefix}.o_proj.weight", attn.o_proj.weight)


def build(model, kind, variant):
    c = model.config
    b = Builder(variant)
    inputs = [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"])]
    mask = None
    if kind == "bd3lm":
        inputs.append(helper.make_tensor_value_info("attention_mask", TensorProto.FLOAT,
                                                    ["batch", 1, "sequence", "sequence"]))
        mask = "attention_mask" if variant == "fp32" else b.op("Cast", ["attention_mask"], to=b.onnx_dtype)
        mask = b.op("Unsqueeze", [mask, b.const("axes", [1])])  # [B, 1, 1, T, T] against the grouped scores

    # RoPE tables [T, head_dim] from positions 0..T-1, computed in float32.
    length = b.op("Gather", [b.op("Shape", ["input_ids"]), b.const("index", np.array(1, dtype=np.int64))])
    pos = b.op("Cast", [b.op("Range", [b.const("zero", np.array(0, dtype=np.int64)), length,
                                       b.const("one", np.array(1, dtype=np.int64))])], to=TensorProto.FLOAT)
    inv_freq = 1.0 / c.rope_theta ** (np.arange(0, c.head_dim, 2, dtype=np.float32) / c.head_dim)
    freqs = b.op("Mul", [b.op("Unsqueeze", [pos, b.const("axes", [1])]), b.const("inv_freq", inv_freq[None, :])])
    emb = b.op("Concat", [freqs, freqs], axis=-1)
    cos, sin = b.op("Cos", [emb]), b.op("Sin", [emb])
    if variant != "fp32":
        cos, sin = b.op("Cast", [cos], to=b.onnx_dtype), b.op("Cast", [sin], to=b.onnx_dtype)

    embed = b.weight("model.embed_tokens.weight", model.embed_tokens.weight)
    x = b.op("Gather", [embed, "input_ids"], "embed")
    for i, layer in enumerate(model.layers):
        p = f"model.layers.{i}"
        h = b.rmsnorm(x, f"{p}.input_layernorm.weight", layer.input_layernorm.weight, c.rms_norm_eps)
        x = b.op("Add", [x, attention(b, h, f"{p}.self_attn", layer.self_attn, c, cos, sin, mask)])
        h = b.rmsnorm(x, f"{p}.post_attention_layernorm.weight", layer.post_attention_layernorm.weight, c.rms_norm_eps)
        gate = b.linear(h, f"{p}.mlp.gate_proj.weight", layer.mlp.gate_proj.weight)
        up = b.linear(h, f"{p}.mlp.up_proj.weight", layer.mlp.up_proj.weight)
        act = b.op("Mul", [b.op("Mul", [gate, b.op("Sigmoid", [gate])]), up])  # SiLU(gate) * up
        x = b.op("Add", [x, b.linear(act, f"{p}.mlp.down_proj.weight", layer.mlp.down_proj.weight)])
    x = b.rmsnorm(x, "model.norm.weight", model.norm.weight, c.rms_norm_eps)
    if variant == "q4f16":
        logits = b.linear(x, "lm_head.weight", model.embed_tokens.weight)  # tied, quantized copy
    else:  # tied: the head reads the embedding table through a Transpose, no second copy
        logits = b.op("MatMul", [x, b.op("Transpose", [embed], perm=[1, 0])], "lm_head")
    if variant != "fp32":
        logits = b.op("Cast", [logits], to=TensorProto.FLOAT)
    b.nodes.append(helper.make_node("Identity", [logits], ["logits"], name="logits"))

    graph = helper.make_graph(b.nodes, f"qwen3-replica-{kind}-{variant}", inputs,
                              [helper.make_tensor_value_info("logits", TensorProto.FLOAT,
                                                             ["batch", "sequence", c.vocab_size])], b.inits)
    opsets = [helper.make_opsetid("", OPSET), helper.make_opsetid("com.microsoft", 1)]
    return helper.make_model(graph, opset_imports=opsets, producer_name="dllm-replica export_onnx.py")


def hf_config(c):
    """config.json as Qwen3 ships it (no field only this project's runtime would know)."""
    return {
        "architectures": ["Qwen3ForCausalLM"], "attention_bias": False, "attention_dropout": 0.0,
        "bos_token_id": 151643, "eos_token_id": 151645, "head_dim": c.head_dim, "hidden_act": "silu",
        "hidden_size": c.hidden_size, "initializer_range": 0.02, "intermediate_size": c.intermediate_size,
        "max_position_embeddings": c.max_position_embeddings, "max_window_layers": c.num_hidden_layers,
        "model_type": "qwen3", "num_attention_heads": c.num_attention_heads,
        "num_hidden_layers": c.num_hidden_layers, "num_key_value_heads": c.num_key_value_heads,
        "rms_norm_eps": c.rms_norm_eps, "rope_scaling": None, "rope_theta": c.rope_theta,
        "sliding_window": None, "tie_word_embeddings": True, "torch_dtype": "float32",
        "transformers_version": "4.51.0", "use_cache": False, "use_sliding_window": False,
        "vocab_size": c.vocab_size,
    }


GENERATION_CONFIG = {"bos_token_id": 151643, "eos_token_id": [151645, 151643], "pad_token_id": 151643,
                     "transformers_version": "4.51.0"}


def export(kind, weights, out, variants):
    model = load(weights)
    out = Path(out)
    (out / "onnx").mkdir(parents=True, exist_ok=True)
    (out / "config.json").write_text(json.dumps(hf_config(model.config), indent=2) + "\n")
    (out / "generation_config.json").write_text(json.dumps(GENERATION_CONFIG, indent=2) + "\n")
    for variant in variants:
        path = out / "onnx" / FILES[variant]
        for old in (path, Path(str(path) + ".data")):
            old.unlink(missing_ok=True)
        onnx.save_model(build(model, kind, variant), str(path), save_as_external_data=True,
                        all_tensors_to_one_file=True, location=path.name + ".data", size_threshold=1024)
        print(path, path.stat().st_size, Path(str(path) + ".data").stat().st_size)


if __name__ == "__main__":
    export(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:] or list(FILES))
