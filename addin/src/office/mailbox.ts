// The open Outlook item, as the "This letter" view needs it: which letter is this? Every Office.js
// call of that lookup lives here (no React), and everything fails soft: outside Outlook, in compose
// mode or on an old host the answer is "no item", never an exception.
//
// Ids. Outlook hands an add-in the item's EWS id (`Office.context.mailbox.item.itemId`); our
// deliveries record the Graph id of the copy they created. The add-in must therefore ask Outlook for
// the REST id: `Office.context.mailbox.convertToRestId(itemId, Office.MailboxEnums.RestVersion.v2_0)`
// (Mailbox 1.3). On Outlook for iOS and Android `itemId` already is the REST id and convertToRestId
// is not available, so it is used as it is.
//
// Note that the backend creates copies with `Prefer: IdType="ImmutableId"` and stores those
// *immutable* ids, while convertToRestId returns the *regular* REST id. The two are different
// strings for the same message in Exchange Online. The simulated Graph of the demo uses one id for
// both, so the lookup matches there; for real mailboxes the backend has to translate the regular id
// (Graph `translateExchangeIds`, restId → restImmutableEntryId) or find the copy by its Internet
// message id, which we therefore send along (see backend/src/api/router.ts, GET /messages/by-graph-id).
import type { OutlookItemIds } from '../api/client';

function officeGlobal(): typeof Office | undefined {
  return (globalThis as { Office?: typeof Office }).Office;
}

function mailbox(): Office.Mailbox | undefined {
  try {
    return officeGlobal()?.context?.mailbox ?? undefined;
  } catch {
    return undefined;
  }
}

/** True inside Outlook (a mailbox is there), whether or not an item is open. */
export function hasMailbox(): boolean {
  return mailbox() !== undefined;
}

const MOBILE_PLATFORMS = new Set(['iOS', 'Android']);

/** The ids of the item open in Outlook (read mode), or null when there is none or they cannot be read. */
export function currentItemIds(): OutlookItemIds | null {
  const office = officeGlobal();
  const mb = mailbox();
  if (!office || !mb) return null;
  try {
    const item = mb.item as (Office.MessageRead & { itemId?: string }) | null | undefined;
    const itemId = item?.itemId;
    // Compose forms have no itemId (getItemIdAsync would save a draft first): not a delivered letter.
    if (!item || typeof itemId !== 'string' || !itemId) return null;
    const platform = String(office.context?.diagnostics?.platform ?? '');
    let restId = itemId;
    if (!MOBILE_PLATFORMS.has(platform) && typeof mb.convertToRestId === 'function') {
      restId = mb.convertToRestId(itemId, office.MailboxEnums?.RestVersion?.v2_0 ?? ('v2.0' as Office.MailboxEnums.RestVersion));
    }
    if (!restId) return null;
    const internetMessageId = typeof item.internetMessageId === 'string' && item.internetMessageId ? item.internetMessageId : null;
    return { restId, internetMessageId };
  } catch (e) {
    console.warn('Brevdue: the Outlook item id could not be read', e);
    return null;
  }
}

const listeners = new Set<() => void>();
let registered = false;

/**
 * Calls `listener` when the user selects another item while the pane is pinned (Mailbox 1.5).
 * Returns a function that removes the listener. Outlook gets one handler for the page's lifetime:
 * removeHandlerAsync removes every handler of a type, asynchronously, which would race with a
 * component that unsubscribes and subscribes again.
 */
export function onItemChanged(listener: () => void): () => void {
  listeners.add(listener);
  if (!registered) {
    const office = officeGlobal();
    const mb = mailbox();
    const type = office?.EventType?.ItemChanged;
    if (mb && type && typeof mb.addHandlerAsync === 'function') {
      try {
        mb.addHandlerAsync(type, () => { for (const l of [...listeners]) l(); });
        registered = true;
      } catch { /* an old host: the pane shows the item it opened with */ }
    }
  }
  return () => { listeners.delete(listener); };
}
