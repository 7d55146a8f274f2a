"""Golden values for the contacts task, computed independently of plmbench with PyTorch / NumPy.

1. `apc`: ESM's ContactPredictionHead (facebookresearch/esm, esm/modules.py: symmetrize, apc, the head's
   removal of the eos and bos tokens, Linear + sigmoid) applied to a random attention tensor of one
   unpadded sequence; the TS test feeds the same maps padded by one junk position and must match.
2. `precision`: ESM's `compute_precisions` (examples/contact_prediction.ipynb, ranges short 6-11,
   medium 12-23, long >= 24; P@L, P@L/2, P@L/5) transcribed WITHOUT its `override_length` line, i.e. with
   L = sequence length: the contacts task's `seqres` convention (chainPrecision's default lengthForK). The
   task's default `esm` convention (L = observed residues) is checked against ESM's notebook functions
   loaded unchanged, by make_esm_golden.py beside this script; and TAPE's
   `compute_precision_at_l5` (pooled over proteins), on random scores and targets with unobserved residues
   (target -1), in cases with at least L candidates per range (where ESM's masking quirks do not matter).

Run with a Python that has torch and numpy:  /usr/bin/python3 test/golden/contacts/make_golden.py
"""
import json
import os

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden.json")


def symmetrize(x):
    return x + x.transpose(-1, -2)


def apc(x):
    a1 = x.sum(-1, keepdims=True)
    a2 = x.sum(-2, keepdims=True)
    a12 = x.sum((-1, -2), keepdims=True)
    avg = a1 * a2
    avg.div_(a12)
    return x - avg


def esm_head_features(tokens, attentions, eos_idx=2):
    """ContactPredictionHead.forward up to the regression: B x C x T x T features over residues."""
    eos_mask = tokens.ne(eos_idx).to(attentions)
    eos_mask = eos_mask.unsqueeze(1) * eos_mask.unsqueeze(2)
    attentions = attentions * eos_mask[:, None, None, :, :]
    attentions = attentions[..., :-1, :-1]
    attentions = attentions[..., 1:, 1:]
    b, layers, heads, seqlen, _ = attentions.size()
    attentions = attentions.view(b, layers * heads, seqlen, seqlen)
    return apc(symmetrize(attentions))


def apc_case(seed, layers, heads, residues):
    g = torch.Generator().manual_seed(seed)
    T = residues + 2
    logits = torch.randn(1, layers, heads, T, T, generator=g, dtype=torch.float64) * 2
    att = torch.softmax(logits, dim=-1)
    tokens = torch.tensor([[0] + [4 + (k % 20) for k in range(residues)] + [2]])
    feats = esm_head_features(tokens, att)[0]  # C x n x n
    C = layers * heads
    weight = torch.randn(C, generator=g, dtype=torch.float64)
    bias = float(torch.randn(1, generator=g, dtype=torch.float64))
    prob = torch.sigmoid(torch.einsum("cij,c->ij", feats, weight) + bias)
    pairs = [(i, j) for i in range(residues) for j in range(i + 6, residues)]
    return {
        "layers": layers,
        "heads": heads,
        "residues": residues,
        "attentions": att[0].reshape(-1).tolist(),  # [layers, heads, T, T], T = residues + 2
        "features": [[float(feats[c, i, j]) for (i, j) in pairs] for c in range(C)],
        "meanFeature": [float(feats[:, i, j].mean()) for (i, j) in pairs],
        "weight": weight.tolist(),
        "bias": bias,
        "probability": [float(prob[i, j]) for (i, j) in pairs],
    }


