"""Reimplementations of the two reference architectures, with the module and parameter names of the
public checkpoints, so that the same code trains the bundled examples and loads real weights.

* ESM2: the fair-esm `esm.model.esm2.ESM2` (Lin et al. 2023): pre-LayerNorm transformer, rotary position
  embeddings (rotate-half form) on the scaled queries and the keys, token dropout, RobertaLMHead with the
  output projection tied to `embed_tokens`, optional ContactPredictionHead (symmetrize + APC + logistic
  regression over all heads). Forward signature and result dict as fair-esm:
  forward(tokens, repr_layers=[], need_head_weights=False, return_contacts=False) ->
  {"logits", "representations", ["attentions"], ["contacts"]}.
  Differences that do not change results: batch-first tensors inside the layers, and the padding mask is
  always applied (fair-esm drops it when a batch has no padding, which is a no-op), so that a traced graph
  handles padded and unpadded batches alike.

* ProGenForCausalLM: Salesforce ProGen2 (Nijkamp et al. 2022), a GPT-J-style decoder: one LayerNorm per
  block feeding attention and MLP in parallel, fused qkv projection in the mp_num=8 interleaved layout
  (query, value, key order inside each of the 8 shards), partial rotary embedding (rotate-every-two form)
  on the first `rotary_dim` dims of each head, gelu_new, final `transformer.ln_f`, untied `lm_head` with
  bias. Forward: forward(input_ids, attention_mask=None, output_attentions=False,
  output_hidden_states=False) -> ProGenOutput(logits, hidden_states, attentions) as the HF code returns
  (hidden_states[-1] is after ln_f; attentions are post-softmax per layer [B, H, L, L]).
  The causal mask is built from positions instead of the 1024x1024 `attn.bias` buffer, so any length
  traces; the checkpoints' `attn.bias`/`attn.masked_bias` buffers are accepted and ignored on load.

Only torch is needed (Debian python3-torch 1.13 works).
"""
import math
from types import SimpleNamespace
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

# ---------------------------------------------------------------------------------------------
# ESM-2
# ---------------------------------------------------------------------------------------------


def gelu(x):
    """fair-esm's erf GELU."""
    return x * 0.5 * (1.0 + torch.erf(x / math.sqrt(2.0)))


def rotate_half(x):
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), dim=-1)


def rotary_inv_freq(dim, device=None):
    return 1.0 / (10000 ** (torch.arange(0, dim, 2, device=device).float() / dim))


class RotaryEmbedding(nn.Module):
    """fair-esm esm/rotary_embedding.py. The tables are recomputed per call instead of cached, and the
    frequencies are computed from `dim` rather than read from the `inv_freq` buffer (kept, so that
    checkpoints load; the exporters check that it holds the standard values). An export thus holds no
    buffer among its initializers, only the parameters."""

    def __init__(self, dim: int):
        super().__init__()
        self.dim = dim
        self.register_buffer("inv_freq", rotary_inv_freq(dim))

    def forward(self, q, k):
        inv_freq = rotary_inv_freq(self.dim, device=k.device)
        t = torch.arange(k.shape[-2], device=k.device).type_as(inv_freq)
        freqs = t[:, None] * inv_freq[None, :]
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos(), emb.sin()
        return (q * cos) + (rotate_half(q) * sin), (k * cos) + (rotate_half(k) * sin)


class MultiheadAttention(nn.Module):
    """fair-esm MultiheadAttention, self-attention path with rotary embeddings and no bias_kv."""

    def __init__(self, embed_dim, num_heads):
        super().__init__()
        self.embed_dim = embed_dim
        self.num_heads = num_heads
        self.head_dim = embed_dim // num_heads
        assert self.head_dim * num_heads == embed_dim, "embed_dim must be divisible by num_heads"
        self.scaling = self.head_dim ** -0.5
        self.k_proj = nn.Linear(embed_dim, embed_dim)
        self.v_proj = nn.Linear(embed_dim, embed_dim)
        self.q_proj = nn.Linear(embed_dim, embed_dim)
        self.out_proj = nn.Linear(embed_dim, embed_dim)
        self.rot_emb = RotaryEmbedding(self.head_dim)
        for p in (self.k_proj, self.v_proj, self.q_proj):
            nn.init.xavier_uniform_(p.weight, gain=1 / math.sqrt(2))
        nn.init.xavier_uniform_(self.out_proj.weight)
        nn.init.constant_(self.out_proj.bias, 0.0)

    def forward(self, x, key_padding_mask):
        # x: (B, T, C); key_padding_mask: (B, T) bool, True at padding
        B, T, C = x.shape
        H, hd = self.num_heads, self.head_dim
        q = self.q_proj(x) * self.scaling
        k = self.k_proj(x)
        v = self.v_proj(x)
        q = q.view(B, T, H, hd).transpose(1, 2)
        k = k.view(B, T, H, hd).transpose(1, 2)
        v = v.view(B, T, H, hd).transpose(1, 2)
        q, k = self.rot_emb(q, k)
        scores = torch.matmul(q, k.transpose(-1, -2))
        scores = scores.masked_fill(key_padding_mask[:, None, None, :], float("-inf"))
        probs = F.softmax(scores.float(), dim=-1).type_as(scores)
        out = torch.matmul(probs, v).transpose(1, 2).reshape(B, T, C)
        return self.out_proj(out), probs


