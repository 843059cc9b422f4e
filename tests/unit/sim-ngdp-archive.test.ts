// The NgDP simulator's archive (what a backfill brings back) keeps every delivered letter's XML;
// benchmarks moving tens of thousands of letters switch it off (keepArchive: false).
import { NgdpState } from '../../backend/src/simulators/ngdp/state';
import { buildMemoXml } from '../../backend/src/memo/build';
import { demoMemo, DEMO_ORGANISATION } from '../../backend/src/demo/letters';

const [company] = DEMO_ORGANISATION.cvrs;

test.each([[true, 2], [false, 0]])('keepArchive %s: %i letters archived; waiting letters are the same either way', (keep, archived) => {
  const state = new NgdpState(keep);
  for (let i = 0; i < 2; i++) state.inject(company.cvr, buildMemoXml(demoMemo({ recipientCvr: company.cvr })));
  expect(state.archive(company.cvr)).toHaveLength(archived);
  expect(state.waiting(company.cvr)).toHaveLength(2);
});

test('an extracted messageUUID does not keep its letter alive (it is a map key and in the receipt log)', async () => {
  const { setFlagsFromString } = await import('node:v8');
  const { runInNewContext } = await import('node:vm');
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const { extractMessageUUID } = await import('../../backend/src/simulators/ngdp/memo-uuid');
  const body = 'x'.repeat(500_000);
  gc();
  const before = process.memoryUsage().heapUsed;
  const ids: string[] = [];
  for (let i = 0; i < 400; i++) {
    ids.push(extractMessageUUID(`<Message><MessageHeader><messageUUID>${crypto.randomUUID()}</messageUUID></MessageHeader>${body}${i}</Message>`)!);
  }
  gc();
  const grown = process.memoryUsage().heapUsed - before;
  expect(ids.every((id) => /^[0-9a-f-]{36}$/.test(id))).toBe(true);
  expect(grown).toBeLessThan(50_000_000); // 400 letters of 0.5 MB were kept alive before: ≈ 200 MB
});

test('the messageUUID is found in the first 64 KB, later up to 1 MB, and not past it', async () => {
  const { extractMessageUUID } = await import('../../backend/src/simulators/ngdp/memo-uuid');
  const id = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
  const memo = (pad: number) => `<Message><!--${' '.repeat(pad)}--><MessageHeader><messageUUID>${id}</messageUUID></MessageHeader></Message>`;
  expect(extractMessageUUID(memo(10))).toBe(id);
  expect(extractMessageUUID(Buffer.from(memo(200_000)))).toBe(id); // past the first look: found in the 1 MB
  expect(extractMessageUUID(memo(200_000))).toBe(id);
  expect(extractMessageUUID(memo(1_100_000))).toBeUndefined();
  expect(extractMessageUUID('<NotAMemo/>')).toBeUndefined();
});
