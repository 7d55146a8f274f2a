#!/usr/bin/python3
"""Cross-checks models/train/plm_models.py against independent implementations in Hugging Face
transformers, when it is installed (it is not on the Debian machines; it was run on the project's GPU
machine, see models/README.md):

* ESM2 vs transformers' EsmForMaskedLM (a port of fair-esm), weights renamed as transformers'
  convert_esm.py does; compared: logits, last hidden state (after emb_layer_norm_after), attentions,
  contacts; inputs include a <mask> token (token dropout) and a right-padded batch.
* ProGenForCausalLM vs transformers' GPTJForCausalLM: ProGen2 is GPT-J with a fused qkv projection, so
  the qkv weight is cut into q_proj / k_proj / v_proj following ProGen's mp_num=8 layout; compared:
  logits and last hidden state at real positions, attentions of unpadded inputs.

Prints one JSON object with the largest absolute differences; exit code 1 when one exceeds 1e-4.
Usage: check_reference_hf.py [--device cuda]
"""
import argparse
import json
import os
import sys
import traceback

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "train"))

TOL = 1e-4


def progen_qkv_to_gptj(w_qkv, n_head, mp_num=8):
    """ProGen qkv_proj.weight [3D, D] -> (q, k, v) weights [D, D] in GPT-J's head order."""
    D = w_qkv.shape[1]
    local = D // mp_num
    w = w_qkv.reshape(mp_num, 3, local, D)  # per shard: query, value, key
    q = w[:, 0].reshape(D, D)
    v = w[:, 1].reshape(D, D)
    k = w[:, 2].reshape(D, D)
    return q, k, v


def esm_to_hf(sd):
    out = {}
    for k, v in sd.items():
        if k.endswith("rot_emb.inv_freq"):
            continue
        n = k
        if k == "embed_tokens.weight":
            n = "esm.embeddings.word_embeddings.weight"
        elif k.startswith("layers."):
            parts = k.split(".")
            i, rest = parts[1], ".".join(parts[2:])
            rest = (rest.replace("self_attn.q_proj", "attention.self.query")
                    .replace("self_attn.k_proj", "attention.self.key")
                    .replace("self_attn.v_proj", "attention.self.value")
                    .replace("self_attn.out_proj", "attention.output.dense")
                    .replace("self_attn_layer_norm", "attention.LayerNorm")
                    .replace("fc1", "intermediate.dense")
                    .replace("fc2", "output.dense")
                    .replace("final_layer_norm", "LayerNorm"))
            n = f"esm.encoder.layer.{i}.{rest}"
        elif k.startswith("emb_layer_norm_after"):
            n = "esm.encoder." + k
        elif k.startswith("contact_head"):
            n = "esm." + k
        elif k == "lm_head.weight":
            n = "lm_head.decoder.weight"
        out[n] = v
    return out


