// manifest/manifest.json (the unified manifest): valid against the Teams/Microsoft 365 app schema it
// names (office-addin-manifest validates JSON offline, with the schema copies it ships), and in step
// with the XML manifest: same add-in id, same origin, same task pane page, a pinnable pane on read.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

// In a child process: the validator's dependencies are ESM that jest's CommonJS loader cannot require.
const VALIDATE = fileURLToPath(new URL('../../manifest/validate-json.cjs', import.meta.url));
async function validateManifest(path: string): Promise<{ isValid: boolean; errors: string[] }> {
  const r = spawnSync(process.execPath, [VALIDATE, path], { encoding: 'utf8', timeout: 60_000 });
  if (r.status === 2 || !r.stdout) throw new Error(`validator failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const JSON_PATH = fileURLToPath(new URL('../../manifest/manifest.json', import.meta.url));
const XML = readFileSync(fileURLToPath(new URL('../../manifest/manifest.xml', import.meta.url)), 'utf8');
const manifest = JSON.parse(readFileSync(JSON_PATH, 'utf8'));

describe('unified JSON manifest', () => {
  test('is valid against its schema', async () => {
    const v = await validateManifest(JSON_PATH);
    expect(v.errors).toEqual([]);
    expect(v.isValid).toBe(true);
  });

  test('a broken copy is refused (the validation is real)', async () => {
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(`${tmpdir()}/manifest-`);
    const broken = { ...manifest, manifestVersion: undefined, extensions: [{ ...manifest.extensions[0], ribbons: [{ contexts: ['nowhere'] }] }] };
    writeFileSync(`${dir}/manifest.json`, JSON.stringify(broken));
    const v = await validateManifest(`${dir}/manifest.json`);
    expect(v.isValid).toBe(false);
    expect(v.errors.join('\n')).toMatch(/manifestVersion/);
  });

  test('matches the XML manifest: id, origin, task pane page, pinnable read-mode pane', () => {
    expect(XML).toContain(`<Id>${manifest.id}</Id>`);
    const runtime = manifest.extensions[0].runtimes[0];
    expect(XML).toContain(`DefaultValue="${runtime.code.page}"`);
    expect(runtime.actions[0]).toMatchObject({ type: 'openPage', pinnable: true });
    expect(manifest.extensions[0].ribbons[0].contexts).toEqual(['mailRead']);
    const origin = new URL(runtime.code.page).host;
    expect(manifest.validDomains).toEqual([origin]);
    for (const icon of manifest.extensions[0].ribbons[0].tabs[0].groups[0].controls[0].icons) expect(new URL(icon.url).host).toBe(origin);
    // The XML manifest's button label, in both languages.
    expect(manifest.extensions[0].ribbons[0].tabs[0].groups[0].controls[0].label).toBe('Spor brev');
    const en = JSON.parse(readFileSync(fileURLToPath(new URL('../../manifest/en-us.json', import.meta.url)), 'utf8'));
    expect(en['extensions[0].ribbons[0].tabs[0].groups[0].controls[0].label']).toBe('Trace letter');
  });
});
