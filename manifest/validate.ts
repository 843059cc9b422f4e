// Offline validation of manifest/manifest.xml with xmllint and the XSDs in
// ../shared/reference/addin-manifest-xsd (see its README).
//
// Those XSD copies predate SupportsPinning: their mailappversionoverrides/1.1 ShowTaskpane allows only
// SourceLocation. The current official schema (MS-OWEMXML, complex type ShowTaskpane in
// http://schemas.microsoft.com/office/mailappversionoverrides/1.1) reads
//   SourceLocation, SupportsPinning?, SupportsNoItemContext?, SupportsMultiSelect?
// so this script validates against a temporary copy with exactly that repair, and also reports what
// the unrepaired copies say (which must be nothing but SupportsPinning).
//
//   npx tsx manifest/validate.ts          exit 0 when the manifest is valid
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const MANIFEST = fileURLToPath(new URL('./manifest.xml', import.meta.url));
export const XSD_DIR = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../../shared/reference/addin-manifest-xsd');
const ROOT_XSD = 'OfficeAppManifestV1_1.xsd';
const MAIL_V1_1 = 'MailAppVersionOverridesV1_1.xsd';

const SOURCE_LOCATION = '<xs:element name="SourceLocation" type="bt:URLResourceReference" minOccurs="1" maxOccurs="1" />';
const PINNING_REPAIR = [
  SOURCE_LOCATION,
  '          <xs:element name="SupportsPinning" type="xs:boolean" minOccurs="0" maxOccurs="1" />',
  '          <xs:element name="SupportsNoItemContext" type="xs:boolean" minOccurs="0" maxOccurs="1" />',
  '          <xs:element name="SupportsMultiSelect" type="xs:boolean" minOccurs="0" maxOccurs="1" />',
].join('\n');

export function xmllintAvailable(): boolean {
  return spawnSync('xmllint', ['--version'], { stdio: 'ignore' }).status === 0;
}

export interface Validation { ok: boolean; errors: string[] }

function xmllint(schema: string, file: string): Validation {
  const r = spawnSync('xmllint', ['--noout', '--schema', schema, file], { encoding: 'utf8' });
  const errors = r.stderr.split('\n').filter((l) => l.trim() && !/ validates$/.test(l) && !/ fails to validate$/.test(l));
  return { ok: r.status === 0, errors };
}

/** Against the XSDs exactly as they are in shared/reference. */
export function validateAgainstReference(file = MANIFEST): Validation {
  return xmllint(path.join(XSD_DIR, ROOT_XSD), file);
}

/** Against the same XSDs with ShowTaskpane brought up to the official 1.1 schema (see above). */
export function validateWithPinningRepair(file = MANIFEST): Validation {
  const dir = mkdtempSync(path.join(tmpdir(), 'brevdue-xsd-'));
  try {
    cpSync(XSD_DIR, dir, { recursive: true });
    const target = path.join(dir, MAIL_V1_1);
    const xsd = readFileSync(target, 'utf8');
    if (xsd.includes('name="SupportsPinning"')) return xmllint(path.join(dir, ROOT_XSD), file); // already repaired upstream
    const at = xsd.indexOf('<xs:complexType name="ShowTaskpane">');
    const sl = xsd.indexOf(SOURCE_LOCATION, at);
    if (at < 0 || sl < 0) throw new Error(`${MAIL_V1_1}: ShowTaskpane/SourceLocation not found; the repair needs updating`);
    writeFileSync(target, xsd.slice(0, sl) + PINNING_REPAIR + xsd.slice(sl + SOURCE_LOCATION.length));
    return xmllint(path.join(dir, ROOT_XSD), file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (!xmllintAvailable()) {
    console.error('xmllint is missing: apt-get install -y libxml2-utils');
    process.exit(2);
  }
  const reference = validateAgainstReference();
  const unexpected = reference.errors.filter((e) => !e.includes('SupportsPinning'));
  console.log(`shared/reference XSDs as-is: ${reference.ok ? 'valid' : `${reference.errors.length} error(s)`}`);
  for (const e of reference.errors) console.log(`  ${e}${e.includes('SupportsPinning') ? '   (expected: these XSDs predate SupportsPinning)' : ''}`);
  const repaired = validateWithPinningRepair();
  console.log(`with the official ShowTaskpane (SupportsPinning): ${repaired.ok ? 'valid' : 'INVALID'}`);
  for (const e of repaired.errors) console.log(`  ${e}`);
  process.exit(repaired.ok && unexpected.length === 0 ? 0 : 1);
}
