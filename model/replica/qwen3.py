"""A small Qwen3-architecture diffusion LM (the layout of dllm's Qwen3-0.6B MDLM / BD3LM, scaled down).

Per layer, as HF `Qwen3DecoderLayer`: RMSNorm -> grouped-query attention (q/k/v/o projections without
bias, per-head RMSNorm on q and k before RoPE, rotate-half RoPE with theta 1e6) -> residual ->
RMSNorm -> SwiGLU MLP -> residual; final RMSNorm; the output head is the input embedding (tied).
There is no causal mask: MDLM attends over the whole canvas; BD3LM adds a block-causal mask.
"""

import json
from dataclasses import asdict, dataclass

import torch
from torch import nn
import torch.nn.functional as F

BLOCK = 32  # BD3LM's absolute block grid
NEG = -1e9  # additive mask value for a hidden key


@dataclass
class Config:
    vocab_size: int = 151936
    hidden_size: int = 32
    intermediate_size: int = 96
    num_hidden_layers: int = 2
    num_attention_heads: int = 4
    num_key_value_heads: int = 2
    head_dim: int = 16
    rope_theta: float = 1_000_000.0
    rms_norm_eps: float = 1e-6
    max_position_embeddings: int = 2048

    def to_json(self):
        return json.dumps(asdict(self))


class RMSNorm(nn.Module):
    def __init__(self, size, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(size))
        self.eps = eps

    def forward(self, x):
        x32 = x.float()
        x32 = x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * x32.to(x.dtype)


def rope(positions, head_dim, theta):
    """cos, sin [T, head_dim] for rotate-half RoPE (HF Qwen3: frequencies repeated, not interleaved)."""
    inv_freq = 1.0 / theta ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim)
    freqs = positions.float()[:, None] * inv_freq[None, :]
    emb = torch.cat([freqs, freqs], dim=-1)
    return emb.cos(), emb.sin()


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat([-x[..., half:], x[..., :half]], dim=-1)


class Attention(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        self.c = c
        self.q_proj = nn.Linear(c.hidden_size, c.num_attention_heads * c.head_dim, bias=False)
        self.k_proj = nn.Linear(c.hidden_size, c.num_key_value_heads * c.head_dim, bias=False)
        self.v_proj = nn.Linear(c.hidden_size, c.num_key_value_heads * c.head_dim, bias=False)
        self.o_proj = nn.Linear(c.num_attention_heads * c.head_dim, c.hidden_size, bias=False)
        self.q_norm = RMSNorm(c.head_dim, c.rms_norm_eps)
        self.k_norm = RMSNorm(c.head_dim, c.rms_norm_eps)

    def forward(self, x, cos, sin, mask):
        c = self.c
        b, t, _ = x.shape
        q = self.q_norm(self.q_proj(x).view(b, t, c.num_attention_heads, c.head_dim)).transpose(1, 2)
        k = self.k_norm(self.k_proj(x).view(b, t, c.num_key_value_heads, c.head_dim)).transpose(1, 2)
        v = self.v_proj(x).view(b, t, c.num_key_value_heads, c.head_dim).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin  # [b, heads, t, head_dim]
        k = k * cos + rotate_half(k) * sin
        groups = c.num_attention_heads // c.num_key_value_heads
        k = k.repeat_interleave(groups, dim=1)  # query head h reads key-value head h // groups
        v = v.repeat_interleave(groups, dim=1)
        scores = q @ k.transpose(-1, -2) / c.head_dim ** 0.5  # [b, heads, t, t]
        if mask is not None:
            scores = scores + mask
        out = scores.softmax(-1) @ v
        return self.o_proj(out.transpose(1, 2).reshape(b, t, -1))


class MLP(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        self.gate_proj = nn.Linear(c.hidden_size, c.intermediate_size, bias=False)
        self.up_proj = nn.Linear(c.hidden_size, c.intermediate_size, bias=False)
        self.down_proj = nn.Linear(c.intermediate_size, c.hidden_size, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Layer(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        self.input_layernorm = RMSNorm(c.hidden_size, c.rms_norm_eps)
        self.self_attn = Attention(c)
        self.post_attention_layernorm = RMSNorm(c.hidden_size, c.rms_norm_eps)
        self.mlp = MLP(c)

    def forward(self, x, cos, sin, mask):
        x = x + self.self_attn(self.input_layernorm(x), cos, sin, mask)
        return x + self.mlp(self.post_attention_layernorm(x))


class Qwen3Diffusion(nn.Module):
    def __init__(self, c: Config):
        super().__init__()
        self.config = c
        self.embed_tokens = nn.Embedding(c.vocab_size, c.hidden_size)
        self.layers = nn.ModuleList(Layer(c) for _ in range(c.num_hidden_layers))
        self.norm = RMSNorm(c.hidden_size, c.rms_norm_eps)
        nn.init.normal_(self.embed_tokens.weight, std=0.02)
        for name, p in self.named_parameters():
            if name.endswith("proj.weight"):
                nn.init.normal_(p, std=0.02)

    def hidden(self, input_ids, mask=None, positions=None):
        """Final normed hidden states [b, t, hidden]; `mask` is additive, broadcastable to [b, 1, t, t];
        `positions` [t] defaults to 0..t-1 (BD3LM training repeats them for its clean copy)."""
        if positions is None:
            positions = torch.arange(input_ids.shape[1])
        cos, sin = rope(positions, self.config.head_dim, self.config.rope_theta)
        x = self.embed_tokens(input_ids)
        for layer in self.layers:
            x = layer(x, cos, sin, mask)
        return self.norm(x)

    def head(self, h):
        return h @ self.embed_tokens.weight.T  # tied output head

    def forward(self, input_ids, mask=None):
        return self.head(self.hidden(input_ids, mask))


def block_causal_mask(t, block=BLOCK):
    """BD3LM's additive mask [1, 1, t, t]: 0 where floor(key / block) <= floor(query / block), NEG elsewhere."""
    blocks = torch.arange(t) // block
    return torch.where(blocks[None, :] <= blocks[:, None], 0.0, NEG)[None, None]


def load(path):
    state = torch.load(path)
    model = Qwen3Diffusion(Config(**state["config"]))
    model.load_state_dict(state["weights"])
    return model.eval()


def save(model, path):
    torch.save({"config": asdict(model.config), "weights": model.state_dict()}, path)
