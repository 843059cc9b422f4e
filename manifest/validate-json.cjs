// Offline validation of the unified manifest (manifest.json) with office-addin-manifest, which checks
// JSON against the schema copies it ships (no network). Prints {"isValid", "errors"}; exit 1 if invalid.
//   node manifest/validate-json.cjs [manifest.json]
const path = require('node:path');
const { validateManifest } = require('office-addin-manifest/lib/validate.js');

const file = path.resolve(process.argv[2] ?? path.join(__dirname, 'manifest.json'));
validateManifest(file).then(
  (v) => {
    const errors = (v.report && v.report.errors ? v.report.errors : []).map((e) => e.content);
    process.stdout.write(JSON.stringify({ isValid: v.isValid, errors }) + '\n');
    process.exit(v.isValid ? 0 : 1);
  },
  (e) => { process.stderr.write(`manifest.json could not be validated: ${e.message}\n`); process.exit(2); },
);
