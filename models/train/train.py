#!/usr/bin/python3
"""Trains the bundled example models on the proteomes in $PLMBENCH_SOURCE_DATA/sequences/.

  train.py --objective mlm --out models/train/out/plm-mlm-mini [--layers 6 --dim 128 --heads 8 --steps N]
  train.py --objective clm --out models/train/out/plm-clm-mini [...]

mlm: fair-esm ESM2 architecture (plm_models.ESM2), esm vocabulary, each residue selected with
     probability 0.15, of which 80% -> <mask>, 10% -> a random standard amino acid, 10% unchanged; loss on
     the selected positions; token dropout as ESM-2.
clm: ProGen2 architecture (plm_models.ProGenForCausalLM), progen2 vocabulary, each example N-to-C
     (`1` + residues + `2`) or C-to-N (`2` + reversed residues + `1`) with probability 1/2; next-token loss.

Examples are windows of at most --crop-short tokens for the first --short-frac of the steps and of at
most --crop tokens after (cheaper attention first, long positions at the end); a random window when the
tokenized sequence is longer (terminal tokens are kept only where the window reaches the terminus),
packed into batches of at most --batch-tokens tokens (padding included). Validation loss on the validation split (SPLIT.md), every
--eval-every steps on its first 96 sequences and at the end on all of it. Writes checkpoint.pt (the
project checkpoint format read by models/export/) and train_log.json to --out. Seeded: data order and
masks come from CPU generators, so they are the same on any device; on the CPU the same arguments give
the same weights for the same torch build and thread count (GPU kernels are not bit-reproducible).
Defaults are the settings of the committed example models (models/README.md).
"""
import argparse
import json
import math
import os
import platform
import random
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plm_data as D  # noqa: E402
from plm_models import ESM2, ProGenForCausalLM, count_params, progen_config  # noqa: E402

STANDARD_AA = "ACDEFGHIKLMNPQRSTVWY"
ESM_AA_IDS = torch.tensor([D.ESM[c] for c in STANDARD_AA])


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--objective", choices=["mlm", "clm"], required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--layers", type=int, default=6)
    p.add_argument("--dim", type=int, default=128)
    p.add_argument("--heads", type=int, default=8)
    p.add_argument("--rotary-dim", type=int, default=None, help="clm: rotary dims per head (default head_dim/2)")
    p.add_argument("--crop", type=int, default=512, help="maximum tokens per example, special tokens included")
    p.add_argument("--crop-short", type=int, default=256, help="crop of the first --short-frac of the steps")
    p.add_argument("--short-frac", type=float, default=0.75)
    p.add_argument("--batch-tokens", type=int, default=3072)
    p.add_argument("--steps", type=int, default=2400)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--warmup", type=int, default=80)
    p.add_argument("--weight-decay", type=float, default=0.01)
    p.add_argument("--eval-every", type=int, default=200)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--device", default="cpu", help="cpu or cuda")
    p.add_argument("--npz", action="store_true", help="also write the weights as weights.npz")
    p.add_argument("--val-max", type=int, default=0, help="use only the first N validation sequences (smoke tests)")
    p.add_argument("--split-file", help="accession/organism/part/sequence TSV(.gz) from make_split.py "
                                        "(default: build the split from $PLMBENCH_SOURCE_DATA)")
    return p.parse_args(argv)


def build_model(args):
    if args.objective == "mlm":
        cfg = dict(num_layers=args.layers, embed_dim=args.dim, attention_heads=args.heads, token_dropout=True,
                   contact_head=False)
        return ESM2(**cfg), cfg
    head_dim = args.dim // args.heads
    cfg = dict(vocab_size=32, n_positions=args.crop, n_ctx=args.crop, n_embd=args.dim, n_layer=args.layers,
               n_head=args.heads, rotary_dim=args.rotary_dim or head_dim // 2, n_inner=None,
               activation_function="gelu_new", layer_norm_epsilon=1e-5, initializer_range=0.02)
    return ProGenForCausalLM(progen_config(cfg)), cfg


def tokenize(objective, seq, reverse=False):
    return D.esm_encode(seq) if objective == "mlm" else D.progen_encode(seq, reverse=reverse)


def window(ids, crop, rng):
    if len(ids) <= crop:
        return ids
    start = rng.randrange(0, len(ids) - crop + 1)
    return ids[start : start + crop]


def pad_batch(examples, pad):
    L = max(len(e) for e in examples)
    out = torch.full((len(examples), L), pad, dtype=torch.long)
    for i, e in enumerate(examples):
        out[i, : len(e)] = torch.tensor(e, dtype=torch.long)
    return out


def batches_from_pool(examples, batch_tokens, rng):
    """Sorts a pool of examples by length and cuts it into batches of at most batch_tokens (B * Lmax)."""
    examples = sorted(examples, key=len)
    batches, cur = [], []
    for e in examples:
        if cur and (len(cur) + 1) * max(len(e), len(cur[-1])) > batch_tokens:
            batches.append(cur)
            cur = []
        cur.append(e)
    if cur:
        batches.append(cur)
    rng.shuffle(batches)
    return batches


