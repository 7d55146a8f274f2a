// Commands that live outside the core command set register themselves here (leaderboard, gate, baseline).
import { registerCommand } from './main.js';
import { leaderboardCommand, LEADERBOARD_HELP } from './commands/leaderboard.js';
import { gateCommand, GATE_HELP } from './commands/gate.js';
import { baselineCommand, BASELINE_HELP } from './commands/baseline.js';

registerCommand('leaderboard', leaderboardCommand, LEADERBOARD_HELP);
registerCommand('gate', gateCommand, GATE_HELP);
registerCommand('baseline', baselineCommand, BASELINE_HELP);
import { mergeCommand, MERGE_HELP } from './commands/merge.js';

registerCommand('merge', mergeCommand, MERGE_HELP);
import { planCommand, PLAN_HELP } from './commands/plan.js';

registerCommand('plan', planCommand, PLAN_HELP);
