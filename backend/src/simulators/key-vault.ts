// Azure Key Vault (keys: wrapkey/unwrapkey with RSA-OAEP-256, api-version 7.x) and the managed
// identity endpoint of App Service / Container Apps (api-version 2019-08-01), enough for
// crypto/key-vault.ts. Error bodies have Key Vault's shape ({ error: { code, message } }). Faults:
// `denyAccess` answers 403 as Key Vault does for an identity without the crypto role.
import express, { type Router } from 'express';
import { constants, generateKeyPairSync, privateDecrypt, publicEncrypt, randomBytes, type KeyObject } from 'node:crypto';

export interface KeyVaultSimulator {
  router: Router;
  /** The identity endpoint's secret header value (IDENTITY_HEADER). */
  identityHeader: string;
  /** Key name and version of the one key the vault holds. */
  keyName: string;
  keyVersion: string;
  api: {
    setDenyAccess(deny: boolean): void;
    /** Key operations answered so far (for tests: each process unwraps once at start). */
    calls(): { op: string; at: number }[];
  };
}

export function createKeyVaultSimulator(): KeyVaultSimulator {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const identityHeader = randomBytes(16).toString('hex');
  const keyName = 'brevdue-kek';
  const keyVersion = randomBytes(16).toString('hex');
  const tokens = new Set<string>();
  const calls: { op: string; at: number }[] = [];
  let denyAccess = false;

  const router = express.Router();
  const kvError = (res: express.Response, status: number, code: string, message: string) => res.status(status).json({ error: { code, message } });

  router.get('/msi/token', (req, res) => {
    if (req.header('x-identity-header') !== identityHeader) return res.status(401).json({ error: 'invalid_request', error_description: 'X-IDENTITY-HEADER is missing or wrong' });
    if (req.query['api-version'] !== '2019-08-01') return res.status(400).json({ error: 'invalid_request', error_description: 'unsupported api-version' });
    if (req.query.resource !== 'https://vault.azure.net') return res.status(400).json({ error: 'invalid_resource', error_description: 'this identity may get tokens for https://vault.azure.net only' });
    const token = randomBytes(24).toString('base64url');
    tokens.add(token);
    res.json({ access_token: token, expires_on: String(Math.floor(Date.now() / 1000) + 3600), resource: 'https://vault.azure.net', token_type: 'Bearer' });
  });

  const op = (name: 'wrapkey' | 'unwrapkey', fn: (key: { publicKey: KeyObject; privateKey: KeyObject }, value: Buffer) => Buffer) =>
    router.post(`/keys/:name/:version/${name}`, express.json({ limit: '64kb' }), (req, res) => {
      const auth = /^Bearer (.+)$/.exec(req.header('authorization') ?? '');
      if (!auth || !tokens.has(auth[1])) return kvError(res, 401, 'Unauthorized', 'AKV10000: Request is missing a Bearer or PoP token.');
      if (!/^7\.\d$/.test(String(req.query['api-version']))) return kvError(res, 400, 'BadParameter', 'The specified version is not recognized.');
      if (denyAccess) return kvError(res, 403, 'Forbidden', `Caller is not authorized to perform action on resource. Action: 'Microsoft.KeyVault/vaults/keys/${name === 'wrapkey' ? 'wrap' : 'unwrap'}/action'`);
      if (req.params.name !== keyName || req.params.version !== keyVersion) return kvError(res, 404, 'KeyNotFound', `A key with (name/id) ${req.params.name}/${req.params.version} was not found in this key vault.`);
      const body = req.body as { alg?: unknown; value?: unknown };
      if (body.alg !== 'RSA-OAEP-256') return kvError(res, 400, 'BadParameter', 'Invalid algorithm: only RSA-OAEP-256 is enabled for this key.');
      if (typeof body.value !== 'string' || !/^[A-Za-z0-9_-]+$/.test(body.value)) return kvError(res, 400, 'BadParameter', 'Property value must be base64url.');
      let out: Buffer;
      try {
        out = fn({ publicKey, privateKey }, Buffer.from(body.value, 'base64url'));
      } catch {
        return kvError(res, 400, 'BadParameter', 'Cryptographic failure (the value was not wrapped with this key).');
      }
      calls.push({ op: name, at: Date.now() });
      res.json({ kid: `${req.protocol}://${req.get('host')}${req.baseUrl}/keys/${keyName}/${keyVersion}`, value: out.toString('base64url') });
    });
  const oaep = { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' };
  op('wrapkey', (k, v) => publicEncrypt({ key: k.publicKey, ...oaep }, v));
  op('unwrapkey', (k, v) => privateDecrypt({ key: k.privateKey, ...oaep }, v));

  return {
    router, identityHeader, keyName, keyVersion,
    api: { setDenyAccess: (d) => { denyAccess = d; }, calls: () => [...calls] },
  };
}