class TransformerLayer(nn.Module):
    def __init__(self, embed_dim, ffn_embed_dim, attention_heads):
        super().__init__()
        self.self_attn = MultiheadAttention(embed_dim, attention_heads)
        self.self_attn_layer_norm = nn.LayerNorm(embed_dim)
        self.fc1 = nn.Linear(embed_dim, ffn_embed_dim)
        self.fc2 = nn.Linear(ffn_embed_dim, embed_dim)
        self.final_layer_norm = nn.LayerNorm(embed_dim)

    def forward(self, x, key_padding_mask):
        residual = x
        x, attn = self.self_attn(self.self_attn_layer_norm(x), key_padding_mask)
        x = residual + x
        residual = x
        x = self.fc2(gelu(self.fc1(self.final_layer_norm(x))))
        return residual + x, attn


class RobertaLMHead(nn.Module):
    def __init__(self, embed_dim, output_dim, weight):
        super().__init__()
        self.dense = nn.Linear(embed_dim, embed_dim)
        self.layer_norm = nn.LayerNorm(embed_dim)
        self.weight = weight
        self.bias = nn.Parameter(torch.zeros(output_dim))

    def forward(self, features):
        x = self.layer_norm(gelu(self.dense(features)))
        return F.linear(x, self.weight) + self.bias


def symmetrize(x):
    return x + x.transpose(-1, -2)


def apc(x):
    a1 = x.sum(-1, keepdim=True)
    a2 = x.sum(-2, keepdim=True)
    a12 = x.sum((-1, -2), keepdim=True)
    return x - a1 * a2 / a12


class ContactPredictionHead(nn.Module):
    """fair-esm ContactPredictionHead (prepend_bos and append_eos both true for ESM-2)."""

    def __init__(self, in_features, eos_idx):
        super().__init__()
        self.eos_idx = eos_idx
        self.regression = nn.Linear(in_features, 1)

    def forward(self, tokens, attentions):
        eos_mask = tokens.ne(self.eos_idx).to(attentions)
        eos_mask = eos_mask.unsqueeze(1) * eos_mask.unsqueeze(2)
        attentions = attentions * eos_mask[:, None, None, :, :]
        attentions = attentions[..., :-1, :-1][..., 1:, 1:]
        B, Ly, Hh, T, _ = attentions.shape
        attentions = attentions.reshape(B, Ly * Hh, T, T)
        attentions = apc(symmetrize(attentions)).permute(0, 2, 3, 1)
        return torch.sigmoid(self.regression(attentions).squeeze(3))


