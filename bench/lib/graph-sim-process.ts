// The Microsoft Graph simulator in its own process for benchmarks, so its CPU (JSON parsing, the
// mailbox store, the OData filters) runs on the other core instead of the engine's event loop.
//   node --import tsx bench/lib/graph-sim-process.ts
// Env: GRAPH_SIM_LIMITS (JSON, Partial<GraphLimits>), GRAPH_SIM_LATENCY_MS (simulated processing time
// per request, holding one of the mailbox's concurrency slots), GRAPH_SIM_TOKEN (the accepted bearer token), PORT.
// Besides Graph at /sim/graph/v1.0, bench routes for the driver:
//   POST /bench/mailboxes {mailboxes: [{id, displayName}]}   adds shared mailboxes
//   GET  /bench/stats                                         the simulator's counters (api.stats())
//   GET  /bench/copies                                        per mailbox: the delivery ids its messages carry (one entry per message)
import express from 'express';
import { listen } from '../../backend/src/simulators/http';
import { createGraphSimulator, type GraphLimits } from '../../backend/src/simulators/graph';
import { DELIVERY_ID_PROPERTY } from '../../backend/src/delivery/render';

const limits = JSON.parse(process.env.GRAPH_SIM_LIMITS ?? '{}') as Partial<GraphLimits>;
const token = process.env.GRAPH_SIM_TOKEN ?? 'bench-graph-token';
// The recording ring is not needed here; keep it small so it costs no memory.
const sim = createGraphSimulator({ acceptedTokens: [token], limits, maxRecordedRequests: 100 });
const latencyMs = Number(process.env.GRAPH_SIM_LATENCY_MS ?? 0);
if (latencyMs > 0) sim.api.setFaults({ latencyMs });

const app = express();
app.use('/sim/graph', sim.router);
app.use('/bench', express.json({ limit: '10mb' }));
app.post('/bench/mailboxes', (req, res) => {
  const { mailboxes } = req.body as { mailboxes: { id: string; displayName: string }[] };
  for (const m of mailboxes) sim.api.addMailbox({ id: m.id, displayName: m.displayName, kind: 'shared' });
  res.json({ added: mailboxes.length });
});
app.get('/bench/stats', (_req, res) => { res.json(sim.api.stats()); });
app.get('/bench/copies', (_req, res) => {
  const out: Record<string, string[]> = {};
  const prop = DELIVERY_ID_PROPERTY.toLowerCase();
  for (const mb of sim.api.mailboxes()) {
    out[mb.userPrincipalName] = sim.api.messages(mb.userPrincipalName)
      .map((m) => m.extendedProperties.find((p) => p.id.toLowerCase() === prop)?.value)
      .filter((v): v is string => !!v);
  }
  res.json(out);
});

const { url } = await listen(app, Number(process.env.PORT ?? 0), '127.0.0.1');
process.stdout.write(`READY ${url}\n`);
process.on('SIGTERM', () => process.exit(0));
