// The identity and transport settings read from the environment (config.ts): defaults, and a
// sentence naming the variable for each mistake.
import { randomUUID } from 'node:crypto';
import { readEnv } from '../../backend/src/config';

describe('security configuration', () => {
  test('defaults: access_as_user, no group mapping, same origin only, 600/300 a minute, no proxy', () => {
    const env = readEnv({});
    expect(env).toMatchObject({
      ENTRA_REQUIRED_SCOPE: 'access_as_user', ENTRA_GROUP_ROLES: {}, ALLOWED_ORIGINS: [],
      RATE_LIMIT_IP_PER_MINUTE: 600, RATE_LIMIT_USER_PER_MINUTE: 300, TRUST_PROXY: 0,
    });
  });

  test('ENTRA_GROUP_ROLES maps group object ids to roles', () => {
    const g = randomUUID();
    expect(readEnv({ ENTRA_GROUP_ROLES: JSON.stringify({ [g]: 'operator' }) }).ENTRA_GROUP_ROLES).toEqual({ [g]: 'operator' });
    expect(() => readEnv({ ENTRA_GROUP_ROLES: '{not json' })).toThrow(/ENTRA_GROUP_ROLES: expected JSON/);
    expect(() => readEnv({ ENTRA_GROUP_ROLES: JSON.stringify({ 'Brevdue Admins': 'admin' }) })).toThrow(/ENTRA_GROUP_ROLES.*group object id/);
    expect(() => readEnv({ ENTRA_GROUP_ROLES: JSON.stringify({ [g]: 'root' }) })).toThrow(/ENTRA_GROUP_ROLES/);
  });

  test('ALLOWED_ORIGINS takes origins only', () => {
    expect(readEnv({ ALLOWED_ORIGINS: 'https://a.example.dk, https://b.example.dk:8443/' }).ALLOWED_ORIGINS)
      .toEqual(['https://a.example.dk', 'https://b.example.dk:8443']);
    expect(() => readEnv({ ALLOWED_ORIGINS: 'https://a.example.dk/taskpane.html' })).toThrow(/ALLOWED_ORIGINS.*not an origin/);
    expect(() => readEnv({ ALLOWED_ORIGINS: '*' })).toThrow(/ALLOWED_ORIGINS/);
  });

  test('limits and the scope are checked', () => {
    expect(() => readEnv({ RATE_LIMIT_USER_PER_MINUTE: '0' })).toThrow(/RATE_LIMIT_USER_PER_MINUTE/);
    expect(() => readEnv({ ENTRA_REQUIRED_SCOPE: 'api://x/access_as_user' })).toThrow(/ENTRA_REQUIRED_SCOPE: expected a scope name/);
    expect(readEnv({ TRUST_PROXY: '1' }).TRUST_PROXY).toBe(1);
  });
});