class ESM2(nn.Module):
    """fair-esm ESM2 with the ESM-1b alphabet (33 tokens; <cls>=0 <pad>=1 <eos>=2 <mask>=32)."""

    def __init__(self, num_layers=33, embed_dim=1280, attention_heads=20, token_dropout=True,
                 contact_head=True, alphabet_size=33, padding_idx=1, mask_idx=32, cls_idx=0, eos_idx=2):
        super().__init__()
        self.num_layers = num_layers
        self.embed_dim = embed_dim
        self.attention_heads = attention_heads
        self.alphabet_size = alphabet_size
        self.padding_idx = padding_idx
        self.mask_idx = mask_idx
        self.cls_idx = cls_idx
        self.eos_idx = eos_idx
        self.token_dropout = token_dropout
        self.embed_scale = 1
        self.embed_tokens = nn.Embedding(alphabet_size, embed_dim, padding_idx=padding_idx)
        self.layers = nn.ModuleList(
            [TransformerLayer(embed_dim, 4 * embed_dim, attention_heads) for _ in range(num_layers)])
        self.contact_head = ContactPredictionHead(num_layers * attention_heads, eos_idx) if contact_head else None
        self.emb_layer_norm_after = nn.LayerNorm(embed_dim)
        self.lm_head = RobertaLMHead(embed_dim, alphabet_size, self.embed_tokens.weight)
        self.apply(self._init_bert_params)

    def _init_bert_params(self, module):
        """fairseq init_bert_params, as ESM training applies it (loaded checkpoints overwrite it)."""
        if isinstance(module, nn.Linear):
            module.weight.data.normal_(mean=0.0, std=0.02)
            if module.bias is not None:
                module.bias.data.zero_()
        elif isinstance(module, nn.Embedding):
            module.weight.data.normal_(mean=0.0, std=0.02)
            if module.padding_idx is not None:
                module.weight.data[module.padding_idx].zero_()

    def forward(self, tokens, repr_layers=[], need_head_weights=False, return_contacts=False):
        if return_contacts:
            if self.contact_head is None:
                raise ValueError("this model has no contact head")
            need_head_weights = True
        assert tokens.ndim == 2
        padding_mask = tokens.eq(self.padding_idx)
        x = self.embed_scale * self.embed_tokens(tokens)
        if self.token_dropout:
            is_mask = (tokens == self.mask_idx).unsqueeze(-1)
            x = x.masked_fill(is_mask, 0.0)
            mask_ratio_train = 0.15 * 0.8
            src_lengths = (~padding_mask).sum(-1)
            mask_ratio_observed = (tokens == self.mask_idx).sum(-1).to(x.dtype) / src_lengths
            x = x * (1 - mask_ratio_train) / (1 - mask_ratio_observed)[:, None, None]
        x = x * (1 - padding_mask.unsqueeze(-1).type_as(x))
        repr_layers = set(repr_layers)
        hidden = {}
        if 0 in repr_layers:
            hidden[0] = x
        attn_weights = []
        for layer_idx, layer in enumerate(self.layers):
            x, attn = layer(x, padding_mask)
            if (layer_idx + 1) in repr_layers:
                hidden[layer_idx + 1] = x
            if need_head_weights:
                attn_weights.append(attn)
        x = self.emb_layer_norm_after(x)
        if self.num_layers in repr_layers:
            hidden[self.num_layers] = x
        result = {"logits": self.lm_head(x), "representations": hidden}
        if need_head_weights:
            attentions = torch.stack(attn_weights, 1)  # B x layers x heads x T x T
            keep = 1 - padding_mask.type_as(attentions)
            keep = keep.unsqueeze(1) * keep.unsqueeze(2)
            attentions = attentions * keep[:, None, None, :, :]
            result["attentions"] = attentions
            if return_contacts:
                result["contacts"] = self.contact_head(tokens, attentions)
        return result


def esm2_upgrade_state_dict(state_dict):
    """fair-esm pretrained._load_model_and_alphabet_core_v2: drop 'encoder.sentence_encoder.' / 'encoder.'."""
    out = {}
    for name, p in state_dict.items():
        if name.startswith("encoder.sentence_encoder."):
            name = name[len("encoder.sentence_encoder."):]
        elif name.startswith("encoder."):
            name = name[len("encoder."):]
        out[name] = p
    return out


# ---------------------------------------------------------------------------------------------
# ProGen2
# ---------------------------------------------------------------------------------------------


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


def rotate_every_two(x):
    x1 = x[:, :, :, ::2]
    x2 = x[:, :, :, 1::2]
    return torch.stack((-x2, x1), dim=-1).flatten(-2)


def progen_sincos(rotary_dim, seq_len, like):
    inv_freq = rotary_inv_freq(rotary_dim, device=like.device)
    t = torch.arange(seq_len, device=like.device).float()
    inp = t[:, None] * inv_freq[None, :]
    return torch.sin(inp), torch.cos(inp)


def apply_rotary_pos_emb(x, sin, cos):
    # x: (B, T, H, d); sin/cos: (T, d/2) -> (1, T, 1, d) interleaved
    sin = sin[None, :, None, :].repeat_interleave(2, 3)
    cos = cos[None, :, None, :].repeat_interleave(2, 3)
    return (x * cos) + (rotate_every_two(x) * sin)


