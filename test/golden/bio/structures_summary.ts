/**
 * Prints what the loader makes of a structures folder (default: the shared 41 X-ray chains):
 * per chain the reference length, observed residues and contact base rates per separation band,
 * then the totals. Run: `npx tsx test/golden/bio/structures_summary.ts [dir]`.
 */
import { contactStats, type ContactBand } from '../../../src/bio/contact-map.js';
import { loadStructureSet } from '../../../src/bio/structure-set.js';
import { structuresDir } from './fixtures.js';

const dir = process.argv[2] ?? structuresDir();
if (!dir) throw new Error('no structures folder: pass one, or set PLMBENCH_STRUCTURES');
const t0 = performance.now();
const set = await loadStructureSet(dir);
const ms = performance.now() - t0;
const bands: ContactBand[] = ['short', 'medium', 'long'];
const total = { short: [0, 0], medium: [0, 0], long: [0, 0] } as Record<ContactBand, [number, number]>;
console.log('id    pdb   chain    L  obs  frac   short  medium    long');
for (const e of set.entries) {
  const s = contactStats(e.contacts, e.observed);
  for (const b of bands) {
    total[b][0] += s[b].contacts;
    total[b][1] += s[b].pairs;
  }
  const r = bands.map((b) => (s[b].contacts / s[b].pairs).toFixed(4).padStart(7)).join(' ');
  console.log(
    `${e.id.padEnd(5)} ${e.pdbId.padEnd(5)} ${e.chain.padEnd(5)} ${String(e.length).padStart(4)} ${String(e.nObserved).padStart(4)} ${(e.nObserved / e.length).toFixed(3)} ${r}`,
  );
}
const L = set.entries.map((e) => e.length);
const obs = set.entries.reduce((a, e) => a + e.nObserved, 0);
const res = set.entries.reduce((a, e) => a + e.length, 0);
const fr = set.entries.map((e) => e.nObserved / e.length);
console.log(
  `\n${set.entries.length} chains loaded in ${ms.toFixed(0)} ms; length ${Math.min(...L)}-${Math.max(...L)}; ` +
    `observed ${obs}/${res} residues (${((100 * obs) / res).toFixed(1)}%), per chain ${(100 * Math.min(...fr)).toFixed(1)}-${(100 * Math.max(...fr)).toFixed(1)}%; ` +
    `${set.entries.filter((e) => e.nObserved < e.length).length} chains with unobserved residues`,
);
for (const b of bands) {
  console.log(`${b.padEnd(6)} contacts ${total[b][0]} / observed pairs ${total[b][1]} = ${(total[b][0] / total[b][1]).toFixed(4)}`);
}
