/**
 * Windows over sequences longer than a model can read. A window is a residue range `[start, end)`;
 * callers add the special tokens. Policies are recorded in results by their `describe` string.
 */
export interface ResidueWindow {
  start: number;
  end: number;
}

/**
 * Overlapping windows of at most `size` residues covering `[0, n)`, consecutive starts `stride` apart
 * (the last window is aligned to the end). With `stride < size` every residue except those at the two
 * ends of the sequence has context on both sides in at least one window.
 */
export function slidingWindows(n: number, size: number, stride: number): ResidueWindow[] {
  if (size <= 0 || stride <= 0 || stride > size)
    throw new RangeError(`slidingWindows: need 0 < stride <= size, got size ${size}, stride ${stride}`);
  if (n <= size) return [{ start: 0, end: n }];
  const out: ResidueWindow[] = [];
  for (let s = 0; ; s += stride) {
    if (s + size >= n) {
      out.push({ start: n - size, end: n });
      break;
    }
    out.push({ start: s, end: s + size });
  }
  return out;
}

/**
 * For each residue, the window that gives it the most context: the one where its distance to the
 * nearer window edge is largest (ties: the earlier window). Used to stitch per-residue outputs.
 */
export function bestWindowPerResidue(n: number, windows: ResidueWindow[]): Int32Array {
  const best = new Int32Array(n).fill(-1);
  const bestMargin = new Int32Array(n).fill(-1);
  windows.forEach((w, wi) => {
    for (let i = w.start; i < w.end; i++) {
      // A window edge that is also the sequence edge is not a loss of context.
      const left = w.start === 0 ? Number.MAX_SAFE_INTEGER : i - w.start;
      const right = w.end === n ? Number.MAX_SAFE_INTEGER : w.end - 1 - i;
      const margin = Math.min(left, right);
      if (margin > bestMargin[i]!) {
        bestMargin[i] = margin;
        best[i] = wi;
      }
    }
  });
  return best;
}

/**
 * ProteinGym's "optimal" window for a long sequence (its `get_optimal_window`): a window of
 * `size` residues centred on the mutated position, shifted to stay inside the sequence.
 * `center` is 0-based.
 */
export function centeredWindow(n: number, size: number, center: number): ResidueWindow {
  if (n <= size) return { start: 0, end: n };
  const half = Math.floor(size / 2);
  if (center < half) return { start: 0, end: size };
  if (center >= n - half) return { start: n - size, end: n };
  // As ProteinGym: [c - half, c + half), one residue short of `size` when `size` is odd.
  return { start: center - half, end: center + half };
}
