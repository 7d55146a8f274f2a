// Commands that live outside the core command set register themselves here (leaderboard, gate, baseline).
export {};
