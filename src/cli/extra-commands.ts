// Commands that live outside the core command set register themselves here (leaderboard, gate, baseline).
import { registerCommand } from './main.js';
import { leaderboardCommand, LEADERBOARD_HELP } from './commands/leaderboard.js';
import { gateCommand, GATE_HELP } from './commands/gate.js';
import { baselineCommand, BASELINE_HELP } from './commands/baseline.js';
import { reportCommand, REPORT_HELP } from './commands/report.js';

registerCommand('leaderboard', leaderboardCommand, LEADERBOARD_HELP);
registerCommand('gate', gateCommand, GATE_HELP);
registerCommand('baseline', baselineCommand, BASELINE_HELP);
registerCommand('report', reportCommand, REPORT_HELP);
