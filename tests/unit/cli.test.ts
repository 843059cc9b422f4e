// The `brevdue` command as a user runs it: the bin script (shebang, tsx) in a child process, plus
// the command table in-process for the cheap cases.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../backend/src/cli/main';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/brevdue.mjs');
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/memo/${name}`, import.meta.url));

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'brevdue-cli-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], direct = false) {
  // `direct` executes the file itself, so its shebang and executable bit are part of the test.
  const r = direct
    ? spawnSync(bin, args, { cwd: root, encoding: 'utf8' })
    : spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8' });
  if (r.error) throw r.error;
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function expectOneLine(err: string) {
  expect(err.endsWith('\n')).toBe(true);
  expect(err.split('\n')).toHaveLength(2); // one line plus the final newline
  expect(err).not.toMatch(/^\s+at /m);
  expect(err).not.toMatch(/Error:|node:internal|\.ts:\d+/);
}

describe('brevdue memo inspect (the bin script)', () => {
  test('a valid file prints the summary as pretty JSON, exit 0', () => {
    const r = run(['memo', 'inspect', fixture('memo-1.2-full.xml')], true);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out);
    expect(s.uuid).toBe('8c2ea4b6-0f3e-4d6b-9a51-3f2d7c1e9b40');
    expect(s.sender).toMatchObject({ id: '55133018', idType: 'CVR', label: 'Skattestyrelsen' });
    expect(s.documents).toHaveLength(5);
    expect(r.out).toContain('\n  "uuid"'); // indented
    expect(r.out).not.toContain('JVBERi0x');
  });

  test('an invalid file: exit 2 and one line naming the file, the element path and the rule', () => {
    const file = join(dir, 'bad.xml');
    writeFileSync(file, readFileSync(fixture('nemsms-1.2.xml'), 'utf8').replace('<senderID>21481815</senderID>', ''));
    const r = run(['memo', 'inspect', file]);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toBe(`brevdue: ${file}: Message/MessageHeader/Sender/senderID: required element is missing (found idType where senderID must come first)\n`);
    expectOneLine(r.err);
  });

  test('a DOCTYPE file is refused the same way', () => {
    const file = join(dir, 'xxe.xml');
    writeFileSync(file, '<?xml version="1.0"?>\n<!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<m>&x;</m>');
    const r = run(['memo', 'inspect', file]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`^brevdue: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\(document\\): contains a DOCTYPE declaration`));
    expectOneLine(r.err);
  });

  test('a missing file: exit 2, one line', () => {
    const r = run(['memo', 'inspect', join(dir, 'nope.xml')]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`brevdue: ${join(dir, 'nope.xml')}: no such file\n`);
  });

  test('no arguments: usage, exit 2', () => {
    const r = run([]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^usage: brevdue/);
    expect(r.err).toContain('brevdue memo inspect FILE.xml');
  });
});

describe('main (in-process)', () => {
  const capture = () => {
    const io = { outText: '', errText: '', out(t: string) { io.outText += t; }, err(t: string) { io.errText += t; } };
    return io;
  };

  test('a directory, an unknown command and a wrong argument count are usage errors (exit 2)', async () => {
    for (const argv of [['memo', 'inspect', dir], ['memo', 'frobnicate', 'x'], ['mail', 'inspect'], ['memo', 'inspect'], ['memo', 'inspect', 'a', 'b']]) {
      const io = capture();
      expect(await main(argv, io)).toBe(2);
      expect(io.outText).toBe('');
      expect(io.errText.split('\n')[0]).toMatch(/^brevdue: /);
      expect(io.errText).not.toMatch(/^\s+at /m);
    }
  });

  test('--help prints usage to stdout, exit 0', async () => {
    const io = capture();
    expect(await main(['--help'], io)).toBe(0);
    expect(io.outText).toMatch(/^usage: brevdue/);
  });

  test('control characters in a file name cannot break the one-line rule', async () => {
    const io = capture();
    expect(await main(['memo', 'inspect', join(dir, 'evil\nname.xml')], io)).toBe(2);
    expectOneLine(io.errText);
    expect(io.errText).toContain('evil\\x0aname.xml');
  });

  test('an oversized file is refused before it is read', async () => {
    const io = capture();
    const file = join(dir, 'huge.xml');
    writeFileSync(file, '');
    const { truncateSync } = await import('node:fs');
    truncateSync(file, 150 * 1024 * 1024 + 1); // sparse: no real disk use
    expect(await main(['memo', 'inspect', file], io)).toBe(2);
    expect(io.errText).toMatch(/\(document\): is 157286401 bytes; the limit is 157286400 bytes/);
  });
});