class ProGenAttention(nn.Module):
    MP_NUM = 8

    def __init__(self, cfg):
        super().__init__()
        self.embed_dim = cfg.n_embd
        self.num_attention_heads = cfg.n_head
        self.head_dim = self.embed_dim // self.num_attention_heads
        if self.head_dim * self.num_attention_heads != self.embed_dim:
            raise ValueError("n_embd must be divisible by n_head")
        if self.num_attention_heads % self.MP_NUM:
            raise ValueError("ProGen's fused qkv layout needs n_head divisible by 8")
        self.scale_attn = math.sqrt(self.head_dim)
        self.qkv_proj = nn.Linear(self.embed_dim, self.embed_dim * 3, bias=False)
        self.out_proj = nn.Linear(self.embed_dim, self.embed_dim, bias=False)
        self.rotary_dim = cfg.rotary_dim

    def _split_heads(self, x):
        # (B, T, mp, local) -> (B, T, heads, head_dim), heads ordered shard-major as in ProGen
        B, T = x.shape[0], x.shape[1]
        return x.reshape(B, T, self.num_attention_heads, self.head_dim)

    def forward(self, x, bias):
        # bias: (B or 1, 1, T, T) additive mask: -1e9 where the causal mask hides a key (ProGen's
        # masked_bias, which it sets with torch.where; adding it gives the same zero probabilities), plus
        # the HF (1 - attention_mask) * -10000 term for padded keys.
        B, T, C = x.shape
        qkv = self.qkv_proj(x).reshape(B, T, self.MP_NUM, -1)
        local_dim = self.head_dim * self.num_attention_heads // self.MP_NUM
        query, value, key = torch.split(qkv, local_dim, dim=-1)
        query, key, value = self._split_heads(query), self._split_heads(key), self._split_heads(value)
        rd = self.rotary_dim if self.rotary_dim is not None else self.head_dim
        sin, cos = progen_sincos(rd, T, x)
        if rd < self.head_dim:
            key = torch.cat([apply_rotary_pos_emb(key[..., :rd], sin, cos), key[..., rd:]], dim=-1)
            query = torch.cat([apply_rotary_pos_emb(query[..., :rd], sin, cos), query[..., rd:]], dim=-1)
        else:
            key = apply_rotary_pos_emb(key, sin, cos)
            query = apply_rotary_pos_emb(query, sin, cos)
        query = query.permute(0, 2, 1, 3).float()
        key = key.permute(0, 2, 1, 3).float()
        value = value.permute(0, 2, 1, 3)
        scores = torch.matmul(query, key.transpose(-1, -2)) / self.scale_attn + bias
        probs = F.softmax(scores, dim=-1).to(value.dtype)
        out = torch.matmul(probs, value).permute(0, 2, 1, 3).reshape(B, T, C)
        return self.out_proj(out), probs


class ProGenMLP(nn.Module):
    def __init__(self, inner, cfg):
        super().__init__()
        self.fc_in = nn.Linear(cfg.n_embd, inner)
        self.fc_out = nn.Linear(inner, cfg.n_embd)

    def forward(self, x):
        return self.fc_out(gelu_new(self.fc_in(x)))


