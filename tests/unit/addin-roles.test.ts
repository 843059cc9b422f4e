// Role grants in the pane: who counts as an administrator without limits, limited roles in words for
// the header (Danish and English), and the roles page's form helpers (checks, bodies, names, order).
import { isFullAdmin, limitedRoles, limitedRolesLine, rolesInWords, type Translate } from '../../addin/src/roles';
import {
  createBody, emptyForm, formOf, formProblems, limitNames, sortGrants, updateBody, type GrantForm,
} from '../../addin/src/components/admin/roles/model';
import { roleGrantCreateSchema, roleGrantUpdateSchema, type Me, type RoleGrant } from '../../shared/src/contracts';
import { paneI18n, tr } from '../helpers/i18n';

type G = NonNullable<Me['grants']>[number];
const all = (role: G['role']): G => ({ role, cvrs: null, destinationIds: null });
const me = (grants: G[] | undefined, roles: Me['roles'] = [...new Set((grants ?? []).map((g) => g.role))]) => ({ roles, grants });
const CVR_A = '72494814';
const CVR_B = '87033082';
const DEST = '0b7f3c52-7d1e-4a4e-9a61-3c1f2b9d8e70';

describe('the caller\'s grants', () => {
  test('an administrator without limits, and only then', () => {
    expect(isFullAdmin(null)).toBe(false);
    expect(isFullAdmin(me([all('admin')]))).toBe(true);
    expect(isFullAdmin(me([{ role: 'admin', cvrs: [CVR_A], destinationIds: null }]))).toBe(false);
    // Grants add up: one unlimited admin grant is enough.
    expect(isFullAdmin(me([{ role: 'admin', cvrs: [CVR_A], destinationIds: null }, all('admin')]))).toBe(true);
    expect(isFullAdmin(me([all('operator'), all('reader')]))).toBe(false);
    // A server without `grants`: token roles, which are unlimited.
    expect(isFullAdmin(me(undefined, ['admin']))).toBe(true);
    // `roles` and `grants` disagreeing (a hand-made /me): neither alone makes an admin.
    expect(isFullAdmin(me([all('admin')], ['operator']))).toBe(false);
  });

  test('limited roles: an unlimited grant of the same role makes its limits moot; counts are distinct', () => {
    expect(limitedRoles(me([all('reader')]))).toEqual([]);
    expect(limitedRoles(me([all('reader'), { role: 'operator', cvrs: [CVR_A], destinationIds: null }])))
      .toEqual([{ role: 'operator', cvrs: 1, destinations: null }]);
    expect(limitedRoles(me([{ role: 'reader', cvrs: [CVR_A], destinationIds: null }, all('reader')]))).toEqual([]);
    expect(limitedRoles(me([
      { role: 'reader', cvrs: [CVR_A, CVR_B], destinationIds: null },
      { role: 'reader', cvrs: [CVR_B], destinationIds: [DEST] },
    ]))).toEqual([{ role: 'reader', cvrs: 2, destinations: 1 }]);
    expect(limitedRoles(me(undefined, ['admin']))).toEqual([]);
  });

  describe('in words', () => {
    let tDa: Translate;
    let tEn: Translate;
    beforeAll(async () => {
      tDa = tr(await paneI18n('da'));
      tEn = tr(await paneI18n('en'));
    });

    test('the header\'s line, empty when nothing is limited', () => {
      expect(limitedRolesLine(me([all('admin')]), tDa)).toBe('');
      const readerTwoCvrs = me([{ role: 'reader', cvrs: [CVR_A, CVR_B], destinationIds: null }]);
      expect(limitedRolesLine(readerTwoCvrs, tDa)).toBe('Læser · begrænset til 2 CVR-numre');
      expect(limitedRolesLine(readerTwoCvrs, tEn)).toBe('Reader · limited to 2 CVR numbers');
      const both = me([all('reader'), { role: 'operator', cvrs: [CVR_A], destinationIds: [DEST] }]);
      expect(limitedRolesLine(both, tDa)).toBe('Operatør · begrænset til 1 CVR-nummer og 1 modtager');
      expect(limitedRolesLine(both, tEn)).toBe('Operator · limited to 1 CVR number and 1 recipient');
    });

    test('roles for the "only administrators" notes name a limit', () => {
      expect(rolesInWords(me([all('operator')]), tDa)).toBe('operatør');
      expect(rolesInWords(me([{ role: 'admin', cvrs: null, destinationIds: [DEST] }, all('reader')]), tDa))
        .toBe('administrator (begrænset til 1 modtager), læser');
      expect(rolesInWords(null, tEn)).toBe('—');
    });
  });
});

describe('the roles page\'s form', () => {
  const filled = (f: Partial<GrantForm> = {}): GrantForm => ({
    ...emptyForm(), principalId: ' 3F2504E0-4F89-41D3-9A0C-0305E82C3301 ', displayName: ' Økonomi ', ...f,
  });

  test('what is missing before sending; the object id only when adding', () => {
    expect(formProblems(emptyForm(), true)).toEqual({ principalId: 'required', displayName: 'required' });
    expect(formProblems(filled({ principalId: 'Økonomi-teamet' }), true)).toEqual({ principalId: 'format' });
    expect(formProblems(filled(), true)).toEqual({});
    expect(formProblems(filled({ principalId: '' }), false)).toEqual({});
  });

  test('bodies the server accepts: trimmed, lower-case id, no choice = null (all)', () => {
    const body = createBody(filled({ role: 'operator', cvrs: [CVR_A, CVR_A] }));
    expect(body).toEqual({
      principalType: 'group', principalId: '3f2504e0-4f89-41d3-9a0c-0305e82c3301', displayName: 'Økonomi', role: 'operator',
      cvrs: [CVR_A], destinationIds: null,
    });
    expect(roleGrantCreateSchema.safeParse(body).success).toBe(true);
    const update = updateBody(filled({ destinationIds: [DEST] }));
    expect(update).toEqual({ displayName: 'Økonomi', role: 'reader', cvrs: null, destinationIds: [DEST] });
    expect(roleGrantUpdateSchema.safeParse(update).success).toBe(true);
  });

  const grant = (displayName: string, role: RoleGrant['role'], extra: Partial<RoleGrant> = {}): RoleGrant => ({
    id: `00000000-0000-4000-8000-00000000000${displayName.length % 10}`, principalType: 'user', principalId: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
    displayName, role, cvrs: null, destinationIds: null, createdBy: 'x', createdAt: '2025-01-01T00:00:00.000Z', updatedAt: '2025-01-01T00:00:00.000Z', ...extra,
  });

  test('a stored grant back to the form, limits as names, and order', () => {
    expect(formOf(grant('Anna', 'admin', { cvrs: [CVR_A] }))).toMatchObject({ principalType: 'user', role: 'admin', cvrs: [CVR_A], destinationIds: [] });
    const names = new Map([[CVR_A, 'Nordlys Holding A/S']]);
    expect(limitNames(null, (c) => names.get(c), (c) => `CVR ${c} (fjernet)`)).toBeNull();
    expect(limitNames([CVR_A, CVR_B], (c) => names.get(c), (c) => `CVR ${c} (fjernet)`)).toEqual(['Nordlys Holding A/S', `CVR ${CVR_B} (fjernet)`]);
    expect(sortGrants([grant('Bo', 'reader'), grant('Anna', 'reader'), grant('Anna', 'admin')]).map((g) => `${g.displayName}:${g.role}`))
      .toEqual(['Anna:admin', 'Anna:reader', 'Bo:reader']);
  });
});
