// Issue 19: every hostile input gets one clean line and exit 2, with nothing leaked and nothing half-written.
import { expect } from 'chai';
import fs, { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { execFileSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { join, resolve } from 'node:path';
import { DataType } from '../src/model/onnx/proto.js';
import { GraphBuilder } from '../models/fixtures/graph.js';
import { writeFixture } from '../models/fixtures/write.js';
import { CacheStore } from '../src/cache/store.js';
import { Vocabulary } from '../src/model/vocab.js';
import { parseFasta } from '../src/bio/fasta.js';
import { excerpt, readMaybeGzip, setReadLimits, DEFAULT_READ_LIMITS } from '../src/util/fs.js';
import { main } from '../src/cli/main.js';
import { memoryIo } from '../src/cli/io.js';
import { loadTestModel, siteIndependentModel } from './helpers/models.js';
import { tempDir } from './helpers/tmp.js';
import { expectUserError } from './helpers/cli.js';
import { userDir } from './golden/fitness/user-data.js';

const CLM = resolve('models/plm-clm-mini.onnx');
const base = (dir: string) => ['--model', CLM, '--out', join(dir, 'out', 'r.json'), '--no-cache', '--tier', 'smoke'];

/** Runs with one fs function replaced (named ESM imports follow through syncBuiltinESMExports). */
async function withFs<K extends 'readFileSync' | 'openSync' | 'writeFileSync'>(
  name: K,
  impl: (orig: (typeof fs)[K]) => (typeof fs)[K],
  f: () => Promise<void>,
): Promise<void> {
  const orig = fs[name];
  (fs as Record<K, unknown>)[name] = impl(orig);
  syncBuiltinESMExports();
  try {
    await f();
  } finally {
    (fs as Record<K, unknown>)[name] = orig;
    syncBuiltinESMExports();
  }
}

const errno = (code: string, syscall: string, path: string) =>
  Object.assign(new Error(`${code}: ${syscall} '${path}'`), { code, syscall, path });

describe('hostile inputs (issue 19)', () => {
  afterEach(() => {
    setReadLimits({});
  });

  describe('3. messages quote no file content; special files and escaping symlinks refused', () => {
    it('a symlink to /proc/self/environ among the assay CSVs is refused, with or without --follow-symlinks, quoting nothing', async () => {
      const dir = tempDir();
      const data = join(dir, 'assays');
      mkdirSync(data);
      symlinkSync('/proc/self/environ', join(data, 'A_B.csv'));
      process.env['PLMBENCH_TEST_SECRET'] = 'hunter2-very-secret';
      try {
        let line = await expectUserError(
          ['run', 'fitness', ...base(dir), '--data', `fitness=${data}`],
          /A_B\.csv: a symlink that resolves outside the data folder .*--follow-symlinks/,
        );
        expect(line).to.not.match(/hunter2|PATH=/);
        line = await expectUserError(
          ['run', 'fitness', ...base(dir), '--data', `fitness=${data}`, '--follow-symlinks'],
          /A_B\.csv: resolves into \/proc/,
        );
        expect(line).to.not.match(/hunter2|PATH=/);
      } finally {
        delete process.env['PLMBENCH_TEST_SECRET'];
      }
      expect(existsSync(join(dir, 'out'))).to.equal(false);
    });

    it('a symlink to /etc/passwd as the FASTA is refused; followed, its first line is not printed', async () => {
      const dir = tempDir();
      symlinkSync('/etc/passwd', join(dir, 'seqs.fasta'));
      await expectUserError(
        ['run', 'perplexity', ...base(dir), '--data', `perplexity=${join(dir, 'seqs.fasta')}`],
        /seqs\.fasta: a symlink that resolves outside the data folder/,
      );
      const line = await expectUserError(
        ['run', 'perplexity', ...base(dir), '--data', `perplexity=${join(dir, 'seqs.fasta')}`, '--follow-symlinks'],
        /passwd|seqs\.fasta/,
      );
      expect(line).to.not.match(/root:x:0/);
    });

    it('a CSV header full of secrets is quoted as at most 40 escaped characters', async () => {
      const dir = tempDir();
      const data = join(dir, 'assays');
      mkdirSync(data);
      const secret = `AWS_SECRET_ACCESS_KEY=${'x'.repeat(60)}\u001b[31m,more`;
      writeFileSync(join(data, 'A_B.csv'), `${secret}\n1\n`);
      const line = await expectUserError(
        ['run', 'fitness', ...base(dir), '--quiet', '--data', `fitness=${data}`],
        /missing required column/,
      );
      expect(line).to.not.include('x'.repeat(41));
      expect(line).to.not.include('\u001b');
      expect(excerpt(secret)).to.have.length.at.most(41);
      expect(excerpt('a\u001bb\nc')).to.equal('a\\x1bb\\nc');
    });

    it('a FIFO as data is refused up front (no hang)', async () => {
      const dir = tempDir();
      const fifo = join(dir, 'pipe.fasta');
      execFileSync('mkfifo', [fifo]);
      await expectUserError(['run', 'perplexity', ...base(dir), '--data', `perplexity=${fifo}`], /pipe\.fasta: is a FIFO, not a data file/);
    });

    it('--out under /sys or /proc, and --cache-dir under /proc, are refused before anything runs', async () => {
      const dir = tempDir();
      await expectUserError(
        ['run', 'perplexity', '--model', CLM, '--no-cache', '--out', '/sys/x.json'],
        /--out \/sys\/x\.json: under \/sys/,
      );
      await expectUserError(
        ['run', 'perplexity', '--model', CLM, '--no-cache', '--out', '/proc/self/x/y.json'],
        /--out \/proc\/self\/x\/y\.json: under \/proc/,
      );
      await expectUserError(
        ['run', 'perplexity', '--model', CLM, '--out', join(dir, 'r.json'), '--cache-dir', '/proc/x'],
        /--cache-dir \/proc\/x: under \/proc/,
        dir,
      );
    });

    it('the write check creates a file (root passes access() where writing fails)', async () => {
      const dir = tempDir();
      await withFs(
        'openSync',
        (orig) =>
          ((p: fs.PathLike, flags?: fs.OpenMode, mode?: fs.Mode) => {
            if (String(p).includes('.plmbench-write-check-')) throw errno('EROFS', 'open', String(p));
            return orig(p, flags ?? 'r', mode);
          }) as typeof fs.openSync,
        async () => {
          await expectUserError(
            ['run', 'perplexity', '--model', CLM, '--no-cache', '--out', join(dir, 'r.json')],
            /--out .*r\.json: not writable \(EROFS\)/,
            dir,
          );
        },
      );
    });
  });

  describe('4. bounded reads', () => {
    it('a gzip bomb as FASTA fails with one line naming the file and the cap', async () => {
      const dir = tempDir();
      const bomb = join(dir, 'zeros.fasta.gz');
      writeFileSync(bomb, gzipSync(Buffer.alloc(3 * 1048576), { level: 1 }));
      await expectUserError(
        ['run', 'perplexity', ...base(dir), '--data', `perplexity=${bomb}`, '--max-input-mb', '2', '--max-record-kb', '8192'],
        /zeros\.fasta\.gz: decompresses to more than the cap of 2 MiB per data file \(--max-input-mb\)/,
      );
      setReadLimits({ maxInputBytes: 1048576 });
      expect(() => readMaybeGzip(bomb)).to.throw(/cap of 1 MiB/);
    });

    it('the same bytes as an assay CSV end at once, not after minutes (streaming reader)', async () => {
      const dir = tempDir();
      const data = join(dir, 'assays');
      mkdirSync(data);
      writeFileSync(join(data, 'A_B.csv.gz'), gzipSync(Buffer.alloc(3 * 1048576), { level: 1 }));
      const t0 = Date.now();
      await expectUserError(
        ['run', 'fitness', ...base(dir), '--quiet', '--data', `fitness=${data}`, '--max-record-kb', '64'],
        /A_B\.csv\.gz: .*65536/,
      );
      expect(Date.now() - t0).to.be.lessThan(30000);
    });

    it('a line longer than the record cap fails naming the line and the cap', async () => {
      const dir = tempDir();
      const f = join(dir, 'long.fasta');
      writeFileSync(f, `>a\n${'A'.repeat(2 * 1048576)}\n`);
      await expectUserError(
        ['run', 'perplexity', ...base(dir), '--data', `perplexity=${f}`],
        /long\.fasta:2: a line longer than the cap of 1024 KiB per record \(--max-record-kb\)/,
      );
      expect(DEFAULT_READ_LIMITS.maxRecordBytes).to.equal(1048576);
    });
  });

  describe('5. filesystem errors on user paths are E_IO, exit 2, no stack', () => {
    it('an unreadable card (EACCES) is one line, exit 2', async () => {
      const dir = tempDir();
      const card = join(dir, 'card.json');
      writeFileSync(card, '{}');
      await withFs(
        'readFileSync',
        (orig) =>
          ((p: fs.PathOrFileDescriptor, o?: unknown) => {
            if (String(p) === card) throw errno('EACCES', 'open', card);
            return (orig as (p: fs.PathOrFileDescriptor, o?: unknown) => unknown)(p, o);
          }) as typeof fs.readFileSync,
        async () => {
          await expectUserError(
            ['run', 'perplexity', '--model', CLM, '--card', card, '--no-cache', '--out', join(dir, 'r.json')],
            /card\.json: cannot open \(EACCES\)/,
          );
        },
      );
    });
  });

  describe('6. the model contract', () => {
    it('[B, V] logits fail conformance (rank 3 required), exit 2', async () => {
      const dir = tempDir();
      const V = Vocabulary.from('progen2').size;
      const g = new GraphBuilder(17);
      const ids = g.input('input_ids', DataType.INT64, ['batch', 'length']);
      const eye = new Float32Array(V * V);
      for (let i = 0; i < V; i++) eye[i * V + i] = 1;
      const oneHot = g.op('Gather', [g.weight('one_hot', [V, V], eye), ids], { axis: 0 });
      g.op('ReduceMean', [oneHot], { axes: [1], keepdims: 0 }, 'logits');
      g.output('logits', DataType.FLOAT, ['batch', V]);
      const p = writeFixture(dir, 'pooled', g, { id: 'pooled', objective: 'clm', vocab: 'progen2', maxLength: 64, trainTokens: 1e6 });
      await expectUserError(
        ['run', 'perplexity', '--model', p, '--no-cache', '--out', join(dir, 'r.json')],
        /output logits has shape \[2, 32\], expected \[2, \d+, 32\] \(batch, length, vocabulary\)/,
        dir,
      );
    });

    it('logits of ±3e38 fail (exit 2 at conformance), and in a run fail the task naming the sequence', async () => {
      const dir = tempDir();
      const m = siteIndependentModel('clm', { scale: 3e38, dir });
      await expectUserError(
        ['run', 'perplexity', '--model', m.path, '--no-cache', '--out', join(dir, 'r.json')],
        /the model's logits are -?[\d.]+e\+38, beyond ±1000000, at position 0 of sequence MQIFVKTLTGKTITLEVEPSDTIE… \(\d+ residues\)/,
        dir,
      );
      const model = await loadTestModel(m.path, {}, new CacheStore(null));
      try {
        await model.forward([{ tokens: model.encode('MKTAYIAKQR') }], {
          outputs: ['logits'],
          reducer: 'x',
          reduce: () => Float64Array.of(0),
        });
        expect.fail('accepted logits of 3e38');
      } catch (e) {
        expect((e as { code?: string }).code).to.equal('E_MODEL');
        expect((e as Error).message).to.match(
          /the model's logits are -?[\d.]+e\+38, beyond ±1000000, at position \d+ of sequence MKTAYIAKQR \(10 residues\)/,
        );
      } finally {
        await model.release();
      }
    });
  });

  describe('7. card and flag validation up front', () => {
    it('custom vocabularies are case-sensitive unless caseInsensitive', () => {
      const tokens = ['<pad>', '<cls>', '<eos>', ...'ACDEFGHIKLMNPQRSTVWY'.split(''), 'a'];
      const v = Vocabulary.from({ tokens, pad: '<pad>', start: '<cls>', end: '<eos>' });
      expect(v.residueId('A')).to.equal(tokens.indexOf('A'));
      expect(v.residueId('a')).to.equal(tokens.indexOf('a'));
      expect(v.residueId('c')).to.equal(-1);
      const folded = Vocabulary.from({ tokens, pad: '<pad>', caseInsensitive: true });
      expect([folded.residueId('A'), folded.residueId('a'), folded.residueId('c')]).to.deep.equal([
        tokens.indexOf('A'),
        tokens.indexOf('a'),
        tokens.indexOf('C'),
      ]);
    });

    it('--train-tokens 1e303 and a card with params 1e200 fail before any task, naming the cause', async () => {
      const dir = tempDir();
      await expectUserError(
        ['run', 'perplexity', '--model', CLM, '--train-tokens', '1e303', '--no-cache', '--out', join(dir, 'r.json')],
        /--train-tokens: at most 1000000000000000/,
        dir,
      );
      const card = join(dir, 'card.json');
      writeFileSync(
        card,
        JSON.stringify({ ...JSON.parse(fs.readFileSync(resolve('models/plm-clm-mini.card.json'), 'utf8')), params: 1e200 }),
      );
      await expectUserError(
        ['run', 'perplexity', '--model', CLM, '--card', card, '--no-cache', '--out', join(dir, 'r.json')],
        /card .*card\.json: params 1e\+200 is not plausible/,
      );
    });

    it('a vocabulary error names the card file', async () => {
      const dir = tempDir();
      const card = join(dir, 'card.json');
      const tokens = ['<cls>', '<eos>', ...'ACDEFGHIKLMNPQRSTVWYXBUZO'.split(''), 'q', 'r', 's', 't', 'u', 'v', 'w'];
      writeFileSync(
        card,
        JSON.stringify({
          ...JSON.parse(fs.readFileSync(resolve('models/plm-clm-mini.card.json'), 'utf8')),
          vocab: { tokens, pad: '<pad>' },
        }),
      );
      await expectUserError(
        ['run', 'perplexity', '--model', CLM, '--card', card, '--no-cache', '--out', join(dir, 'r.json')],
        /card\.json: vocabulary custom: pad token/,
        dir,
      );
    });

    it('unknown task options, empty or repeated task lists, empty --tasks-dir, too many threads, --seed -1', async () => {
      const dir = tempDir();
      const m = ['--model', CLM, '--no-cache', '--out', join(dir, 'r.json')];
      await expectUserError(
        ['run', 'perplexity', ...m, '--option', 'perplexity.bogus=1'],
        /--option perplexity\.bogus: unknown option \(perplexity takes: none\)/,
        dir,
      );
      await expectUserError(['all', ...m, '--tasks', ','], /--tasks: name at least one task, got ","/, dir);
      await expectUserError(['run', 'perplexity', 'perplexity', ...m], /task "perplexity" named twice/, dir);
      mkdirSync(join(dir, 'empty'));
      await expectUserError(['run', 'perplexity', ...m, '--tasks-dir', join(dir, 'empty')], /--tasks-dir .*empty: no task plugins/);
      await expectUserError(['run', 'perplexity', ...m, '--threads', '1000'], /--threads: at most \d+ \(the cores of this machine\)/, dir);
      await expectUserError(['run', 'perplexity', ...m, '--seed', '-1'], /--seed/, dir);
    });
  });

  describe('8. write order: artifacts first, the result last', () => {
    it('a failed artifact write (ENOSPC) leaves no result JSON behind', async function () {
      this.timeout(240000);
      const dir = tempDir();
      const out = join(dir, 'out');
      const { dir: data } = userDir({ BCHB_CHLTE_Tsuboyama_2023_2KRU: 12 });
      await withFs(
        'writeFileSync',
        (orig) => (p: fs.PathOrFileDescriptor, d: unknown, o?: unknown) => {
          if (String(p).includes('fitness-scores.csv')) throw errno('ENOSPC', 'write', String(p));
          return (orig as (p: fs.PathOrFileDescriptor, d: unknown, o?: unknown) => unknown)(p, d, o);
        },
        async () => {
          const io = memoryIo(dir);
          const code = await main(
            [
              'run',
              'fitness',
              '--model',
              CLM,
              '--no-cache',
              '--quiet',
              '--data',
              `fitness=${data}`,
              '--out',
              join(out, 'r.json'),
              '--option',
              'fitness.scores=true',
            ],
            io,
          );
          expect(code, io.err.join('')).to.equal(2);
          expect(io.err.join('')).to.match(/fitness-scores\.csv: cannot write \(ENOSPC\)/);
        },
      );
      expect(existsSync(out) ? readdirSync(out).filter((f) => f.endsWith('.json')) : []).to.deep.equal([]);
    });
  });

  describe('11. duplicate FASTA ids', () => {
    it('are refused at read time, naming both lines', () => {
      expect(() => parseFasta('>a\nMK\n>b\nMV\n>a x\nMQ\n', 'f.fasta')).to.throw(/f\.fasta:5: duplicate id a \(first at line 1\)/);
    });
  });
});
