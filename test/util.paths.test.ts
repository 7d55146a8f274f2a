import { expect } from 'chai';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { compiled, defaultRegisteredRunsFile, installedAsPackage, packageRoot, userStateDir } from '../src/util/paths.js';

describe('user state paths', () => {
  it('a clone runs from source and keeps its store in results/baselines, as before', () => {
    expect(compiled).to.equal(false);
    expect(installedAsPackage).to.equal(false);
    expect(defaultRegisteredRunsFile({})).to.equal(join(packageRoot, 'results/baselines/registered.json'));
  });

  it('an installed package keeps user state in $PLMBENCH_HOME, else the XDG data folder, never the install folder', () => {
    expect(defaultRegisteredRunsFile({ PLMBENCH_HOME: '/srv/plm' }, true)).to.equal('/srv/plm/registered.json');
    expect(defaultRegisteredRunsFile({ XDG_DATA_HOME: '/data/x' }, true)).to.equal('/data/x/plmbench/registered.json');
    expect(defaultRegisteredRunsFile({}, true)).to.equal(join(homedir(), '.local/share/plmbench/registered.json'));
    // XDG says a relative XDG_DATA_HOME is invalid and must be ignored
    expect(userStateDir({ XDG_DATA_HOME: 'rel' }, true)).to.equal(join(homedir(), '.local/share/plmbench'));
    expect(defaultRegisteredRunsFile({ PLMBENCH_BASELINE_RUNS: '/x/r.json', PLMBENCH_HOME: '/srv/plm' }, true)).to.equal('/x/r.json');
  });
});
