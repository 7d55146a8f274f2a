import { expect } from 'chai';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { readAssay, readReference, referenceFor } from '../tasks/fitness/assays.js';
import task from '../tasks/fitness/index.js';
import { BenchError } from '../src/util/errors.js';
import { TaskFailure } from '../src/task/index.js';
import { main } from '../src/cli/main.js';
import { memoryIo } from '../src/cli/io.js';
import { buildSiteIndependent, writeFixture } from '../models/fixtures/index.js';
import { Vocabulary } from '../src/model/vocab.js';
import { siteIndependentModel, loadTestModel } from './helpers/models.js';
import { testContext } from './helpers/context.js';
import { tempDir } from './helpers/tmp.js';
import { userDir } from './golden/fitness/user-data.js';

const ID = 'BCHB_CHLTE_Tsuboyama_2023_2KRU'; // 52 residues; first rows A31C, A31G, ...

/** Reads the (edited) assay as the task does; returns the error it raises. */
async function loadError(edit: (lines: string[]) => string[], reference = true): Promise<BenchError> {
  const { dir } = userDir({ [ID]: 30 }, { edit: (_, l) => edit(l), reference });
  const ref = reference ? readReference(join(dir, 'DMS_substitutions.csv'), 'DMS_substitutions.csv') : null;
  const file = join(dir, `${ID}.csv`);
  try {
    await readAssay(file, 'assay.csv', referenceFor(ref?.rows ?? null, ID));
  } catch (e) {
    expect(e).to.be.instanceOf(BenchError);
    return e as BenchError;
  }
  throw new Error('expected an error');
}

const cell = (lines: string[], row: number, col: number, value: string) =>
  lines.map((l, i) =>
    i === row
      ? l
          .split(',')
          .map((c, j) => (j === col ? value : c))
          .join(',')
      : l,
  );

