import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { sha256 } from '../src/util/hash.js';
import { sourceDataPath } from '../src/util/source-data.js';
import { builtinTasksDir } from '../src/util/paths.js';
import task from '../tasks/secondary-structure/index.js';
import { readNetsurfpCsv, roleOf } from '../tasks/secondary-structure/data.js';

const dir = resolve(builtinTasksDir, 'secondary-structure');
const bundled = join(dir, 'data/CB513.csv.gz');
const source = sourceDataPath('secondary_structure', 'CB513.csv') ?? '';

describe('secondary-structure task: bundled CB513 and its split', () => {
  it('parses 511 entries with 144,011 residues, 83,991 of them evaluated (counts from Python csv, see the README)', () => {
    const ps = readNetsurfpCsv(bundled);
    expect(ps).to.have.length(511);
    expect(ps.reduce((a, p) => a + p.sequence.length, 0)).to.equal(144011);
    expect(ps.reduce((a, p) => a + p.evaluated, 0)).to.equal(83991);
    expect(ps.filter((p) => p.evaluated === 0)).to.have.length(2);
    // The 3-state labels are the DSSP reduction of the 8-state ones (H,G,I -> H; E,B -> E; rest -> C).
    for (const p of ps)
      for (let i = 0; i < p.ss8.length; i++) {
        const c = p.ss8[i]!;
        expect(p.ss3[i]).to.equal('HGI'.includes(c) ? 'H' : 'EB'.includes(c) ? 'E' : 'C');
      }
  });

  it('the split: entries sharing a chain share a role; sizes as the build record and describe() state', () => {
    const ps = readNetsurfpCsv(bundled);
    const bySeq = new Map<string, Set<string>>();
    for (const p of ps) bySeq.set(p.sequence, (bySeq.get(p.sequence) ?? new Set()).add(roleOf(p.sequence)));
    expect([...bySeq.values()].every((s) => s.size === 1)).to.equal(true);
    const build = JSON.parse(readFileSync(join(dir, 'data/CB513.build.json'), 'utf8')) as {
      sizes: Record<string, { proteins: number; evaluatedResidues: number }>;
      outputSha256: string;
      sourceSha256: string;
    };
    for (const role of ['train', 'valid', 'test'] as const) {
      const set = ps.filter((p) => roleOf(p.sequence) === role);
      expect(set.length).to.equal(build.sizes[role]!.proteins);
      expect(set.reduce((a, p) => a + p.evaluated, 0)).to.equal(build.sizes[role]!.evaluatedResidues);
      expect(task.describe().tiers.full).to.include(
        `${build.sizes[role]!.proteins} ${role === 'valid' ? 'validation' : role === 'train' ? 'training' : 'test'}`,
      );
      expect(task.describe().tiers.full).to.include(build.sizes[role]!.evaluatedResidues.toLocaleString('en-US'));
    }
    expect(build.outputSha256).to.equal(task.describe().data[0]!.sha256);
    expect(sha256(readFileSync(bundled))).to.equal(task.describe().data[0]!.sha256);
  });

  it('roleOf: the documented hash rule, recomputed by hand for one sequence', () => {
    // sha256("plmbench-ss-v1:MKV") starts with these 8 hex digits; u = 0x... / 2^32 decides the role.
    const h = sha256('plmbench-ss-v1:MKV');
    const u = parseInt(h.slice(0, 8), 16) / 2 ** 32;
    expect(roleOf('MKV')).to.equal(u < 0.5 ? 'test' : u < 0.6 ? 'valid' : 'train');
  });

  it('the bundled file is the source CSV byte for byte (when $PLMBENCH_SOURCE_DATA is given)', function () {
    if (source === '' || !existsSync(source)) this.skip();
    const build = JSON.parse(readFileSync(join(dir, 'data/CB513.build.json'), 'utf8')) as { sourceSha256: string };
    const src = readFileSync(source);
    expect(sha256(src)).to.equal(build.sourceSha256);
    expect(gunzipSync(readFileSync(bundled)).equals(src)).to.equal(true);
  });
});
