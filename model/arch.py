"""The model: a small LLaDA-style bidirectional transformer (RMSNorm, rotary positions, SwiGLU,
no causal mask) over token ids, returning logits for every position. Shared by train.py and
export.py so the exported graph is exactly the trained one."""
from dataclasses import dataclass, asdict

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class ModelConfig:
    vocab_size: int
    d_model: int = 256
    n_layers: int = 4
    n_heads: int = 8
    d_ff: int = 688
    rope_theta: float = 10000.0

    def to_dict(self) -> dict:
        return asdict(self)


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float = 1e-6):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope_tables(seq_len: int, head_dim: int, theta: float, device, offset=None):
    """cos/sin tables [seq, head_dim/2] for absolute positions 0..seq-1 (plus offset)."""
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, device=device, dtype=torch.float32) / head_dim))
    pos = torch.arange(seq_len, device=device, dtype=torch.float32)
    if offset is not None:
        pos = pos + offset
    angles = pos[:, None] * inv_freq[None, :]
    return torch.cos(angles), torch.sin(angles)


def apply_rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    # x: [batch, heads, seq, head_dim]; rotate the two halves of each head.
    half = x.shape[-1] // 2
    x1, x2 = x[..., :half], x[..., half:]
    return torch.cat([x1 * cos - x2 * sin, x1 * sin + x2 * cos], dim=-1)


class Block(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.n_heads = cfg.n_heads
        self.head_dim = cfg.d_model // cfg.n_heads
        self.attn_norm = RMSNorm(cfg.d_model)
        self.qkv = nn.Linear(cfg.d_model, 3 * cfg.d_model, bias=False)
        self.out = nn.Linear(cfg.d_model, cfg.d_model, bias=False)
        self.ffn_norm = RMSNorm(cfg.d_model)
        self.gate_up = nn.Linear(cfg.d_model, 2 * cfg.d_ff, bias=False)
        self.down = nn.Linear(cfg.d_ff, cfg.d_model, bias=False)

    def forward(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor, rows=None) -> torch.Tensor:
        return self.mix(x, cos, sin, None, None, rows)[0]

    def forward_cached(self, x, cos, sin, past_k, past_v, rows=None):
        """forward() for a window of positions that also attends to cached keys/values of other
        positions (past_k/past_v: [b, heads, past, head_dim], rotary already applied to past_k).
        Returns the window's output and its own rotated keys and values, for a cache."""
        return self.mix(x, cos, sin, past_k, past_v, rows)

    def mix(self, x, cos, sin, past_k, past_v, rows):
        """Attention then the FFN. `rows` (None: every position) keeps the positions whose output
        the caller needs, rows(tensor, axis): the exported graphs pass the pass's row range for the
        last block, whose keys and values still cover every position while its queries, residual
        and FFN run on those rows only."""
        b, s, d = x.shape
        q, k, v = self.qkv(self.attn_norm(x)).view(b, s, 3, self.n_heads, self.head_dim).permute(2, 0, 3, 1, 4)
        q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
        keys, values = (k, v) if past_k is None else (torch.cat([past_k, k], dim=2), torch.cat([past_v, v], dim=2))
        if rows is not None:
            q, x = rows(q, 2), rows(x, 1)
        scores = torch.matmul(q, keys.transpose(-1, -2)) * (self.head_dim ** -0.5)
        attn = torch.matmul(torch.softmax(scores, dim=-1), values)  # [b, heads, rows, head_dim], no mask
        x = x + self.out(attn.transpose(1, 2).reshape(b, -1, d))
        gate, up = self.gate_up(self.ffn_norm(x)).chunk(2, dim=-1)
        return x + self.down(F.silu(gate) * up), k, v


class DiffusionLM(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        self.embed = nn.Embedding(cfg.vocab_size, cfg.d_model)
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.n_layers))
        self.norm = RMSNorm(cfg.d_model)
        nn.init.normal_(self.embed.weight, std=0.02)
        for block in self.blocks:
            for lin in (block.qkv, block.gate_up):
                nn.init.normal_(lin.weight, std=0.02)
            for lin in (block.out, block.down):
                nn.init.normal_(lin.weight, std=0.02 / (2 * cfg.n_layers) ** 0.5)

    def trunk(self, input_ids: torch.Tensor, rows=None) -> torch.Tensor:
        """The blocks' output before the final norm, per position, or for the positions `rows`
        keeps (Block.mix): no later block reads the last one's other positions, so the exported
        graphs run its queries and FFN, and then the norm and the head, on the pass's rows only."""
        x = self.embed(input_ids)
        cos, sin = rope_tables(input_ids.shape[1], self.cfg.d_model // self.cfg.n_heads, self.cfg.rope_theta, input_ids.device)
        for layer, block in enumerate(self.blocks):
            x = block(x, cos, sin, rows if layer == len(self.blocks) - 1 else None)
        return x

    def hidden(self, input_ids: torch.Tensor) -> torch.Tensor:
        return self.norm(self.trunk(input_ids))

    def logits(self, hidden: torch.Tensor) -> torch.Tensor:
        # Tied output embedding: one matrix for input and output keeps the file small.
        return torch.matmul(hidden, self.embed.weight.t())

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        return self.logits(self.hidden(input_ids))

    def forward_cached(self, input_ids, start, past_keys, past_values):
        """The KV-cache graph: logits of a window of the canvas whose first token sits at absolute
        position `start` (int64 scalar), attending to itself plus the cached positions.
        past_keys/past_values: [layers, b, heads, past, head_dim]. Returns logits [b, window,
        vocab] and the window's keys/values in the same layout, so a pass over the whole canvas
        (past = 0 positions, start = 0) yields the cache for every position."""
        x, keys, values = self.trunk_cached(input_ids, start, past_keys, past_values)
        return self.logits(self.norm(x)), keys, values

    def trunk_cached(self, input_ids, start, past_keys, past_values, rows=None):
        """forward_cached with the window's states before the final norm instead of logits (of the
        window's positions that `rows` keeps, as in trunk)."""
        x = self.embed(input_ids)
        cos, sin = rope_tables(input_ids.shape[1], self.cfg.d_model // self.cfg.n_heads, self.cfg.rope_theta, input_ids.device,
                               offset=start.to(torch.float32))
        keys, values = [], []
        for layer, block in enumerate(self.blocks):
            last = layer == len(self.blocks) - 1
            x, k, v = block.forward_cached(x, cos, sin, past_keys[layer], past_values[layer], rows if last else None)
            keys.append(k)
            values.append(v)
        return x, torch.stack(keys), torch.stack(values)
