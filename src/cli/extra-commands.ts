// Commands that live outside the core command set register themselves here.
import { registerCommand } from './main.js';
import { leaderboardCommand, LEADERBOARD_HELP } from './commands/leaderboard.js';
import { gateCommand, GATE_HELP } from './commands/gate.js';
import { baselineCommand, BASELINE_HELP } from './commands/baseline.js';
import { reportCommand, REPORT_HELP } from './commands/report.js';
import { cacheCommand, CACHE_HELP } from './commands/cache.js';
import { mergeCommand, MERGE_HELP } from './commands/merge.js';
import { planCommand, PLAN_HELP } from './commands/plan.js';

registerCommand('leaderboard', leaderboardCommand, LEADERBOARD_HELP);
registerCommand('gate', gateCommand, GATE_HELP);
registerCommand('baseline', baselineCommand, BASELINE_HELP);
registerCommand('report', reportCommand, REPORT_HELP);
registerCommand('cache', cacheCommand, CACHE_HELP);
registerCommand('merge', mergeCommand, MERGE_HELP);
registerCommand('plan', planCommand, PLAN_HELP);
