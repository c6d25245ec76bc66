// The e2e's and the benches' environment knobs: defaults, bounds, and errors that name the variable.
import { afterEach, describe, expect, it } from 'vitest';
import { choiceKnob, intKnob, intListKnob, numberKnob } from './knobs.js';

const NAME = 'ANTLER_KNOB_UNDER_TEST';
afterEach(() => {
  delete process.env[NAME];
});
const set = (v: string) => {
  process.env[NAME] = v;
};

describe('intKnob / numberKnob', () => {
  it('is the fallback when unset or blank, the value when it is within bounds', () => {
    expect(intKnob(NAME, 7, 1, 10)).toBe(7);
    set('  ');
    expect(intKnob(NAME, 7, 1, 10)).toBe(7);
    set('10');
    expect(intKnob(NAME, 7, 1, 10)).toBe(10);
    set('2.5');
    expect(numberKnob(NAME, 1, 0, 5)).toBe(2.5);
  });
  it('names the variable, the bounds, the meaning and the value it refuses', () => {
    set('11');
    expect(() => intKnob(NAME, 7, 1, 10, 'rounds')).toThrow(`${NAME} must be an integer 1–10 (rounds), got '11'`);
    set('2.5');
    expect(() => intKnob(NAME, 7, 1, 10)).toThrow(`${NAME} must be an integer 1–10, got '2.5'`);
    set('fast');
    expect(() => numberKnob(NAME, 1, 0, 5)).toThrow(`${NAME} must be a number 0–5, got 'fast'`);
  });
});

describe('intListKnob', () => {
  it('parses a comma list, falls back when unset, and is empty for none', () => {
    expect(intListKnob(NAME, [1000, 10000], 1, 20000)).toEqual([1000, 10000]);
    set('500, 2000');
    expect(intListKnob(NAME, [1000], 1, 20000)).toEqual([500, 2000]);
    set('none');
    expect(intListKnob(NAME, [1000], 1, 20000)).toEqual([]);
  });
  it('names the item that is out of bounds or empty', () => {
    set('500,30000');
    expect(() => intListKnob(NAME, [1000], 1, 20000, 'sandboxes')).toThrow(`${NAME} must be a comma-separated list of integers 1–20000 (sandboxes), got '500,30000' ('30000' is not)`);
    set('500,,2000');
    expect(() => intListKnob(NAME, [1000], 1, 20000)).toThrow(/an empty item/);
  });
});

describe('choiceKnob', () => {
  it('is the fallback when unset and refuses anything but the choices, listing them', () => {
    expect(choiceKnob(NAME, 'Headless', ['Headless', 'ClusterIP'])).toBe('Headless');
    set('ClusterIP');
    expect(choiceKnob(NAME, 'Headless', ['Headless', 'ClusterIP'])).toBe('ClusterIP');
    set('NodePort');
    expect(() => choiceKnob(NAME, 'Headless', ['Headless', 'ClusterIP'])).toThrow(`${NAME} must be one of Headless, ClusterIP, got 'NodePort'`);
  });
});
