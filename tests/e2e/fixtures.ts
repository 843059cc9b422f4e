// Canned API answers for browser tests that need states the real demo backend does not produce on
// demand (errors, empty lists, failed deliveries). Everything is parsed through the shared zod
// contracts, so a fixture that drifts from the contract fails loudly here.
import {
  destinationSchema, meSchema, messageDetailSchema, messageListResponseSchema, triageListSchema,
  type Destination, type Me, type MessageDetail, type MessageListResponse, type MessageSummary, type TriageList,
} from '../../shared/src/contracts';

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

export const fixtureMe: Me = meSchema.parse({
  userId: 'demo-user',
  displayName: 'Demo Bruger',
  orgId: uuid(1),
  orgName: 'Nordlys Rådgivning ApS',
  roles: ['reader'],
  demo: true,
});

const CVRS = [
  { cvr: '31013607', cvrName: 'Nordlys Rådgivning ApS' },
  { cvr: '31022266', cvrName: 'Nordlys Ejendomme A/S' },
];

interface Spec {
  n: number;
  minutesAgo: number;
  cvr: 0 | 1;
  sender: [id: string, name: string];
  label: string;
  status: MessageDetail['status'];
  docs: Array<[filename: string, role: 'main' | 'additional' | 'technical', size: number]>;
  replyInDays?: number | null;
  failed?: boolean;
}

const SPECS: Spec[] = [
  { n: 11, minutesAgo: 3, cvr: 0, sender: ['19552101', 'Skattestyrelsen'], label: 'Årsopgørelse 2024 og forskudsopgørelse 2025', status: 'delivered', docs: [['Aarsopgoerelse-2024.pdf', 'main', 184_320], ['Bilag-specifikation.pdf', 'additional', 52_400]] },
  { n: 12, minutesAgo: 40, cvr: 1, sender: ['10213231', 'Erhvervsstyrelsen'], label: 'Påmindelse: indsend årsrapport senest 31. maj', status: 'delivered', docs: [['Paamindelse.pdf', 'main', 91_000]], replyInDays: 12 },
  { n: 13, minutesAgo: 95, cvr: 0, sender: ['20486437', 'Udbetaling Danmark'], label: 'Afgørelse om refusion af sygedagpenge', status: 'failed', docs: [['Afgoerelse.pdf', 'main', 240_000]], failed: true },
  { n: 14, minutesAgo: 60 * 26, cvr: 0, sender: ['64942212', 'Københavns Kommune'], label: 'Partshøring vedr. byggetilladelse, sag 2025-01234', status: 'triage', docs: [['Partshoering.pdf', 'main', 120_000], ['Tegninger.pdf', 'additional', 4_400_000], ['memo.xml', 'technical', 3_100]], replyInDays: -2 },
  { n: 15, minutesAgo: 60 * 24 * 40, cvr: 1, sender: ['19552101', 'Skattestyrelsen'], label: 'Kvittering for momsangivelse 1. kvartal', status: 'routed', docs: [], replyInDays: null },
];

