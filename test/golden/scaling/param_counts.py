"""Independent count of ESM-2 and ProGen2 parameters from their architectures (module by module, as the
reference code builds them), and the compute C = 6 N D the registry should hold. Prints JSON.

ESM-2 (fair-esm esm/model/esm2.py, esm/modules.py): embed_tokens V x d (tied to the LM head), per layer
q/k/v/out projections d x d + bias, two LayerNorms (2d each), fc1 d x 4d + 4d, fc2 4d x d + d; final
emb_layer_norm_after (2d); RobertaLMHead dense d x d + d, layer_norm 2d, bias V (weight tied); the contact
head's regression Linear(layers * heads, 1). Rotary position embeddings have no parameters.
ProGen2 (salesforce/progen modeling_progen.py, GPT-J style): wte V_emb x d, per layer ln_1 (2d), qkv_proj
d x 3d and out_proj d x d without bias, fc_in d x 4d + 4d, fc_out 4d x d + d; ln_f (2d); untied lm_head
d x V_lm + V_lm. Rotary, no position table.

Non-embedding N (the compute convention): everything except vocabulary-indexed tensors (token embedding,
output projection and output bias) and, for ESM-2, the contact head (fitted after pre-training).
Run: python3 test/golden/scaling/param_counts.py > test/golden/scaling/param_counts.json
"""
import json


def linear(i, o, bias=True):
    return i * o + (o if bias else 0)


def esm2(layers, d, heads, V=33):
    layer = 4 * linear(d, d) + 2 * d + linear(d, 4 * d) + linear(4 * d, d) + 2 * d
    body = layers * layer + 2 * d  # + emb_layer_norm_after
    lm_head_non_vocab = linear(d, d) + 2 * d  # dense + layer_norm
    embed = V * d
    lm_bias = V
    contact = linear(layers * heads, 1)
    total = body + lm_head_non_vocab + embed + lm_bias + contact
    non_embedding = body + lm_head_non_vocab
    return {"total": total, "nonEmbedding": non_embedding, "embedding": embed + lm_bias, "contactHead": contact}


def progen2(layers, d, V_emb=32, V_lm=32):
    layer = 2 * d + linear(d, 3 * d, False) + linear(d, d, False) + linear(d, 4 * d) + linear(4 * d, d)
    body = layers * layer + 2 * d  # + ln_f
    embed = V_emb * d
    lm_head = linear(d, V_lm)
    return {"total": body + embed + lm_head, "nonEmbedding": body, "embedding": embed + lm_head}


out = {
    "esm2-8m": dict(esm2(6, 320, 20), tokens=500_000 * 2_000_000),
    "esm2-35m": dict(esm2(12, 480, 20), tokens=500_000 * 2_000_000),
    "esm2-150m": dict(esm2(30, 640, 20), tokens=500_000 * 2_000_000),
    "esm2-650m": dict(esm2(33, 1280, 20), tokens=500_000 * 2_000_000),
    "esm2-3b": dict(esm2(36, 2560, 40), tokens=500_000 * 2_000_000),
    "esm2-15b": dict(esm2(48, 5120, 40), tokens=270_000 * 2_000_000),
    "progen2-small": dict(progen2(12, 1024), tokens=350_000_000_000),
    "progen2-medium": dict(progen2(27, 1536), tokens=350_000_000_000),
    "progen2-base": dict(progen2(27, 1536), tokens=350_000_000_000),
    "progen2-large": dict(progen2(32, 2560, 51200, 51200), tokens=350_000_000_000),
    "progen2-xlarge": dict(progen2(32, 4096), tokens=350_000_000_000),
}
for v in out.values():
    v["flops"] = 6 * v["nonEmbedding"] * v["tokens"]
print(json.dumps(out, indent=2, sort_keys=True))
