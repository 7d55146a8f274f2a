/** One named check of the conformance run (its own file: the declared-objective checks produce them too). */
export interface ConformanceCheck {
  name: string;
  ok: boolean;
  detail: string;
}
