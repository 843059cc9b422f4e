// Builds the connector for a mailbox from its stored configuration (secrets decrypted only here).
import { z } from 'zod';
import type { Sealer } from '../crypto/envelope';
import type { MailboxRow } from '../context';
import type { MailboxConnector } from './connector';
import { createNgdpClient } from './ngdp/client';

export const ngdpConfigSchema = z.object({
  baseUrl: z.string().url(),
  systemUsername: z.string().min(1),
});

export function connectorFactory(sealer: Sealer) {
  const cache = new Map<string, MailboxConnector>();
  return (mb: MailboxRow): MailboxConnector => {
    const hit = cache.get(mb.id);
    if (hit) return hit;
    let c: MailboxConnector;
    if (mb.provider === 'ngdp') {
      const cfg = ngdpConfigSchema.parse(mb.config);
      if (!mb.secretEnc) throw new Error(`Digital Post mailbox of CVR ${mb.cvr} has no system password configured.`);
      const password = sealer.open(mb.secretEnc).toString('utf8');
      c = createNgdpClient({ baseUrl: cfg.baseUrl, system: { username: cfg.systemUsername, password }, delegatedCVR: mb.cvr }).connector;
    } else {
      throw new Error(`The ${mb.provider} connector is not available yet (mailbox of CVR ${mb.cvr}).`);
    }
    cache.set(mb.id, c);
    return c;
  };
}
