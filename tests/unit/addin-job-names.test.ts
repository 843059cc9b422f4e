// The jobs view names every job in words, in Danish and English: each name the backend gives work
// (backend/src/jobs/names.ts, the jobs view's poll, route and deliver rows among them) and each job
// the runner defines or schedules (backend/src/jobs/runner.ts, which must name them through JOB). A job
// added to the backend without its words in the pane fails here, instead of showing its technical name.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { JOB } from '../../backend/src/jobs/names';
import { KNOWN_JOBS, failureTitle, jobLabel } from '../../addin/src/components/admin/JobsSection';
import { paneLanguages } from '../helpers/i18n';

const RUNNER = readFileSync(fileURLToPath(new URL('../../backend/src/jobs/runner.ts', import.meta.url)), 'utf8');

/** The name argument of every agenda call in the runner that defines or schedules a job, as written. */
function scheduledNameArguments(source: string): string[] {
  const first = [...source.matchAll(/\bagenda\.(?:define|create|now|every)\(\s*([^,)]+)/g)].map((m) => m[1].trim());
  const second = [...source.matchAll(/\bagenda\.schedule\(\s*[^,]+,\s*([^,)]+)/g)].map((m) => m[1].trim());
  return [...first, ...second];
}

describe('add-in: the jobs view names every job', () => {
  test('the runner names each job it defines or schedules through JOB, and every one is in JOB', () => {
    const args = scheduledNameArguments(RUNNER);
    // The runner defines at least these (the parse found them: it cannot pass by finding nothing).
    expect(args).toEqual(expect.arrayContaining(['JOB.receipt', 'JOB.notifyDead', 'JOB.recover', 'JOB.quarantineNotices', 'JOB.retention', 'JOB.statsCompact']));
    for (const a of args) {
      expect([a, /^JOB\.\w+$/.test(a)]).toEqual([a, true]);
      expect([a, a.slice(4) in JOB]).toEqual([a, true]);
    }
  });

  test('every job name the backend uses has words of its own in Danish and English', async () => {
    const [da, en] = await paneLanguages();
    for (const name of Object.values(JOB)) {
      expect([name, (KNOWN_JOBS as readonly string[]).includes(name)]).toEqual([name, true]);
      for (const i of [da, en]) {
        const label = jobLabel(name, i.t);
        expect([name, i.language, label === name || label.startsWith('jobs.') || label.trim() === '']).toEqual([name, i.language, false]);
      }
    }
    expect(jobLabel('quarantine-notices', da.t)).toBe('Giv besked om breve i karantæne');
    expect(jobLabel('quarantine-notices', en.t)).toBe('Tell about letters in quarantine');
    // A name the pane does not know keeps its technical name.
    expect(jobLabel('some-new-job', da.t)).toBe('some-new-job');
  });

  test('a failure says which attempt it was only when the server knows', async () => {
    const [da, en] = await paneLanguages();
    const f = { name: JOB.deliver, failedAt: '2026-11-29T15:59:13.000Z', failReason: 'Microsoft Graph answered 503' };
    expect(failureTitle({ ...f, failCount: 3 }, da.t, 'da-DK')).toMatch(/^Levér breve, .+ \(forsøg 3\)$/);
    expect(failureTitle({ ...f, failCount: null }, da.t, 'da-DK')).toMatch(/^Levér breve, [^()]+$/);
    expect(failureTitle({ ...f, failCount: null }, en.t, 'en-GB')).toMatch(/^Deliver letters, [^()]+$/);
    expect(failureTitle({ ...f, failCount: 0 }, en.t, 'en-GB')).not.toMatch(/attempt/);
  });
});
