// Sending a MeMo (replies) through the NgDP client against the simulator: the transmissionId comes
// back, the simulator records exactly what was sent, and its refusals become ProviderErrors a
// person (and the retry logic) can act on.
import { randomUUID } from 'node:crypto';
import express from 'express';
import { createNgdpSimulator, type NgdpSimulatorApi } from '../../backend/src/simulators/ngdp';
import { listen, type RunningServer } from '../../backend/src/simulators/http';
import { createNgdpClient, memoMessageUUID } from '../../backend/src/ingest/ngdp/client';
import { ProviderError } from '../../backend/src/ingest/connector';
import { buildMemoXml } from '../../backend/src/memo/build';
import { demoMemo, DEMO_SENDERS } from '../../backend/src/demo/letters';

const CVR = '72494814';
const SYSTEM = { username: randomUUID(), password: randomUUID() };

let server: RunningServer;
let sim: NgdpSimulatorApi;
let baseUrl: string;

beforeAll(async () => {
  const s = createNgdpSimulator({ systemCredentials: [SYSTEM], random: () => 0.9 });
  sim = s.api;
  server = await listen(express().use('/sim/ngdp', s.router));
  baseUrl = `${server.url}/sim/ngdp/apis/v1`;
});
afterAll(() => server.close());
beforeEach(() => sim.reset());

const client = (system: { username: string; password: string } = SYSTEM) => createNgdpClient({ baseUrl, system, delegatedCVR: CVR, timeoutMs: 5000 });

/** A reply from our CVR number to Erhvervsstyrelsen. */
function replyXml(): { uuid: string; xml: string } {
  const m = demoMemo({
    label: 'Svar: Orientering om ændrede åbningstider',
    sender: { id: CVR, idType: 'CVR', label: 'Nordlys Holding A/S' },
    recipient: { id: DEMO_SENDERS.erst.cvr, idType: 'CVR', label: DEMO_SENDERS.erst.name },
  });
  return { uuid: m.messageUUID, xml: buildMemoXml(m) };
}

async function failureOf(p: Promise<unknown>): Promise<ProviderError> {
  try { await p; } catch (e) { expect(e).toBeInstanceOf(ProviderError); return e as ProviderError; }
  throw new Error('expected the send to fail');
}

test('send returns the transmissionId, and the simulator holds exactly the memo sent', async () => {
  const { uuid, xml } = replyXml();
  expect(memoMessageUUID(xml)).toBe(uuid);
  const transmissionId = await client().send(xml);
  expect(transmissionId).toMatch(/^[0-9a-f-]{36}$/);
  expect(sim.sent()).toEqual([expect.objectContaining({
    transmissionId, messageUUID: uuid, senderCvr: CVR, recipientId: DEMO_SENDERS.erst.cvr, xml, size: Buffer.byteLength(xml),
  })]);
});

test('an explicit messageUUID that is not the memo\'s is refused by Digital Post (400, not retried)', async () => {
  const { xml } = replyXml();
  const e = await failureOf(client().send(xml, randomUUID()));
  expect(e).toMatchObject({ status: 400, retryable: false });
  expect(e.message).toMatch(/differs from the MeMo's messageUUID/);
  expect(sim.sent()).toEqual([]);
});

test('what is not a MeMo is not sent at all', async () => {
  const e = await failureOf(client().send('<html>hello</html>'));
  expect(e.retryable).toBe(false);
  expect(e.message).toMatch(/not a MeMo with a messageUUID/);
  expect(sim.sent()).toEqual([]);
});

test('wrong system credentials: 401 with a hint, not retried', async () => {
  const e = await failureOf(client({ username: SYSTEM.username, password: 'wrong' }).send(replyXml().xml));
  expect(e).toMatchObject({ status: 401, retryable: false });
  expect(e.message).toMatch(/check the system credentials and certificate.*Unknown system credentials/);
});

test('outage and server errors are retryable; the memo can be sent once Digital Post is back', async () => {
  const { xml } = replyXml();
  sim.setFaults({ outage: true });
  expect(await failureOf(client().send(xml))).toMatchObject({ status: 503, retryable: true });
  sim.setFaults({ errorRate: 1 });
  expect(await failureOf(client().send(xml))).toMatchObject({ status: 503, retryable: true });
  sim.setFaults({});
  expect(await client().send(xml)).toBe(sim.sent()[0].transmissionId);
});