describe('fitness: bad input is one clear line naming the file and row (exit 2)', function () {
  this.timeout(60000);

  it('a missing required column', async () => {
    const e = await loadError((l) => l.map((x) => x.split(',').slice(0, 3).join(',')));
    expect(e.code).to.equal('E_DATA');
    expect(e.message).to.equal('assay.csv:1: missing required column "DMS_score_bin" (columns: mutant, mutated_sequence, DMS_score)');
  });

  it('a mutant whose wild-type letter does not match', async () => {
    const e = await loadError((l) => cell(l, 1, 0, 'G31C'));
    expect(e.message).to.equal('assay.csv:2: mutant "G31C": residue 31 of the wild type is A, not G');
  });

  it('a position outside the sequence', async () => {
    const e = await loadError((l) => cell(l, 3, 0, 'A99C'));
    expect(e.message).to.equal('assay.csv:4: mutant "A99C": position 99 is outside the wild type (1..52)');
  });

  it('a non-numeric score', async () => {
    const e = await loadError((l) => cell(l, 2, 2, 'n/a'));
    expect(e.message).to.equal('assay.csv:3: DMS_score "n/a" is not a finite number');
  });

  it('a DMS_score_bin other than 0 or 1', async () => {
    const e = await loadError((l) => cell(l, 2, 3, '0.5'));
    expect(e.message).to.equal('assay.csv:3: DMS_score_bin "0.5" must be 0 or 1');
  });

  it('a duplicate mutant, also when a multi-mutant is written in another order', async () => {
    const e = await loadError((l) => [...l, l[5]!]);
    expect(e.message).to.match(/^assay\.csv:32: duplicate mutant "[A-Z0-9:]+" \(first at line 6\)$/);
    const multi = (l: string[]) => {
      const seq = l[1]!.split(',')[1]!; // the first row: A31C applied
      const both = seq.slice(0, 33) + 'D' + seq.slice(34); // and I34D (residue 34 of BCHB is I)
      return [...l, `A31C:I34D,${both},0.1,1`, `I34D:A31C,${both},0.2,1`];
    };
    const e2 = await loadError(multi);
    expect(e2.message).to.equal('assay.csv:33: duplicate mutant "I34D:A31C" (first at line 32)');
  });

  it('a mutated_sequence that is not the wild type with the mutant applied', async () => {
    const e = await loadError((l) => cell(l, 1, 1, 'Q' + l[1]!.split(',')[1]!.slice(1)));
    expect(e.message).to.equal(
      'assay.csv:2: mutant "A31C" applied to the wild type (target_seq of BCHB_CHLTE_Tsuboyama_2023_2KRU in DMS_substitutions.csv) does not give mutated_sequence (first difference at residue 1: E expected, Q found)',
    );
  });

  it('without a reference row: the wild type comes from the first row, and a later row that disagrees is named', async () => {
    const e = await loadError((l) => cell(l, 4, 1, 'Q' + l[4]!.split(',')[1]!.slice(1)), false);
    expect(e.message).to.match(
      /^assay\.csv:5: mutant "[A-Z0-9:]+" applied to the wild type does not give mutated_sequence \(first difference at residue 1: E expected, Q found\)$/,
    );
  });

  it('an assay with fewer than 10 variants', async () => {
    const e = await loadError((l) => l.slice(0, 8));
    expect(e.message).to.equal(
      "assay.csv: 7 variants; an assay needs at least 10 (with fewer, NDCG's k = floor(n/10) is 0 and the metrics are undefined)",
    );
  });

  it('a malformed mutant string and a row with too many fields', async () => {
    expect((await loadError((l) => cell(l, 2, 0, 'A31'))).message).to.match(
      /^assay\.csv:3: mutant "A31": "A31" is not a substitution like A10C/,
    );
    const e = await loadError((l) => l.map((x, i) => (i === 6 ? `${x},extra` : x)));
    expect(e.code).to.equal('E_DATA');
    expect(e.message).to.match(/^assay\.csv: .*(record|column).*line 7/i);
  });

  it('a reference file without target_seq', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'ref.csv'), 'DMS_id,UniProt_ID\nX,Y\n');
    expect(() => readReference(join(dir, 'ref.csv'), 'ref.csv')).to.throw(
      BenchError,
      'ref.csv:1: missing required column "target_seq" (columns: DMS_id, UniProt_ID)',
    );
  });

  it('stops the CLI with exit 2 and one line "bench: <file>:<line>: ..."', async () => {
    const { dir } = userDir({ [ID]: 30 }, { edit: (_, l) => cell(l, 1, 0, 'G31C') });
    const m = siteIndependentModel('mlm', { maxLength: 64 });
    const io = memoryIo();
    const code = await main(
      ['run', 'fitness', '--model', m.path, '--data', `fitness=${dir}`, '--no-cache', '--quiet', '--out', join(tempDir(), 'r.json')],
      io,
    );
    expect(code).to.equal(2);
    const err = io.err.join('');
    expect(err).to.equal(`bench: ${join(dir, `${ID}.csv`)}:2: mutant "G31C": residue 31 of the wild type is A, not G\n`);
  });

  it('rejects unknown options and strategies the model cannot serve (exit 2)', async () => {
    const clm = siteIndependentModel('clm', { vocab: 'progen2', maxLength: 64 });
    const run = async (opt: string) => {
      const io = memoryIo();
      const code = await main(
        ['run', 'fitness', '--model', clm.path, '--option', opt, '--no-cache', '--quiet', '--out', join(tempDir(), 'r.json')],
        io,
      );
      return { code, err: io.err.join('') };
    };
    expect(await run('fitness.strategy=pseudo-ppl')).to.deep.equal({
      code: 2,
      err: 'bench: --option fitness.strategy=pseudo-ppl: needs a masked LM, and this model is causal (its strategies: causal-llr, progen2-proteingym)\n',
    });
    expect((await run('fitness.strategy=best')).err).to.match(
      /^bench: --option fitness\.strategy: must be one of masked-marginals, wt-marginals, pseudo-ppl, causal-llr, progen2-proteingym, got "best"\n$/,
    );
    expect((await run('fitness.windows=1')).err).to.equal(
      'bench: --option fitness.windows: unknown option (fitness takes: strategy, scores)\n',
    );
  });

  it('fails the task (not the run) when the model gives NaN scores, naming the assay and the row', async () => {
    const vocab = Vocabulary.from('esm');
    const L = 64;
    const table = new Float32Array(L * vocab.size).map((_, i) => Math.sin(i));
    table.fill(NaN, 31 * vocab.size, 32 * vocab.size); // token 31 = residue 31 (1-based): the first row's A31C
    const path = writeFixture(tempDir(), 'nan-mlm', buildSiteIndependent({ table, vocabSize: vocab.size, maxLength: L }), {
      id: 'nan-mlm',
      objective: 'mlm',
      vocab: 'esm',
      maxLength: L,
      trainTokens: 1e6,
    });
    const { dir } = userDir({ [ID]: 30 });
    const ctx = testContext('fitness', await loadTestModel(path), { dataPath: dir });
    let caught: unknown;
    try {
      await task.run(ctx);
    } catch (e) {
      caught = e;
    }
    expect(caught).to.be.instanceOf(TaskFailure);
    expect((caught as TaskFailure).code).to.equal('E_MODEL_OUTPUT');
    expect((caught as TaskFailure).message).to.equal(
      `${ID}: ${join(dir, `${ID}.csv`)}:2: mutant "A31C": the model's score is NaN (non-finite logits)`,
    );
  });
});
