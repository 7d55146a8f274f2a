import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { globMatch, isIgnored, loadGateConfig, ruleFor, type GateConfig } from '../src/report/gate-config.js';
import { schemaErrors } from '../src/util/schema.js';

describe('gate: tolerance config', () => {
  const config = loadGateConfig();

  it('the shipped defaults are valid and state their source', () => {
    const raw = JSON.parse(readFileSync(new URL('../results/gate.config.json', import.meta.url), 'utf8')) as unknown;
    expect(schemaErrors('gate-config', raw)).to.deep.equal([]);
    expect(config.source).to.match(/results\/README\.md/);
    expect(config.resamples).to.equal(2000);
  });

  it('the most specific rule wins: task.metric, task pattern, metric, metric pattern, default', () => {
    const c: GateConfig = {
      ...config,
      default: { tolerance: 0.5 },
      metrics: {
        'p_at_l*': { tolerance: 0.1 },
        p_at_l_long: { tolerance: 0.2 },
        'contacts.p_at_l*': { tolerance: 0.3 },
        'contacts.p_at_l_long': { tolerance: 0.4 },
      },
    };
    expect(ruleFor(c, 'contacts', 'p_at_l_long')).to.deep.include({ key: 'contacts.p_at_l_long' });
    expect(ruleFor(c, 'contacts', 'p_at_l5_short')).to.deep.include({ key: 'contacts.p_at_l*' });
    expect(ruleFor(c, 'other', 'p_at_l_long')).to.deep.include({ key: 'p_at_l_long' });
    expect(ruleFor(c, 'other', 'p_at_l2')).to.deep.include({ key: 'p_at_l*' });
    expect(ruleFor(c, 'other', 'q3').key).to.equal('default');
  });

  it('defaults: Spearman 0.01 absolute, perplexity 1% relative', () => {
    expect(ruleFor(config, 'fitness', 'spearman').rule).to.include({ tolerance: 0.01 });
    expect(ruleFor(config, 'perplexity', 'perplexity').rule).to.include({ tolerance: 0.01, relative: true });
    expect(ruleFor(config, 'contacts', 'p_at_l5_medium').key).to.equal('p_at_l*');
  });

  it('globs and ignore lists', () => {
    expect(globMatch('fold.*', 'fold.accuracy_family')).to.equal(true);
    expect(globMatch('p_at_l*', 'xp_at_l')).to.equal(false);
    expect(globMatch('a.b', 'axb')).to.equal(false);
    const c = { ...config, ignore: ['generation', 'fold.top5*'] };
    expect(isIgnored(c, 'generation', null)).to.equal(true);
    expect(isIgnored(c, 'fold', 'top5_family')).to.equal(true);
    expect(isIgnored(c, 'fold', 'accuracy_family')).to.equal(false);
  });
});
