// The Digital Post (NgDP) and Microsoft Graph simulators for bench:crash, in one process of their
// own: it outlives every SIGKILL of the backend, so the provider's letters and the mailboxes'
// messages are the ground truth the bench checks against.
//   node --import tsx bench/lib/crash-sims-process.ts
// Env: GRAPH_SIM_TOKEN (the accepted bearer token), GRAPH_SIM_LATENCY_MS (processing time per Graph
// request, holding a mailbox slot: widens the window in which a kill leaves a create performed but
// unanswered), PORT.
// Besides /sim/ngdp and /sim/graph, bench routes for the driver:
//   POST /bench/prepare {recipients: [{cvr, name}], count, seed}  builds demo letters (not yet visible)
//   POST /bench/fill {count}                 makes the next `count` prepared letters wait at the provider
//   GET  /bench/letters                      every letter made visible: [{seq, uuid, cvr}]
//   POST /bench/mailboxes {mailboxes: [{id, displayName}]}  adds shared mailboxes
//   GET  /bench/copies                       every mailbox message: mailbox, folder, Graph id, subject, delivery id
//   GET  /bench/provider                     letters still waiting at the provider, and receipts received
//   GET  /bench/stats                        the Graph simulator's counters
import express from 'express';
import { randomUUID } from 'node:crypto';
import { asyncHandler, listen } from '../../backend/src/simulators/http';
import { createGraphSimulator } from '../../backend/src/simulators/graph';
import { DEMO_NGDP_CREDENTIAL, createNgdpSimulator } from '../../backend/src/simulators/ngdp';
import { generateDemoLetters } from '../../backend/src/demo/letters';
import { buildMemoXml } from '../../backend/src/memo/build';
import { DELIVERY_ID_PROPERTY } from '../../backend/src/delivery/render';

/** The tag in every letter's label, hence in the subject of its mail: ties a copy to its letter without our database. */
const crashTag = (seq: number) => `[crash ${seq}]`;

const token = process.env.GRAPH_SIM_TOKEN ?? 'bench-graph-token';
const graph = createGraphSimulator({ acceptedTokens: [token], maxRecordedRequests: 100 });
const latencyMs = Number(process.env.GRAPH_SIM_LATENCY_MS ?? 0);
if (latencyMs > 0) graph.api.setFaults({ latencyMs });
const ngdp = createNgdpSimulator({ systemCredentials: [DEMO_NGDP_CREDENTIAL] });

interface Prepared { seq: number; uuid: string; cvr: string; xml: string }
const prepared: Prepared[] = [];
const visible: Omit<Prepared, 'xml'>[] = [];
const cvrs = new Set<string>();
const uuids = new Set<string>();

const app = express();
app.use('/sim/ngdp', ngdp.router);
app.use('/sim/graph', graph.router);
app.use('/bench', express.json({ limit: '10mb' }));

app.post('/bench/prepare', asyncHandler(async (req, res) => {
  const { recipients, count, seed } = req.body as { recipients: { cvr: string; name: string }[]; count: number; seed: number };
  // Chunks with their own seeds: the demo generator's labels and UUIDs come from its seed.
  for (let done = 0; done < count; done += 250) {
    const letters = await generateDemoLetters({ recipients, count: Math.min(250, count - done), seed: seed + done * 7919 });
    for (const m of letters) {
      const seq = prepared.length + visible.length + 1;
      if (uuids.has(m.messageUUID)) m.messageUUID = randomUUID();
      uuids.add(m.messageUUID);
      m.label = `${m.label} ${crashTag(seq)}`;
      prepared.push({ seq, uuid: m.messageUUID, cvr: m.recipient.id, xml: buildMemoXml(m) });
      cvrs.add(m.recipient.id);
    }
  }
  res.json({ prepared: prepared.length });
}));
app.post('/bench/fill', (req, res) => {
  const { count } = req.body as { count: number };
  const batch = prepared.splice(0, count);
  for (const l of batch) {
    ngdp.api.inject(l.cvr, l.xml);
    visible.push({ seq: l.seq, uuid: l.uuid, cvr: l.cvr });
  }
  res.json({ injected: batch.length, left: prepared.length });
});
app.get('/bench/letters', (_req, res) => { res.json(visible); });
app.post('/bench/mailboxes', (req, res) => {
  const { mailboxes } = req.body as { mailboxes: { id: string; displayName: string }[] };
  for (const m of mailboxes) graph.api.addMailbox({ id: m.id, displayName: m.displayName, kind: 'shared' });
  res.json({ added: mailboxes.length });
});
app.get('/bench/copies', (_req, res) => {
  const prop = DELIVERY_ID_PROPERTY.toLowerCase();
  const out: { mailbox: string; folderPath: string; id: string; subject: string; deliveryId: string | null }[] = [];
  for (const mb of graph.api.mailboxes()) {
    for (const m of graph.api.messages(mb.userPrincipalName)) {
      out.push({
        mailbox: mb.userPrincipalName, folderPath: m.folderPath, id: m.id, subject: m.subject,
        deliveryId: m.extendedProperties.find((p) => p.id.toLowerCase() === prop)?.value ?? null,
      });
    }
  }
  res.json(out);
});
app.get('/bench/provider', (_req, res) => {
  const waiting = [...cvrs].flatMap((c) => ngdp.api.waiting(c).map((w) => ({ cvr: c, id: w.id, fetched: w.fetched })));
  const receipts = ngdp.api.receipts().map((r) => ({ memoId: r.memoId, status: r.receiptStatus }));
  res.json({ waiting, receipts });
});
app.get('/bench/stats', (_req, res) => { res.json(graph.api.stats()); });

const { url } = await listen(app, Number(process.env.PORT ?? 0), '127.0.0.1');
process.stdout.write(`READY ${url}\n`);
process.on('SIGTERM', () => process.exit(0));
