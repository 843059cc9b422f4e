// Offline validation of manifest/manifest.xml with xmllint and the reference XSDs beside the
// checkout (../shared/reference/addin-manifest-xsd), exactly as CI runs it.
//
//   npx tsx manifest/validate.ts
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const manifest = path.join(here, 'manifest.xml');
const xsd = path.resolve(here, '../../shared/reference/addin-manifest-xsd/OfficeAppManifestV1_1.xsd');

if (!existsSync(xsd)) {
  console.error(`The reference XSDs are not at ${xsd}; they come with the shared/ folder beside the checkout.`);
  process.exit(2);
}
const r = spawnSync('xmllint', ['--noout', '--schema', xsd, manifest], { stdio: 'inherit' });
if (r.error) {
  console.error('xmllint is missing: apt-get install -y libxml2-utils');
  process.exit(2);
}
process.exit(r.status ?? 1);
