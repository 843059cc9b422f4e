// manifest/manifest.xml: schema-valid (xmllint, offline XSDs), and consistent with the add-in it points at.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
// Schema validity is checked by CI (.ci/run: xmllint against shared/reference/addin-manifest-xsd),
// because npm test must not depend on files outside the repository.
const MANIFEST = fileURLToPath(new URL('../../manifest/manifest.xml', import.meta.url));

const ADDIN = fileURLToPath(new URL('../../addin/', import.meta.url));
const xml = readFileSync(MANIFEST, 'utf8');
const DEV_ORIGIN = 'https://localhost:3000';

describe('Outlook XML manifest', () => {
  test('is a read-mode MailApp with a task pane on the message read surface', () => {
    expect(xml).toMatch(/<OfficeApp[^>]+xsi:type="MailApp"/);
    expect(xml).toContain('<Permissions>ReadItem</Permissions>');
    expect(xml).toContain('<Rule xsi:type="ItemIs" ItemType="Message" FormType="Read"/>');
    expect(xml).toContain('xsi:type="VersionOverridesV1_0"');
    expect(xml).toContain('xsi:type="VersionOverridesV1_1"');
    expect(xml).toContain('<ExtensionPoint xsi:type="MessageReadCommandSurface">');
    expect(xml).toMatch(/<Action xsi:type="ShowTaskpane">\s*<SourceLocation resid="Taskpane.Url"\/>/);
    expect(xml).toContain('<DefaultLocale>da-DK</DefaultLocale>');
    expect(xml).toContain('Locale="en-US"');
  });

  test('every URL is on one origin, and points at a page or icon the add-in build has', () => {
    const urls = [...xml.matchAll(/(?:DefaultValue|Value)="(https?:[^"]+)"|<AppDomain>([^<]+)<\/AppDomain>/g)].map((m) => m[1] ?? m[2]);
    expect(urls.length).toBeGreaterThan(5);
    for (const url of urls) {
      const u = new URL(url);
      expect(u.origin).toBe(DEV_ORIGIN); // replaced as a whole at deploy time
      if (u.pathname === '/' || u.pathname === '') continue;
      const file = u.pathname.startsWith('/assets/') ? path.join(ADDIN, 'public', u.pathname) : path.join(ADDIN, u.pathname);
      expect(existsSync(file) ? file : `missing: ${file}`).toBe(file);
    }
    expect(xml).toContain(`${DEV_ORIGIN}/taskpane.html`);
  });

  test('every resid is defined once, and every defined resource is used', () => {
    const used = new Set([...xml.matchAll(/resid="([^"]+)"/g)].map((m) => m[1]));
    const defined = [...xml.matchAll(/<bt:(?:Image|Url|String) id="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(defined).size).toBe(defined.length);
    expect([...used].filter((id) => !defined.includes(id))).toEqual([]);
    expect(defined.filter((id) => !used.has(id))).toEqual([]);
  });

  test('the icons are PNGs of the size their name says', () => {
    for (const size of [16, 32, 64, 80, 128]) {
      const png = readFileSync(path.join(ADDIN, 'public/assets', `icon-${size}.png`));
      expect(png.subarray(1, 4).toString('ascii')).toBe('PNG');
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([size, size]);
    }
  });
});
