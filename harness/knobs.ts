// Knobs of the e2e and the benches, read from the environment: the default when unset or empty, and
// otherwise a clear error naming the variable, what it accepts and the value given, before anything
// starts (no cluster is created for a run whose knobs are wrong).

/** An integer from `process.env[name]`, `fallback` when unset or empty; throws outside `min`–`max`. */
export function intKnob(name: string, fallback: number, min: number, max: number, meaning = ''): number {
  return numberKnob(name, fallback, min, max, meaning, true);
}

/** A finite number from `process.env[name]`, `fallback` when unset or empty; throws outside `min`–`max`. */
export function numberKnob(name: string, fallback: number, min: number, max: number, meaning = '', integer = false): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  return checkedNumber(name, raw, raw, min, max, meaning, integer);
}

/** A comma-separated list of integers, each within `min`–`max`; `fallback` when unset or empty, none for `none`. */
export function intListKnob(name: string, fallback: readonly number[], min: number, max: number, meaning = ''): number[] {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return [...fallback];
  if (raw.trim() === 'none') return [];
  const items = raw.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new Error(`${name} must be a comma-separated list of integers ${min}–${max}${meaning ? ` (${meaning})` : ''}, got '${raw}' (an empty item)`);
  return items.map((item) => checkedNumber(name, item, raw, min, max, meaning, true));
}

/** One of `choices`, `fallback` when unset or empty. */
export function choiceKnob<T extends string>(name: string, fallback: T, choices: readonly T[]): T {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  if (!(choices as readonly string[]).includes(raw)) throw new Error(`${name} must be one of ${choices.join(', ')}, got '${raw}'`);
  return raw as T;
}

function checkedNumber(name: string, item: string, raw: string, min: number, max: number, meaning: string, integer: boolean): number {
  const value = Number(item);
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    const what = integer ? 'an integer' : 'a number';
    const kind = raw === item ? what : `a comma-separated list of ${integer ? 'integers' : 'numbers'}`;
    throw new Error(`${name} must be ${kind} ${min}–${max}${meaning ? ` (${meaning})` : ''}, got '${raw}'${raw === item ? '' : ` ('${item}' is not)`}`);
  }
  return value;
}
