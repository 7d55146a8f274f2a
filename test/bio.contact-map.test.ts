import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { placeOnReference } from '../src/bio/align.js';
import {
  cbCoordinates,
  cbDistances,
  contactMap,
  contactPairs,
  contactStats,
  residueCb,
  separationBand,
  virtualCb,
} from '../src/bio/contact-map.js';
import { chainBreaks, parseStructure } from '../src/bio/pdb.js';
import { loadStructureChain } from '../src/bio/structure-set.js';
import { structuresDir } from './golden/bio/fixtures.js';

interface GoldenChain {
  file: string;
  chain: string;
  file_sha256: string;
  length: number;
  observed: string;
  virtual: string;
  cb: Array<[number, number, number] | null>;
  contact_map_sha256: string;
  n_contact_pairs: number;
  pairs_sep6: Array<[number, number]>;
}
const golden = JSON.parse(readFileSync(new URL('./golden/bio/contacts_golden.json', import.meta.url), 'utf8')) as {
  chains: Record<string, GoldenChain>;
};

function indexRows(dir: string): Map<string, Record<string, string>> {
  const rows = parse(readFileSync(`${dir}/index.csv`), { columns: true }) as Record<string, string>[];
  return new Map(rows.map((r) => [r['shiftx2_id']!, r]));
}

describe('bio/contact-map: virtual Cβ', () => {
  it('follows the trRosetta/ESM formula', () => {
    const n = [1, 0, 0] as const;
    const ca = [0, 0, 0] as const;
    const c = [0, 1, 0] as const;
    // b = (-1,0,0), c = (0,1,0), a = b x c = (0,0,-1)
    const cb = virtualCb(n, ca, c);
    expect(cb[0]).to.be.closeTo(-0.56802827, 1e-12);
    expect(cb[1]).to.be.closeTo(-0.54067466, 1e-12);
    expect(cb[2]).to.be.closeTo(0.58273431, 1e-12);
  });

  it('lies within 0.15 Å of the real Cβ on a real chain (mean), 1.35 to 1.7 Å from CA', () => {
    const parsed = parseStructure(readFileSync(new URL('./golden/bio/A023_1ZX8A.pdbH.gz', import.meta.url)), 'A', 'A023');
    let sum = 0;
    let k = 0;
    for (const r of parsed.residues) {
      const real = r.atoms.get('CB');
      const v = residueCb(r, 'all');
      if (!real || !v || r.aa === 'G') continue;
      sum += Math.hypot(real[0] - v.xyz[0], real[1] - v.xyz[1], real[2] - v.xyz[2]);
      const ca = r.atoms.get('CA')!;
      expect(Math.hypot(ca[0] - v.xyz[0], ca[1] - v.xyz[1], ca[2] - v.xyz[2])).to.be.within(1.35, 1.7);
      k++;
    }
    expect(k).to.be.greaterThan(100);
    expect(sum / k).to.be.lessThan(0.15);
  });

  it('separation bands', () => {
    expect([5, 6, 11, 12, 23, 24].map((s) => separationBand(0, s))).to.deep.equal([null, 'short', 'short', 'medium', 'medium', 'long']);
  });
});

describe('bio/contact-map: matches Biopython on real chains (test/golden/bio/make_contacts_golden.py)', () => {
  const dir = structuresDir();
  const rows = dir ? indexRows(dir) : null;
  for (const [id, g] of Object.entries(golden.chains)) {
    it(`${id} (${g.file} chain ${g.chain})`, async function () {
      const local = new URL(`./golden/bio/${g.file.replace(/^pdb\//, '')}`, import.meta.url);
      let path: string;
      if (existsSync(local)) path = fileURLToPath(local);
      else if (dir) path = `${dir}/${g.file}`;
      else return this.skip(); // the shared structures folder is not on this machine
      const bytes = readFileSync(path);
      expect(createHash('sha256').update(bytes).digest('hex'), 'file changed since the golden was made').to.equal(g.file_sha256);
      const reference = rows?.get(id)?.['seqres_sequence'] ?? parseStructure(bytes, g.chain, path).seqres!;
      const parsed = parseStructure(bytes, g.chain, path);
      const placement = placeOnReference(reference, parsed.sequence, { breaks: chainBreaks(parsed.residues) });
      const { cb, observed, virtual } = cbCoordinates(parsed.residues, placement.refIndex, reference.length);
      expect(reference.length).to.equal(g.length);
      expect([...observed].join('')).to.equal(g.observed);
      expect([...virtual].join('')).to.equal(g.virtual);
      g.cb.forEach((want, i) => {
        if (want === null) return expect(Number.isNaN(cb[3 * i])).to.equal(true);
        for (let d = 0; d < 3; d++) expect(cb[3 * i + d]).to.be.closeTo(want[d]!, 6e-5);
      });
      const map = contactMap(cb, observed);
      expect(contactPairs(map, g.length, 6)).to.deep.equal(g.pairs_sep6);
      expect(contactPairs(map, g.length, 1).length).to.equal(g.n_contact_pairs);
      expect(createHash('sha256').update(map).digest('hex')).to.equal(g.contact_map_sha256);
      // the loader gives the same map
      const entry = await loadStructureChain(path, g.chain, { reference });
      expect(Buffer.from(entry.contacts).equals(Buffer.from(map))).to.equal(true);
      expect(entry.nObserved).to.equal(g.observed.split('1').length - 1);
    });
  }
});

describe('bio/contact-map: maps and distances', () => {
  it('unobserved positions have no contacts and NaN distances; maps are symmetric', () => {
    const cb = Float64Array.from([0, 0, 0, NaN, NaN, NaN, 3, 0, 0, 7.999, 0, 0, 8, 0, 0]);
    const observed = Uint8Array.from([1, 0, 1, 1, 1]);
    const map = contactMap(cb, observed);
    const L = 5;
    expect(map[0 * L + 2]).to.equal(1);
    expect(map[0 * L + 3]).to.equal(1); // 7.999 < 8
    expect(map[0 * L + 4]).to.equal(0); // 8 is not < 8
    expect(map[1 * L + 1]).to.equal(0);
    expect(map[0]).to.equal(1);
    for (let i = 0; i < L; i++) for (let j = 0; j < L; j++) expect(map[i * L + j]).to.equal(map[j * L + i]);
    const d = cbDistances(cb, observed);
    expect(Number.isNaN(d[0 * L + 1])).to.equal(true);
    expect(d[0 * L + 4]).to.equal(8);
    const stats = contactStats(map, observed);
    expect(stats.short).to.deep.equal({ pairs: 0, contacts: 0 });
  });
});