class Stream:
    """Endless seeded stream of training batches (epochs of shuffled sequences, pools of 512 windows)."""

    def __init__(self, seqs, objective, crop, batch_tokens, rng):
        self.seqs, self.objective, self.crop, self.batch_tokens, self.rng = seqs, objective, crop, batch_tokens, rng
        self.order, self.pos, self.queue, self.epoch = [], 0, [], 0
        self.tokens_seen = 0

    def _next_seq(self):
        if self.pos >= len(self.order):
            self.order = list(range(len(self.seqs)))
            self.rng.shuffle(self.order)
            self.pos = 0
            self.epoch += 1
        s = self.seqs[self.order[self.pos]]
        self.pos += 1
        return s

    def next(self):
        if not self.queue:
            pool = []
            for _ in range(512):
                seq = self._next_seq()
                rev = self.objective == "clm" and self.rng.random() < 0.5
                pool.append(window(tokenize(self.objective, seq, rev), self.crop, self.rng))
            self.queue = batches_from_pool(pool, self.batch_tokens, self.rng)
        return self.queue.pop()


def mlm_corrupt(tokens, gen):
    """15% of residue positions selected; 80% <mask>, 10% random standard residue, 10% unchanged."""
    residue = tokens > D.ESM_UNK  # ids 4..30 are residue letters here (no <null_1>/<mask> in inputs)
    r = torch.rand(tokens.shape, generator=gen)
    selected = residue & (r < 0.15)
    action = torch.rand(tokens.shape, generator=gen)
    inputs = tokens.clone()
    inputs[selected & (action < 0.8)] = D.ESM_MASK
    rand_pos = selected & (action >= 0.8) & (action < 0.9)
    rand_ids = ESM_AA_IDS[torch.randint(0, len(ESM_AA_IDS), tokens.shape, generator=gen)]
    inputs[rand_pos] = rand_ids[rand_pos]
    targets = torch.where(selected, tokens, torch.full_like(tokens, -100))
    return inputs, targets


def loss_on(model, objective, tokens, gen=None, device="cpu"):
    """Returns (sum of token losses, number of predicted tokens). Masking draws on the CPU generator, so
    a seed gives the same masks on any device."""
    if objective == "mlm":
        inputs, targets = mlm_corrupt(tokens, gen)
        inputs, targets = inputs.to(device), targets.to(device)
        logits = model(inputs)["logits"]
    else:
        tokens = tokens.to(device)
        mask = tokens.ne(D.PG_PAD).long()
        logits = model(tokens, attention_mask=mask).logits[:, :-1]
        targets = tokens[:, 1:].masked_fill(mask[:, 1:] == 0, -100)
    n = int((targets != -100).sum())
    loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=-100,
                           reduction="sum")
    return loss, n


@torch.no_grad()
def evaluate(model, objective, seqs, crop, batch_tokens, device="cpu"):
    """Validation loss (nats per predicted token). Windows: consecutive non-overlapping crops of each
    sequence; mlm masking from a fixed generator; clm in the N-to-C direction."""
    model.eval()
    gen = torch.Generator().manual_seed(12345)
    examples = []
    for s in seqs:
        ids = tokenize(objective, s)
        for i in range(0, len(ids), crop):
            w = ids[i : i + crop]
            if len(w) >= 2:
                examples.append(w)
    pad = D.ESM_PAD if objective == "mlm" else D.PG_PAD
    total, count = 0.0, 0
    for b in batches_from_pool(examples, batch_tokens * 2, random.Random(0)):
        loss, n = loss_on(model, objective, pad_batch(b, pad), gen, device)
        total += float(loss)
        count += n
    model.train()
    return total / max(1, count)


def read_split(path):
    import gzip

    opener = gzip.open if path.endswith(".gz") else open
    out = []
    with opener(path, "rt") as f:
        for line in f:
            acc, org, part, seq = line.rstrip("\n").split("\t")
            out.append({"accession": acc, "organism": org, "part": part, "seq": seq})
    return out


def data_summary(records, objective):
    """What the card's training object says about the data (see SPLIT.md)."""
    import collections

    train = [r["seq"] for r in records if r["part"] == "train"]
    val = [r["seq"] for r in records if r["part"] == "val"]
    comp = collections.Counter(c for s in train for c in s)
    tot = sum(comp.values())
    n_val = sum(len(s) for s in val)
    unigram = -sum(math.log(comp[c] / tot) for s in val for c in s if c in comp) / max(1, n_val)
    parts = collections.Counter(r["part"] for r in records)
    return {
        "data": "UniProt reference proteomes UP000000625 (E. coli K-12) and UP000002311 (S. cerevisiae), "
                "CC BY 4.0; split and exclusions in models/train/SPLIT.md",
        "split": {"train": parts["train"], "validation": parts["val"], "excluded": parts["excluded"],
                  "duplicate": parts["duplicate"], "trainResidues": tot, "validationResidues": n_val},
        "valMetric": ("cross-entropy (nats) on the masked positions of the validation set, 15% masked with the "
                      "80/10/10 rule from a fixed seed; perplexity = exp of it (not the pseudo-perplexity)"
                      if objective == "mlm" else
                      "cross-entropy (nats) per predicted token (residues and the closing '2') of the validation "
                      "set, N-to-C; perplexity = exp of it"),
        "baselines": {"uniform20Perplexity": 20.0,
                      "unigramValCrossEntropy": round(unigram, 4),
                      "unigramValPerplexity": round(math.exp(unigram), 3)},
    }