def compute_precisions(predictions, targets, minsep=6, maxsep=None):
    """ESM's examples/contact_prediction.ipynb compute_precisions, batch of 1, no override_length."""
    predictions = predictions.unsqueeze(0)
    targets = targets.unsqueeze(0)
    batch_size, seqlen, _ = predictions.size()
    seqlen_range = torch.arange(seqlen)
    sep = seqlen_range.unsqueeze(0) - seqlen_range.unsqueeze(1)
    sep = sep.unsqueeze(0)
    valid_mask = sep >= minsep
    valid_mask = valid_mask & (targets >= 0)
    if maxsep is not None:
        valid_mask &= sep < maxsep
    src_lengths = torch.full([batch_size], seqlen, dtype=torch.long)
    predictions = predictions.masked_fill(~valid_mask, float("-inf"))
    x_ind, y_ind = np.triu_indices(seqlen, minsep)
    predictions_upper = predictions[:, x_ind, y_ind]
    targets_upper = targets[:, x_ind, y_ind]
    topk = seqlen
    indices = predictions_upper.argsort(dim=-1, descending=True)[:, :topk]
    topk_targets = targets_upper[torch.arange(batch_size).unsqueeze(1), indices]
    if topk_targets.size(1) < topk:
        topk_targets = torch.nn.functional.pad(topk_targets, [0, topk - topk_targets.size(1)])
    cumulative_dist = topk_targets.type_as(predictions).cumsum(-1)
    gather_lengths = src_lengths.unsqueeze(1)
    gather_indices = (torch.arange(0.1, 1.1, 0.1).unsqueeze(0) * gather_lengths).type(torch.long) - 1
    binned_cumulative_dist = cumulative_dist.gather(1, gather_indices)
    binned_precisions = binned_cumulative_dist / (gather_indices + 1).type_as(binned_cumulative_dist)
    return {"l5": float(binned_precisions[0, 1]), "l2": float(binned_precisions[0, 4]), "l": float(binned_precisions[0, 9])}


def tape_l5(probs_list, labels_list):
    """TAPE's compute_precision_at_l5 (labels -1 = ignore), pooled over proteins."""
    correct = 0.0
    total = 0
    for prob, label in zip(probs_list, labels_list):
        length = prob.shape[0]
        seqpos = torch.arange(length)
        x_ind, y_ind = torch.meshgrid(seqpos, seqpos, indexing="ij")
        mask = (label != -1) & ((y_ind - x_ind) >= 6)
        masked_prob = (prob * mask.to(prob)).view(-1)
        most_likely = masked_prob.topk(length // 5, sorted=False)
        selected = label.view(-1).gather(0, most_likely.indices)
        correct += float(selected.sum())
        total += selected.numel()
    return correct / total


def precision_case(seed, L, unobserved_fraction, signal):
    rng = np.random.default_rng(seed)
    # A compact random chain: 3.8 A steps, reflected back into a sphere of a protein's radius.
    radius = 2.2 * L ** 0.38 * 1.3
    coords = np.zeros((L, 3))
    for k in range(1, L):
        step = rng.normal(size=3)
        step *= 3.8 / np.linalg.norm(step)
        nxt = coords[k - 1] + step
        if np.linalg.norm(nxt) > radius:
            nxt = coords[k - 1] - step
        coords[k] = nxt
    dist = np.linalg.norm(coords[:, None, :] - coords[None, :, :], axis=-1)
    contact = (dist < 8.0).astype(np.int64)
    observed = rng.random(L) >= unobserved_fraction
    target = contact.copy()
    target[~observed, :] = -1
    target[:, ~observed] = -1
    noise = rng.random((L, L))
    score = signal * (1.0 / (1.0 + dist)) + noise
    score = np.round((score + score.T) / 2, 7)
    pred = torch.tensor(score)
    tgt = torch.tensor(target)
    out = {}
    for name, lo, hi in [("short", 6, 12), ("medium", 12, 24), ("long", 24, None)]:
        out[name] = compute_precisions(pred, tgt, minsep=lo, maxsep=hi)
    return {
        "L": L,
        "observed": "".join(str(v) for v in observed.astype(int)),
        "contacts": "".join(str(v) for v in contact.reshape(-1)),
        "scores": score.reshape(-1).tolist(),
        "esm": out,
    }, pred, tgt


def main():
    apc_cases = [apc_case(1, 2, 3, 14), apc_case(2, 1, 4, 9)]
    precision_cases = []
    probs, labels = [], []
    for seed, L, unobs, signal in [(11, 80, 0.1, 3.0), (12, 64, 0.0, 1.0), (13, 97, 0.15, 6.0)]:
        case, pred, tgt = precision_case(seed, L, unobs, signal)
        precision_cases.append(case)
        probs.append(pred)
        labels.append(tgt)
    golden = {
        "meta": {"generator": "test/golden/contacts/make_golden.py", "torch": torch.__version__, "numpy": np.__version__},
        "apc": apc_cases,
        "precision": precision_cases,
        "tapeL5Pooled": tape_l5(probs, labels),
    }
    with open(OUT, "w") as f:
        json.dump(golden, f)
        f.write("\n")


if __name__ == "__main__":
    main()
