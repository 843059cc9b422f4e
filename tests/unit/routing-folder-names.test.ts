// Folder templates give names every destination kind accepts, and Teams reads a folder path as
// mailboxes do (routing/templates.ts, delivery/teams/names.ts, delivery/mailbox.ts).
import { renderFolderTemplate } from '../../backend/src/routing/templates';
import { driveFolderSegments, driveNameProblem } from '../../backend/src/delivery/teams/names';
import { folderSegments } from '../../backend/src/delivery/mailbox';
import { splitFolderPath } from '../../shared/src/contracts';
import type { RoutingFacts } from '../../backend/src/routing/types';

const facts: RoutingFacts = {
  provider: 'ngdp', senderId: '29188335', senderName: 'Skattestyrelsen', recipientCvr: '72494814', label: 'Afgørelse: moms?',
  kle: ['25.02.05'], caseIds: ['2025/17'], forms: [], documentNames: [], replyRequired: false, cprPresent: false, createdAt: '2025-03-05T10:00:00Z',
};
const cvrNames = { 72494814: 'Nordlys Holding A/S' };

/** What each destination kind makes of a rendered path: the mailbox's folders and the channel's. */
const bothKinds = (path: string) => ({ mailbox: folderSegments(path), teams: driveFolderSegments(path) });

describe('folder names from templates, for mailboxes and Teams', () => {
  test('a company name with "/" is one folder in both, without a stray backslash', () => {
    const path = renderFolderTemplate('Digital Post/{cvrName}/{year}', facts, undefined, { cvrNames });
    const { mailbox, teams } = bothKinds(path);
    expect(mailbox).toEqual(['Digital Post', 'Nordlys Holding A-S', '2025']);
    expect(teams).toEqual(mailbox);
  });

  test('a label with ":" and "?" gives a name SharePoint allows', () => {
    const path = renderFolderTemplate('Post/{label}', facts);
    expect(bothKinds(path).teams).toEqual(['Post', 'Afgørelse - moms']);
    for (const bad of ['a "b" *c* <d> e|f\\g', 'Rykker.  ', '  ~$kladde', 'CON', 'x_vti_y', '...', '']) {
      const [name] = bothKinds(renderFolderTemplate('{label}', { ...facts, label: bad })).teams;
      expect(driveNameProblem(name)).toBeNull();
    }
    expect(bothKinds(renderFolderTemplate('{label}. /Arkiv', { ...facts, label: 'Rykker' })).teams).toEqual(['Rykker', 'Arkiv']);
  });

  test('three long placeholders in one folder name stay within 255 characters', () => {
    const long = { ...facts, senderName: 'Styrelsen for '.repeat(20), label: 'Vedrørende '.repeat(30), caseIds: ['S'.repeat(150)] };
    const path = renderFolderTemplate('Breve {sender} om {label} i sag {caseId}/{year}', long);
    const { mailbox, teams } = bothKinds(path);
    expect(mailbox[0].length).toBeLessThanOrEqual(255);
    expect(mailbox[0]).toMatch(/^Breve Styrelsen for .*…$/);
    expect(teams).toEqual(mailbox);
  });

  test('Teams splits a folder path as mailboxes do ("\\/" is inside a name), and says which name it refuses', () => {
    const escaped = 'Digital Post/Nordlys Holding A\\/S';
    expect(splitFolderPath(escaped)).toEqual(['Digital Post', 'Nordlys Holding A/S']);
    let refused: (Error & { retryable?: boolean }) | undefined;
    try { driveFolderSegments(escaped); } catch (e) { refused = e as Error; }
    expect(refused?.message).toContain('"Nordlys Holding A/S" contains a character SharePoint does not allow');
    expect(refused?.message).not.toContain('"Nordlys Holding A\\"');
    expect(refused?.message).toMatch(/Change the folder of the destination, or the folder template/);
    expect(refused?.retryable).toBe(false); // the same path fails the same way: no retries until it is dead
    expect(driveFolderSegments(' Digital Post / Skat ')).toEqual(['Digital Post', 'Skat']);
  });
});