class ProGenBlock(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        inner = cfg.n_inner if cfg.n_inner is not None else 4 * cfg.n_embd
        self.ln_1 = nn.LayerNorm(cfg.n_embd, eps=cfg.layer_norm_epsilon)
        self.attn = ProGenAttention(cfg)
        self.mlp = ProGenMLP(inner, cfg)

    def forward(self, x, bias):
        h = self.ln_1(x)
        a, probs = self.attn(h, bias)
        return a + self.mlp(h) + x, probs


class ProGenModel(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.wte = nn.Embedding(cfg.vocab_size_emb, cfg.n_embd)
        self.h = nn.ModuleList([ProGenBlock(cfg) for _ in range(cfg.n_layer)])
        self.ln_f = nn.LayerNorm(cfg.n_embd, eps=cfg.layer_norm_epsilon)


class ProGenOutput(SimpleNamespace):
    def __getitem__(self, key):
        return getattr(self, key)


PROGEN_DEFAULTS = dict(vocab_size=32, n_positions=1024, n_ctx=2048, n_embd=1024, n_layer=12, n_head=16,
                       rotary_dim=32, n_inner=None, activation_function="gelu_new", layer_norm_epsilon=1e-5,
                       initializer_range=0.02)


def progen_config(raw: dict) -> SimpleNamespace:
    """HF config.json of ProGen2 (Salesforce or hugohrban layout) -> the fields this code uses."""
    cfg = dict(PROGEN_DEFAULTS)
    cfg.update({k: v for k, v in raw.items() if v is not None or k == "n_inner"})
    if "embed_dim" in raw and "n_embd" not in raw:
        cfg["n_embd"] = raw["embed_dim"]
    cfg["vocab_size_emb"] = raw.get("vocab_size_emb", cfg["vocab_size"])
    cfg["vocab_size_lm_head"] = raw.get("vocab_size_lm_head", cfg["vocab_size"])
    act = cfg.get("activation_function", "gelu_new")
    if act not in ("gelu_new", "gelu_pytorch_tanh"):
        raise ValueError(f"activation_function {act!r} is not ProGen2's gelu_new")
    return SimpleNamespace(**cfg)


class ProGenForCausalLM(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config if isinstance(config, SimpleNamespace) else progen_config(config)
        cfg = self.config
        self.transformer = ProGenModel(cfg)
        self.lm_head = nn.Linear(cfg.n_embd, cfg.vocab_size_lm_head)
        self.apply(self._init_weights)

    def _init_weights(self, module):
        std = self.config.initializer_range
        if isinstance(module, nn.Linear):
            module.weight.data.normal_(mean=0.0, std=std)
            if module.bias is not None:
                module.bias.data.zero_()
        elif isinstance(module, nn.Embedding):
            module.weight.data.normal_(mean=0.0, std=std)
        elif isinstance(module, nn.LayerNorm):
            module.bias.data.zero_()
            module.weight.data.fill_(1.0)

    def forward(self, input_ids, attention_mask: Optional[torch.Tensor] = None, output_attentions=False,
                output_hidden_states=False, return_dict=True, **unused):
        for k, v in unused.items():
            if v is not None and k not in ("use_cache", "labels"):
                raise ValueError(f"unsupported argument {k}")
        T = input_ids.shape[1]
        pos = torch.arange(T, device=input_ids.device)
        causal = pos[None, :] <= pos[:, None]  # key j visible from query i when j <= i
        bias = torch.where(causal, torch.zeros((), dtype=torch.float32), torch.full((), -1e9))[None, None]
        if attention_mask is not None:
            m = attention_mask[:, None, None, :].to(torch.float32)
            bias = bias + (1.0 - m) * -10000.0
        x = self.transformer.wte(input_ids)
        hidden_states = [x] if output_hidden_states else None
        attentions = [] if output_attentions else None
        for block in self.transformer.h:
            x, probs = block(x, bias)
            if output_hidden_states:
                hidden_states.append(x)
            if output_attentions:
                attentions.append(probs)
        x = self.transformer.ln_f(x)
        if output_hidden_states:
            hidden_states[-1] = x
        logits = self.lm_head(x).to(torch.float32)
        return ProGenOutput(logits=logits, last_hidden_state=x,
                            hidden_states=tuple(hidden_states) if hidden_states is not None else None,
                            attentions=tuple(attentions) if attentions is not None else None)


PROGEN_IGNORED_KEYS = ("attn.bias", "attn.masked_bias")


def progen_clean_state_dict(state_dict):
    """Drops the causal-mask buffers that ProGen2/GPT-J checkpoints may carry."""
    return {k: v for k, v in state_dict.items() if not k.endswith(PROGEN_IGNORED_KEYS)}


# ---------------------------------------------------------------------------------------------
# Parameter accounting (README.md, model card: params = non-embedding = total - token embedding - position
# embeddings - untied output projection/bias over the vocabulary)
# ---------------------------------------------------------------------------------------------


def count_params(model):
    """Returns (non_embedding, total) for an ESM2 or ProGenForCausalLM instance; shared tensors once.
    ESM-2's contact regression (fitted on attention maps after pre-training) counts in the total only."""
    seen, total = set(), 0
    for p in model.parameters():
        if id(p) not in seen:
            seen.add(id(p))
            total += p.numel()
    if isinstance(model, ESM2):
        emb = model.embed_tokens.weight.numel() + model.lm_head.bias.numel()  # lm_head.weight is tied
        if model.contact_head is not None:  # fitted after pre-training: in the total only, as results/baselines
            emb += sum(p.numel() for p in model.contact_head.parameters())
    elif isinstance(model, ProGenForCausalLM):
        emb = model.transformer.wte.weight.numel() + model.lm_head.weight.numel() + model.lm_head.bias.numel()
    else:
        raise TypeError(type(model).__name__)
    return total - emb, total