def check_esm(torch, device):
    from transformers import EsmConfig, EsmForMaskedLM
    from plm_models import ESM2
    import plm_data as D

    torch.manual_seed(3)
    ours = ESM2(num_layers=3, embed_dim=96, attention_heads=6, token_dropout=True, contact_head=True)
    for name, p in ours.named_parameters():
        p.data = (1.0 if "norm" in name and name.endswith("weight") else 0.0) + 0.1 * torch.randn(p.shape)
    ours.eval().to(device)
    cfg = EsmConfig(vocab_size=33, hidden_size=96, num_hidden_layers=3, num_attention_heads=6,
                    intermediate_size=384, hidden_act="gelu", position_embedding_type="rotary", token_dropout=True,
                    mask_token_id=32, pad_token_id=1, emb_layer_norm_before=False, layer_norm_eps=1e-5,
                    max_position_embeddings=1026, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
    try:
        hf = EsmForMaskedLM._from_config(cfg, attn_implementation="eager")
    except Exception:  # noqa: BLE001
        cfg._attn_implementation = "eager"
        hf = EsmForMaskedLM(cfg)
    missing, unexpected = hf.load_state_dict(esm_to_hf(ours.state_dict()), strict=False)
    hf.eval().to(device)
    seqs = ["MKTAYIAKQRQISFVKSHFSRQ", "MSDNLVEVAWAL", "MGSSHHHHHHSSGLVPRGSHM"]
    ids = [D.esm_encode(s) for s in seqs]
    ids[0][5] = D.ESM_MASK
    L = max(map(len, ids))
    tok = torch.full((len(ids), L), D.ESM_PAD, dtype=torch.long)
    for i, t in enumerate(ids):
        tok[i, : len(t)] = torch.tensor(t)
    tok = tok.to(device)
    att = tok.ne(D.ESM_PAD).long()
    with torch.no_grad():
        r = ours(tok, repr_layers=[3], need_head_weights=True, return_contacts=True)
        h = hf(input_ids=tok, attention_mask=att, output_hidden_states=True, output_attentions=True)
        hc = hf.esm.predict_contacts(tok, attention_mask=att)
    real = att.bool()
    res = {
        "missing_keys": [k for k in missing if k in dict(hf.named_parameters())],
        "unexpected_keys": list(unexpected),
        "logits": float((r["logits"] - h.logits)[real].abs().max()),
        "hidden_states": float((r["representations"][3] - h.hidden_states[-1])[real].abs().max()),
        "attentions": float(max(((r["attentions"][:, i] - a) * real[:, None, :, None] * real[:, None, None, :]).abs().max()
                                for i, a in enumerate(h.attentions))),
        "contacts": float((r["contacts"] - hc).abs().max()),
    }
    return res


def check_progen(torch, device):
    from transformers import GPTJConfig, GPTJForCausalLM
    from plm_models import ProGenForCausalLM, progen_config
    import plm_data as D

    torch.manual_seed(4)
    raw = dict(vocab_size=32, n_positions=256, n_ctx=256, n_embd=128, n_layer=3, n_head=16, rotary_dim=4,
               n_inner=None, activation_function="gelu_new", layer_norm_epsilon=1e-5, initializer_range=0.02)
    ours = ProGenForCausalLM(progen_config(raw))
    for name, p in ours.named_parameters():
        p.data = (1.0 if "ln" in name and name.endswith("weight") else 0.0) + 0.1 * torch.randn(p.shape)
    ours.eval().to(device)
    cfg = GPTJConfig(vocab_size=32, n_positions=256, n_embd=128, n_layer=3, n_head=16, rotary_dim=4, n_inner=None,
                     activation_function="gelu_new", layer_norm_epsilon=1e-5, resid_pdrop=0.0, embd_pdrop=0.0,
                     attn_pdrop=0.0, tie_word_embeddings=False)
    try:
        hf = GPTJForCausalLM._from_config(cfg, attn_implementation="eager")
    except Exception:  # noqa: BLE001
        cfg._attn_implementation = "eager"
        hf = GPTJForCausalLM(cfg)
    sd = {}
    for k, v in ours.state_dict().items():
        if k.endswith("attn.qkv_proj.weight"):
            q, kk, vv = progen_qkv_to_gptj(v.cpu(), 16)
            base = k[: -len("qkv_proj.weight")]
            sd[base + "q_proj.weight"], sd[base + "k_proj.weight"], sd[base + "v_proj.weight"] = q, kk, vv
        else:
            sd[k] = v.cpu()
    missing, unexpected = hf.load_state_dict(sd, strict=False)
    hf.eval().to(device)
    seqs = ["MKTAYIAKQRQISFVKSHFSRQ", "MSDNLVEVAWAL", "MGSSHHHHHHSSGLVPRGSHM"]
    ids = [D.progen_encode(s, reverse=(i == 1)) for i, s in enumerate(seqs)]
    L = max(map(len, ids))
    tok = torch.full((len(ids), L), D.PG_PAD, dtype=torch.long)
    for i, t in enumerate(ids):
        tok[i, : len(t)] = torch.tensor(t)
    tok = tok.to(device)
    att = tok.ne(D.PG_PAD).long()
    real = att.bool()
    with torch.no_grad():
        o = ours(tok, attention_mask=att, output_hidden_states=True, output_attentions=True)
        h = hf(input_ids=tok, attention_mask=att, output_hidden_states=True, output_attentions=True)
        t0 = tok[:1, : len(ids[0])]
        o1 = ours(t0, attention_mask=torch.ones_like(t0), output_attentions=True)
        h1 = hf(input_ids=t0, attention_mask=torch.ones_like(t0), output_attentions=True)
    return {
        "missing_keys": [k for k in missing if k in dict(hf.named_parameters())],
        "unexpected_keys": list(unexpected),
        "logits": float((o.logits - h.logits)[real].abs().max()),
        "hidden_states": float((o.hidden_states[-1] - h.hidden_states[-1])[real].abs().max()),
        "attentions_unpadded": float(max((a - b).abs().max() for a, b in zip(o1.attentions, h1.attentions))),
    }


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--device", default="cpu")
    a = p.parse_args()
    import torch

    out = {"torch": torch.__version__}
    try:
        import transformers

        out["transformers"] = transformers.__version__
    except ImportError:
        print(json.dumps({"skipped": "transformers is not installed"}))
        return 0
    ok = True
    for name, fn in (("esm2_vs_EsmForMaskedLM", check_esm), ("progen2_vs_GPTJForCausalLM", check_progen)):
        try:
            r = fn(torch, a.device)
            r["ok"] = all(v <= TOL for k, v in r.items() if isinstance(v, float)) and not r["missing_keys"] \
                and not r["unexpected_keys"]
        except Exception as e:  # noqa: BLE001
            r = {"ok": False, "error": f"{type(e).__name__}: {e}", "trace": traceback.format_exc()[-2000:]}
        ok = ok and r["ok"]
        out[name] = r
    print(json.dumps(out, indent=1))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
