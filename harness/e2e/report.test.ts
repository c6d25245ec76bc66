import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Report } from './report.js';

// A PNG's first bytes are enough for the report: it copies them, it does not decode them.
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);

describe('report screenshots', () => {
  it('writes each screenshot as a file next to report.html, links it from its check and keeps those of a failed check', async () => {
    const report = new Report();
    await report.suite('ui', async () => {
      await report.check('loads', async () => {
        report.screenshot('Landing page', PNG);
      });
      await report.check('a check this test fails on purpose', async () => {
        report.screenshot('Login form', PNG);
        throw new Error('failed on purpose by report.test.ts');
      });
      await report.check('no pictures', async () => undefined);
    });
    const [loads, login, none] = report.suites[0]!.checks;
    expect(loads?.screenshots).toEqual([{ title: 'Landing page', file: 'screenshots/01-landing-page.png' }]);
    expect(login?.status).toBe('failed');
    expect(login?.screenshots?.map((s) => s.file)).toEqual(['screenshots/02-login-form.png']);
    expect(none?.screenshots).toBeUndefined();

    const dir = await mkdtemp(path.join(os.tmpdir(), 'antler-report-'));
    try {
      await report.write(dir);
      expect(new Uint8Array(await readFile(path.join(dir, 'screenshots/01-landing-page.png')))).toEqual(PNG);
      expect(existsSync(path.join(dir, 'screenshots/02-login-form.png'))).toBe(true);
      const html = await readFile(path.join(dir, 'report.html'), 'utf8');
      expect(html).toContain('<img src="screenshots/01-landing-page.png" alt="Landing page"');
      expect(html).toContain('<figcaption>Login form</figcaption>');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a screenshot outside a suite', () => {
    expect(() => new Report().screenshot('stray', PNG)).toThrow(/stray.*outside a suite/);
  });
});