def hardware(args):
    if args.device.startswith("cuda"):
        return f"{torch.cuda.get_device_name()}, torch {torch.__version__}"
    return f"{platform.processor() or platform.machine()}, {args.threads} CPU threads, torch {torch.__version__}"


def lr_at(step, args):
    if step < args.warmup:
        return args.lr * (step + 1) / args.warmup
    frac = (step - args.warmup) / max(1, args.steps - args.warmup)
    return args.lr * (1.0 - 0.9 * frac)  # linear decay to 10% of the peak, as ESM-2


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)

    records = read_split(args.split_file) if args.split_file else D.build_split()["records"]
    train = [r["seq"] for r in records if r["part"] == "train"]
    val = [r["seq"] for r in records if r["part"] == "val"]
    if args.val_max:
        val = val[: args.val_max]
    model, cfg = build_model(args)
    model.to(args.device)
    nonemb, total = count_params(model)
    print(f"{args.objective}: {nonemb} non-embedding / {total} parameters; {len(train)} train, {len(val)} val sequences",
          file=sys.stderr)

    decay, no_decay = [], []
    for name, p in model.named_parameters():
        (no_decay if p.ndim < 2 or "norm" in name or "ln_" in name else decay).append(p)
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=args.lr, betas=(0.9, 0.98), eps=1e-8)
    stream = Stream(train, args.objective, args.crop, args.batch_tokens, rng)
    pad = D.ESM_PAD if args.objective == "mlm" else D.PG_PAD
    curve, run_loss, run_n = [], 0.0, 0
    tokens_seen = 0
    t0, c0 = time.time(), time.process_time()
    model.train()
    short_steps = int(args.short_frac * args.steps)
    for step in range(args.steps):
        stream.crop = args.crop_short if step < short_steps else args.crop
        for g in opt.param_groups:
            g["lr"] = lr_at(step, args)
        tokens = pad_batch(stream.next(), pad)
        tokens_seen += int(tokens.ne(pad).sum())
        loss_sum, n = loss_on(model, args.objective, tokens, gen, args.device)
        loss = loss_sum / max(1, n)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        run_loss += float(loss_sum.detach())
        run_n += n
        if (step + 1) % 50 == 0:
            print(f"  step {step + 1} loss {float(loss.detach()):.4f} {time.time() - t0:.0f} s", file=sys.stderr, flush=True)
        last = step + 1 == args.steps
        if (step + 1) % args.eval_every == 0 or last:
            vl = evaluate(model, args.objective, val if last else val[:96], args.crop, args.batch_tokens, args.device)
            tl = run_loss / max(1, run_n)
            curve.append([step + 1, round(tl, 4), round(vl, 4)])
            run_loss, run_n = 0.0, 0
            el = time.time() - t0
            print(f"step {step + 1} train {tl:.4f} val {vl:.4f} tokens {tokens_seen} epoch {stream.epoch} "
                  f"{el / 60:.1f} min", file=sys.stderr, flush=True)
    wall, cpu = time.time() - t0, time.process_time() - c0
    final_val = curve[-1][2]
    log = {
        "objective": args.objective,
        "config": cfg,
        "args": vars(args),
        "paramsNonEmbedding": nonemb,
        "paramsTotal": total,
        "trainTokens": tokens_seen,
        **data_summary(records, args.objective),
        "steps": args.steps,
        "epochs": round(tokens_seen / sum(len(s) + 2 for s in train), 3),
        "lossCurve": curve,
        "finalValLoss": final_val,
        "finalValPerplexity": round(math.exp(final_val), 3),
        "wallSeconds": round(wall, 1),
        "processCpuSeconds": round(cpu, 1),
        "hardware": hardware(args),
    }
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    ckpt = {"format": "plmbench/esm2" if args.objective == "mlm" else "plmbench/progen2", "config": cfg,
            "model": state, "train_log": log}
    torch.save(ckpt, os.path.join(args.out, "checkpoint.pt"))
    if args.npz:
        import numpy as np

        np.savez(os.path.join(args.out, "weights.npz"), **{k: v.numpy() for k, v in state.items()})
    with open(os.path.join(args.out, "train_log.json"), "w") as f:
        json.dump(log, f, indent=1)
    print(json.dumps({k: log[k] for k in ("trainTokens", "finalValLoss", "finalValPerplexity", "wallSeconds")}),
          file=sys.stderr)


if __name__ == "__main__":
    main()