function detailFor(spec: Spec, now: Date): MessageDetail {
  const at = (minutes: number) => new Date(now.getTime() - minutes * 60_000).toISOString();
  const received = spec.minutesAgo;
  const { cvr, cvrName } = CVRS[spec.cvr];
  const destination = {
    id: uuid(900 + spec.cvr),
    kind: 'shared_mailbox' as const,
    displayName: spec.cvr === 0 ? 'Bogholderiet' : 'Ejendomsadministration',
    mailbox: spec.cvr === 0 ? 'bogholderi@nordlys.example' : 'ejendomme@nordlys.example',
    folderPath: spec.cvr === 0 ? 'Indbakke/Digital Post' : 'Indbakke/Offentlig post/Erhvervsstyrelsen',
  };
  const timeline: MessageDetail['timeline'] = [
    { at: at(received), type: 'fetched', actor: 'ngdp-poller', text: `Fetched from Digital Post mailbox for CVR ${cvr}.`, data: {} },
    { at: at(received - 0.05), type: 'stored', actor: 'ngdp-poller', text: 'Stored encrypted (3 parts).', data: {} },
    { at: at(received - 0.1), type: 'acknowledged', actor: 'ngdp-poller', text: 'Receipt RECEIVED sent to Digital Post.', data: {} },
  ];
  const deliveries: MessageDetail['deliveries'] = [];
  if (spec.status === 'triage') {
    timeline.push({ at: at(received - 0.2), type: 'triage', actor: 'router', text: 'No rule matched; placed in the triage queue.', data: {} });
  } else {
    timeline.push({ at: at(received - 0.2), type: 'routed', actor: 'router', text: `Rule "${spec.sender[1]} → ${destination.displayName}" matched on sender CVR.`, data: {} });
  }
  if (spec.status === 'delivered') {
    timeline.push({ at: at(received - 0.3), type: 'delivery_attempt', actor: 'delivery', text: `Attempt 1 to ${destination.mailbox}.`, data: {} });
    timeline.push({ at: at(received - 0.35), type: 'delivered', actor: 'delivery', text: `Delivered to ${destination.mailbox} / ${destination.folderPath}.`, data: {} });
    deliveries.push({ id: uuid(700 + spec.n), destination, reason: 'initial', requestedBy: 'system', status: 'delivered', attempts: 1, graphMessageId: 'AAMkAGI2TG93AAA=', deliveredAt: at(received - 0.35), lastError: null });
  }
  if (spec.failed) {
    for (let a = 1; a <= 3; a++) {
      timeline.push({ at: at(received - a), type: 'delivery_attempt', actor: 'delivery', text: `Attempt ${a} to ${destination.mailbox}.`, data: {} });
    }
    timeline.push({ at: at(received - 3.1), type: 'delivery_failed', actor: 'delivery', text: 'Graph answered 404 ErrorInvalidUser: the mailbox does not exist.', data: {} });
    deliveries.push({ id: uuid(700 + spec.n), destination, reason: 'initial', requestedBy: 'system', status: 'dead', attempts: 3, graphMessageId: null, deliveredAt: null, lastError: 'Graph 404 ErrorInvalidUser: The requested user is invalid.' });
  }
  // Deliberately out of order: the pane sorts by time.
  timeline.reverse();

  const replyBy = spec.replyInDays == null ? null : new Date(now.getTime() + spec.replyInDays * 86_400_000).toISOString();
  return messageDetailSchema.parse({
    id: uuid(spec.n),
    memoUuid: uuid(100 + spec.n),
    provider: 'ngdp',
    cvr,
    cvrName,
    label: spec.label,
    senderId: spec.sender[0],
    senderName: spec.sender[1],
    receivedAt: at(received),
    status: spec.status,
    documentCount: spec.docs.length,
    replyAllowed: spec.replyInDays !== undefined,
    replyBy,
    recipientId: cvr,
    recipientIdType: 'CVR',
    createdAt: at(received),
    notification: spec.n === 12 ? 'Du har fået post fra Erhvervsstyrelsen' : null,
    documents: spec.docs.map(([filename, role, size], i) => ({
      id: uuid(spec.n * 10 + i + 1000), role, filename, size,
      mimeType: filename.endsWith('.xml') ? 'application/xml' : 'application/pdf',
    })),
    deliveries,
    timeline,
  });
}

export function fixtureMessages(now = new Date()): MessageDetail[] {
  return SPECS.map((s) => detailFor(s, now));
}

export function summaryOf(d: MessageDetail): MessageSummary {
  const { recipientId: _r, recipientIdType: _t, createdAt: _c, notification: _n, documents: _d, deliveries: _v, timeline: _l, ...summary } = d;
  return summary;
}

/** What GET /api/messages would answer for this query string over these messages. */
export function listResponse(messages: MessageDetail[], search: URLSearchParams): MessageListResponse {
  const cvr = search.get('cvr');
  const q = search.get('q')?.toLowerCase();
  const limit = Number(search.get('limit') ?? 50);
  const offset = Number(search.get('offset') ?? 0);
  const hits = messages
    .filter((m) => !cvr || m.cvr === cvr)
    .filter((m) => !q || `${m.label} ${m.senderName}`.toLowerCase().includes(q))
    .sort((a, b) => b.receivedAt.localeCompare(a.receivedAt));
  return messageListResponseSchema.parse({ items: hits.slice(offset, offset + limit).map(summaryOf), total: hits.length });
}

/** GET /api/destinations: the approved-recipients registry. */
export const fixtureDestinations: Destination[] = [
  { id: uuid(900), kind: 'shared_mailbox', displayName: 'Bogholderiet', mailbox: 'bogholderi@nordlys.example', folderPath: 'Indbakke › Digital Post' },
  { id: uuid(901), kind: 'shared_mailbox', displayName: 'Ejendomsadministration', mailbox: 'ejendomme@nordlys.example', folderPath: 'Indbakke › Offentlig post' },
  { id: uuid(902), kind: 'user_mailbox', displayName: 'Økonomichef Hanne Sørensen', mailbox: 'hanne@nordlys.example', folderPath: 'Indbakke' },
  { id: uuid(903), kind: 'teams_channel', displayName: 'Økonomi – Teams-kanal', mailbox: null, folderPath: 'Digital Post' },
].map((d) => destinationSchema.parse(d));

/** GET /api/triage over the fixture letters that wait in triage. */
export function fixtureTriage(messages: MessageDetail[]): TriageList {
  const waiting = messages.filter((m) => m.status === 'triage');
  return triageListSchema.parse({
    total: waiting.length,
    items: waiting.map((m) => ({
      message: summaryOf(m),
      why: ['No rule matched; placed in the triage queue.'],
      suggestions: [{
        destinationIds: [uuid(901)],
        destinations: ['Ejendomsadministration'],
        confidence: 0.64,
        explanation: { da: 'Breve fra Københavns Kommune om byggesager gik til Ejendomsadministration 3 af 4 gange.', en: 'Letters from Københavns Kommune about building cases went to Ejendomsadministration 3 times out of 4.' },
      }],
    })),
  });
}
