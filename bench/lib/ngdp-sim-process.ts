// The NgDP simulator in its own process for benchmarks, so its memory and CPU do not count as the
// backend's. Letters are generated here (not sent over from the bench driver) and time-stamped
// when they become visible to the backend.
//   node --import tsx bench/lib/ngdp-sim-process.ts   (PORT)
import express from 'express';
import { randomBytes, randomUUID } from 'node:crypto';
import { listen } from '../../backend/src/simulators/http';
import { DEMO_NGDP_CREDENTIAL, createNgdpSimulator } from '../../backend/src/simulators/ngdp';
import { demoMemo } from '../../backend/src/demo/letters';
import { buildMemoXml } from '../../backend/src/memo/build';
import { X509Certificate } from 'node:crypto';
import { createTestPki } from '../../backend/src/simulators/ngdp/test-pki';
import { letterPdf } from './letter-pdf';

// Digital Post's client certificate, as a TLS-terminating proxy (Azure App Service) would forward it.
const pki = createTestPki();
const cert = new X509Certificate(pki.client.cert);
const certHeader = { name: 'X-ARR-ClientCert', value: cert.raw.toString('base64') };

// No archive: it would keep every letter's XML (≈ 21 GB for bench:ingest's 30,000 letters).
const sim = createNgdpSimulator({ systemCredentials: [DEMO_NGDP_CREDENTIAL], keepArchive: false });
const pool = randomBytes(2 * 1024 * 1024); // document bytes are slices of this (incompressible, like real PDFs)
const injectedAt = new Map<string, number>();

/** Log-uniform between 50 KB and 2 MB: most letters are small, a few are large. */
function letterSize(): number {
  const lo = Math.log(50 * 1024), hi = Math.log(2 * 1024 * 1024);
  return Math.round(Math.exp(lo + Math.random() * (hi - lo)));
}

// Letters are made from templates built at start: building a 0.7 MB MeMo (base64 of the PDF, the XML)
// costs the simulator ≈ 3 ms, and a fill of 200 blocked its event loop for ≈ 0.65 s, stalling every
// fetch of the backend meanwhile and taking CPU from the machine being measured. A real Digital Post
// does not build its letters on our machine. Each letter is a template with its own messageUUID and
// recipient CVR spliced in; the templates' sizes are drawn like the letters' (log-uniform).
const TEMPLATES = Number(process.env.BENCH_TEMPLATES ?? 128);
const UUID_MARK = '3f0c9e2a-7b1d-4e8f-9a6c-5d2b1e0f7a93';
const CVR_MARK = '98765432';
const templates: { parts: Buffer[]; uuidFirst: boolean }[] = [];
for (let i = 0; i < TEMPLATES; i++) {
  const m = demoMemo({ recipientCvr: CVR_MARK, messageUUID: UUID_MARK });
  const size = letterSize();
  const start = Math.floor(Math.random() * (pool.length - size));
  m.body.mainDocument!.files[0].content = letterPdf(pool.subarray(start, start + size));
  const parts = buildMemoXml(m).split(UUID_MARK).map((p) => p.split(CVR_MARK));
  // Each marker once, in the header: a chance match inside the base64 would splice into the document.
  if (parts.length !== 2 || parts.flat().length !== 3) { i--; continue; }
  // As bytes: a letter is then one copy (Buffer.concat), with no UTF-8 encoding of 0.7 MB per letter.
  templates.push({ parts: parts.flat().map((p) => Buffer.from(p, 'utf8')), uuidFirst: parts[0].length === 1 });
}

function makeLetter(cvr: string): { uuid: string; xml: Buffer } {
  const uuid = randomUUID();
  const t = templates[Math.floor(Math.random() * templates.length)];
  const [first, second] = t.uuidFirst ? [uuid, cvr] : [cvr, uuid];
  const [a, b, c] = t.parts;
  return { uuid, xml: Buffer.concat([a, Buffer.from(first), b, Buffer.from(second), c]) };
}

const app = express();
app.use('/sim/ngdp', sim.router);
app.use(express.json());
app.post('/bench/fill', (req, res) => {
  const { cvrs, count } = req.body as { cvrs: string[]; count: number };
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const cvr = cvrs[Math.floor(Math.random() * cvrs.length)];
    const { uuid, xml } = makeLetter(cvr);
    sim.api.inject(cvr, xml);
    injectedAt.set(uuid, Date.now());
    bytes += xml.length;
  }
  res.json({ injected: count, bytes });
});
/** Builds letters without injecting them; the driver pushes them to the backend itself. */
app.post('/bench/make', (req, res) => {
  const { cvr } = req.body as { cvr: string };
  const l = makeLetter(cvr);
  res.json({ uuid: l.uuid, xml: l.xml.toString('utf8') });
});
/** Pushes one new letter to `url` as NgDP does and answers how long the push took (until our 200). */
app.post('/bench/push', async (req, res) => {
  const { url, cvr } = req.body as { url: string; cvr: string };
  const { uuid, xml } = makeLetter(cvr);
  const t0 = performance.now();
  const r = await sim.api.pushTo(url, cvr, xml, { clientCertHeader: certHeader });
  res.json({ uuid, status: r.status, ms: performance.now() - t0, error: r.error ?? (r.status === 200 ? undefined : r.body.slice(0, 200)) });
});
app.get('/bench/cert', (_req, res) => { res.json({ thumbprint: cert.fingerprint256 }); });
app.get('/bench/waiting', (req, res) => {
  const cvrs = (req.query.cvrs as string).split(',');
  res.json({ waiting: cvrs.reduce((n, c) => n + sim.api.waiting(c).length, 0) });
});
app.get('/bench/injected', (_req, res) => { res.json(Object.fromEntries(injectedAt)); });

const { url } = await listen(app, Number(process.env.PORT ?? 0), '127.0.0.1');
process.stdout.write(`READY ${url}\n`);
process.on('exit', () => pki.cleanup());
process.on('SIGTERM', () => process.exit(0));
