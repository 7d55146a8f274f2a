/** `x` rounded to 3 decimals (seconds in results: milliseconds). */
export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
