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
