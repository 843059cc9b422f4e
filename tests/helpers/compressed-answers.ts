// One check for both e-Boks and mit.dk (same simulator fault, same expectations): a server that
// compresses its answers is read correctly, documents arrive byte for byte, and a compressed answer cut
// off mid-transfer is a retryable error that stores nothing and loses nothing.
import { eq } from 'drizzle-orm';
import type { Brevdue } from '../../backend/src/app';
import type { MailboxRow } from '../../backend/src/context';
import { minimalPdf } from '../../backend/src/demo/letters';
import { ProviderError } from '../../backend/src/ingest/connector';
import { pollMailbox } from '../../backend/src/ingest/poll';
import { documents, messages } from '../../backend/src/store/schema';

/** What the two simulators have in common for this check. */
interface CompressingSimulator {
  setFaults(f: { compress?: boolean; truncateRate?: number }): void;
  inject(cvr: string, letter: { sender: { name: string }; subject: string; documents: { filename: string; content: string }[] }): unknown;
  waiting(cvr: string): unknown[];
}

export async function expectCompressedAnswersRead(app: Brevdue, sim: CompressingSimulator, mailbox: MailboxRow, cvr: string): Promise<void> {
  const ctx = { ...app.ctx, jobs: { routeSoon: async () => undefined, deliverSoon: async () => undefined, notifyDeadSoon: async () => undefined } };
  const pdf = (s: string) => minimalPdf(s).toString('base64');
  const letter = { sender: { name: 'Nykredit' }, subject: 'Komprimeret', documents: [{ filename: 'Brev.pdf', content: pdf('Komprimeret brev') }, { filename: 'Bilag.pdf', content: pdf('Bilag') }] };
  sim.setFaults({ compress: true });
  sim.inject(cvr, letter);
  expect(await pollMailbox(ctx, mailbox)).toEqual({ stored: 1, duplicates: 0, quarantined: 0, more: false });
  const [stored] = await app.database.db.select().from(messages).where(eq(messages.mailboxId, mailbox.id));
  const docs = await app.database.db.select().from(documents).where(eq(documents.messageId, stored.id)).orderBy(documents.position);
  expect(docs.map((d) => app.ctx.sealer.open(d.contentEnc))).toEqual([minimalPdf('Komprimeret brev'), minimalPdf('Bilag')]);
  expect(sim.waiting(cvr)).toEqual([]);

  // Cut off mid-transfer while compressed: still a retryable error, nothing stored, nothing lost.
  sim.setFaults({ compress: true, truncateRate: 1 });
  sim.inject(cvr, letter);
  const err = await pollMailbox(ctx, mailbox).catch((e) => e);
  expect(err).toBeInstanceOf(ProviderError);
  expect(err.retryable).toBe(true);
  expect(await app.database.db.select().from(messages).where(eq(messages.mailboxId, mailbox.id))).toHaveLength(1);
  sim.setFaults({ compress: true });
  expect((await pollMailbox(ctx, mailbox)).stored).toBe(1);
}
