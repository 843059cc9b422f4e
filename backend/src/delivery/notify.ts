// When a delivery dead-letters, the organisation's admins get a mail (through Graph sendMail from
// the configured sender mailbox) saying which letter, where it should have gone, and why it failed.
// The notice never contains the letter's documents; the subject is CPR-masked like everything else.
import { and, eq, isNull } from 'drizzle-orm';
import type * as MicrosoftGraph from '@microsoft/microsoft-graph-types';
import type { AppContext } from '../context';
import { deliveries, destinations, messages, organisations } from '../store/schema';
import { addEvent } from '../store/letters';
import { maskCpr } from '../../../shared/src/identifiers';
import { call, enc } from './mailbox';
import { esc } from './render';
import { parseDeliverySettings } from './settings';
import { describeGraphError } from './deliver';

export interface DeadLetterNotice {
  orgName: string;
  label: string;
  senderName: string;
  cvr: string;
  receivedAt: Date;
  replyBy: Date | null;
  destination: string;
  attempts: number;
  reason: string;
  letterUrl?: string;
}

export function renderDeadLetterNotice(n: DeadLetterNotice, to: string): MicrosoftGraph.Message {
  const da = (d: Date) => d.toLocaleString('da-DK', { timeZone: 'Europe/Copenhagen', dateStyle: 'long', timeStyle: 'short' });
  const rows: [string, string][] = [
    ['Brev', maskCpr(n.label)], ['Afsender', n.senderName], ['Modtager-CVR', n.cvr], ['Modtaget', da(n.receivedAt)],
    ...(n.replyBy ? [['Svarfrist', da(n.replyBy)] as [string, string]] : []),
    ['Skulle leveres til', n.destination], ['Forsøg', String(n.attempts)], ['Årsag', maskCpr(n.reason)],
  ];
  const link = n.letterUrl ? `<p><a href="${esc(n.letterUrl)}">Åbn brevet i Brevdue</a> for at sende det igen eller omdirigere det.</p>` : '<p>Åbn brevet i Brevdue-panelet i Outlook for at sende det igen eller omdirigere det.</p>';
  return {
    subject: `Brevdue: et brev kunne ikke leveres – ${maskCpr(n.label)}`.slice(0, 255),
    importance: 'high',
    body: {
      contentType: 'html',
      content: `<html><body style="font-family:Segoe UI,Arial,sans-serif"><p>Brevdue (${esc(n.orgName)}) har opgivet at levere et brev efter ${n.attempts} forsøg. Brevet er gemt og går ikke tabt.</p>`
        + `<table>${rows.map(([k, v]) => `<tr><th style="text-align:left;padding:2px 12px 2px 0">${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>${link}`
        + '<p>Skyldes det en driftsforstyrrelse (postkassen findes ikke, adgangen er fjernet), så ret årsagen og send alle mislykkede leveringer igen under Administration › Modtagere.</p></body></html>',
    },
    toRecipients: [{ emailAddress: { address: to } }],
  };
}

export async function notifyDeadLetter(ctx: AppContext, deliveryId: string): Promise<'sent' | 'not_configured' | 'already'> {
  const [row] = await ctx.db.select({ d: deliveries, dest: destinations, org: organisations, m: { id: messages.id, label: messages.label, senderName: messages.senderName, cvr: messages.cvr, receivedAt: messages.receivedAt, replyBy: messages.replyBy } })
    .from(deliveries)
    .innerJoin(destinations, eq(destinations.id, deliveries.destinationId))
    .innerJoin(organisations, eq(organisations.id, deliveries.orgId))
    .innerJoin(messages, eq(messages.id, deliveries.messageId))
    .where(eq(deliveries.id, deliveryId));
  if (!row || row.d.status !== 'dead' || row.d.deadNotifiedAt) return 'already';
  const settings = parseDeliverySettings(row.org.deliverySettings);
  if (!settings.notifyAddress || !settings.notifySender) {
    await addEvent(ctx.db, row.d.orgId, row.m.id, 'admins_notified', 'system',
      'No admin was mailed about the failed delivery: no notification address and sender are configured (admin settings → delivery).', { deliveryId, sent: false });
    await ctx.db.update(deliveries).set({ deadNotifiedAt: new Date() }).where(eq(deliveries.id, deliveryId));
    return 'not_configured';
  }
  const where = row.dest.mailbox ? `${row.dest.displayName} (${row.dest.mailbox})` : row.dest.displayName;
  const notice = renderDeadLetterNotice({
    orgName: row.org.name, label: row.m.label, senderName: row.m.senderName, cvr: row.m.cvr, receivedAt: row.m.receivedAt, replyBy: row.m.replyBy,
    destination: where, attempts: row.d.attempts, reason: row.d.lastError ?? 'unknown',
    letterUrl: ctx.publicUrl ? `${ctx.publicUrl}/taskpane.html#/messages/${row.m.id}` : undefined,
  }, settings.notifyAddress);
  try {
    await call(ctx.graph, `/users/${enc(settings.notifySender)}/sendMail`, (r) => r.post({ message: notice, saveToSentItems: false }));
  } catch (e) {
    throw new Error(`Could not mail ${settings.notifyAddress} about the failed delivery: ${describeGraphError(e)}`);
  }
  // Only the first notice counts; a concurrent job that also sent one is harmless but recorded once.
  const upd = await ctx.db.update(deliveries).set({ deadNotifiedAt: new Date() })
    .where(and(eq(deliveries.id, deliveryId), isNull(deliveries.deadNotifiedAt))).returning({ id: deliveries.id });
  if (upd.length) {
    await addEvent(ctx.db, row.d.orgId, row.m.id, 'admins_notified', 'system', `Mailed ${settings.notifyAddress} that the delivery to ${row.dest.displayName} failed`,
      { deliveryId, sent: true, to: settings.notifyAddress, destination: row.dest.displayName });
  }
  return 'sent';
}
