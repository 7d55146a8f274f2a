import { cleanTempDirs } from './helpers/tmp.js';

// Root hook: temporary folders made by tests are removed at the end of the run.
after(() => {
  cleanTempDirs();
});
