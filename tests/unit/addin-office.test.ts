// Reading the open Outlook item's ids for "This letter", against a fake Office global: the REST id
// (converted on desktop and web, as is on mobile), nothing in compose mode or outside Outlook, and
// one ItemChanged handler however often the view subscribes.
import { jest } from '@jest/globals';

type Handler = () => void;

function fakeOffice(opts: { platform?: string; item?: Record<string, unknown> | null; convert?: (id: string, v: string) => string } = {}) {
  const handlers: Handler[] = [];
  const convertToRestId = jest.fn(opts.convert ?? ((id: string) => `rest(${id})`));
  const office = {
    MailboxEnums: { RestVersion: { v2_0: 'v2.0' } },
    EventType: { ItemChanged: 'olkItemSelectedChanged' },
    context: {
      diagnostics: { platform: opts.platform ?? 'PC' },
      mailbox: {
        item: opts.item === undefined ? { itemId: 'AAMkEWS=', internetMessageId: '<x@y>' } : opts.item,
        convertToRestId,
        addHandlerAsync: jest.fn((_type: string, h: Handler) => { handlers.push(h); }),
      },
    },
  };
  (globalThis as { Office?: unknown }).Office = office;
  return { office, handlers, convertToRestId };
}

afterEach(() => {
  delete (globalThis as { Office?: unknown }).Office;
});

describe('add-in Outlook item', () => {
  test('desktop and web: the EWS item id is converted to the v2.0 REST id; the Internet message id goes along', async () => {
    const { currentItemIds, hasMailbox } = await import('../../addin/src/office/mailbox');
    const { convertToRestId } = fakeOffice();
    expect(hasMailbox()).toBe(true);
    expect(currentItemIds()).toEqual({ restId: 'rest(AAMkEWS=)', internetMessageId: '<x@y>' });
    expect(convertToRestId).toHaveBeenCalledWith('AAMkEWS=', 'v2.0');
  });

  test('mobile: itemId already is the REST id', async () => {
    const { currentItemIds } = await import('../../addin/src/office/mailbox');
    const { convertToRestId } = fakeOffice({ platform: 'iOS', item: { itemId: 'AAMkREST-' } });
    expect(currentItemIds()).toEqual({ restId: 'AAMkREST-', internetMessageId: null });
    expect(convertToRestId).not.toHaveBeenCalled();
  });

  test('no item, compose mode, a failing conversion or no Office at all: no ids, no exception', async () => {
    const { currentItemIds, hasMailbox } = await import('../../addin/src/office/mailbox');
    expect(hasMailbox()).toBe(false);
    expect(currentItemIds()).toBeNull();
    fakeOffice({ item: null });
    expect(currentItemIds()).toBeNull();
    fakeOffice({ item: { subject: 'draft' } }); // compose: no itemId
    expect(currentItemIds()).toBeNull();
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    fakeOffice({ convert: () => { throw new Error('not supported'); } });
    expect(currentItemIds()).toBeNull();
    expect(warn).toHaveBeenCalled();
    warn.mockRestore();
  });

  test('ItemChanged: one Outlook handler; every listener hears it until it unsubscribes', async () => {
    const { onItemChanged } = await import('../../addin/src/office/mailbox');
    const { office, handlers } = fakeOffice();
    const a = jest.fn();
    const b = jest.fn();
    const offA = onItemChanged(a);
    const offB = onItemChanged(b);
    expect(office.context.mailbox.addHandlerAsync).toHaveBeenCalledTimes(1);
    handlers[0]();
    expect(a).toHaveBeenCalledTimes(1);
    expect(b).toHaveBeenCalledTimes(1);
    offA();
    handlers[0]();
    expect(a).toHaveBeenCalledTimes(1);
    expect(b).toHaveBeenCalledTimes(2);
    offB();
  });
});
