// Throwaway certificates for exercising mutual TLS against the NgDP simulator: a test CA, a server
// certificate for 127.0.0.1, OCES-like client certificates (PEM, encrypted PEM, PKCS#12, legacy
// PKCS#12), one from another CA, and an expired one. Made at run time with the `openssl` command in
// a temporary directory; nothing here is ever committed or used outside tests and demos.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface PemPair { cert: string; key: string }

export interface TestPki {
  dir: string;
  ca: PemPair;
  /** For 127.0.0.1 / localhost, issued by `ca`. */
  server: PemPair;
  /** OCES-like system certificate (serialNumber=CVR:…-FID:…) issued by `ca`. */
  client: PemPair & {
    /** The same key, PKCS#8 encrypted with `passphrase`. */
    encryptedKey: string;
    passphrase: string;
    /** PKCS#12 (AES) with cert, key and `ca`, base64. */
    pfxBase64: string;
    /** PKCS#12 with RC2/3DES (what old tools export), base64; null when this openssl cannot write it. */
    legacyPfxBase64: string | null;
  };
  /** A client certificate from a CA the server does not trust. */
  stranger: PemPair & { ca: string };
  /** Issued by `ca`, valid 2020-01-01 … 2021-01-01. */
  expired: PemPair;
  cleanup(): void;
}

export function opensslAvailable(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export function createTestPki(opts: { cvr?: string } = {}): TestPki {
  const cvr = opts.cvr ?? '72494814';
  const dir = mkdtempSync(path.join(tmpdir(), 'ngdp-pki-'));
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const read = (f: string) => readFileSync(path.join(dir, f), 'utf8');
  const write = (f: string, s: string) => writeFileSync(path.join(dir, f), s);
  const passphrase = 'test-passphrase-æøå';

  const makeCa = (name: string, cn: string) => run('req', '-x509', ...EC, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '3',
    '-subj', `/C=DK/O=Brevdue test PKI/CN=${cn}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  const issue = (name: string, subj: string, ext: string, ca = 'ca') => {
    write(`${name}.ext`, ext);
    run('req', '-new', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subj);
    run('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.pem`,
      '-days', '2', '-sha256', '-extfile', `${name}.ext`);
  };

  makeCa('ca', 'Test OCES udstedende-CA');
  makeCa('other-ca', 'Somebody else CA');
  issue('server', '/C=DK/O=Digitaliseringsstyrelsen (test)/CN=127.0.0.1',
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n');
  const clientExt = 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n';
  issue('client', `/C=DK/O=Nordlys Holding AS/CN=Brevdue system/serialNumber=CVR:${cvr}-FID:90210`, clientExt);
  issue('stranger', `/C=DK/O=Stranger ApS/CN=Not Brevdue/serialNumber=CVR:${cvr}-FID:66666`, clientExt, 'other-ca');

  run('pkey', '-in', 'client.key', '-aes256', '-passout', `pass:${passphrase}`, '-out', 'client.enc.key');
  run('pkcs12', '-export', '-in', 'client.pem', '-inkey', 'client.key', '-certfile', 'ca.pem', '-out', 'client.p12',
    '-passout', `pass:${passphrase}`, '-keypbe', 'AES-256-CBC', '-certpbe', 'AES-256-CBC', '-macalg', 'sha256');
  let legacyPfxBase64: string | null = null;
  try {
    run('pkcs12', '-export', '-legacy', '-in', 'client.pem', '-inkey', 'client.key', '-out', 'legacy.p12', '-passout', `pass:${passphrase}`);
    legacyPfxBase64 = readFileSync(path.join(dir, 'legacy.p12')).toString('base64');
  } catch { /* openssl without the legacy provider */ }

  // An expired certificate needs past dates, which only `openssl ca` can set.
  write('index.txt', '');
  write('serial', '1000\n');
  write('ca.cnf', [
    '[ ca ]', 'default_ca = test_ca', '[ test_ca ]', `dir = ${dir}`, 'database = $dir/index.txt', 'new_certs_dir = $dir',
    'serial = $dir/serial', 'default_md = sha256', 'policy = any', 'unique_subject = no', 'copy_extensions = none',
    'x509_extensions = client_ext', '[ any ]', 'commonName = supplied', 'organizationName = optional', 'countryName = optional',
    'serialNumber = optional', '[ client_ext ]', 'extendedKeyUsage = clientAuth', 'basicConstraints = CA:FALSE', '',
  ].join('\n'));
  run('req', '-new', ...EC, '-keyout', 'expired.key', '-out', 'expired.csr', '-subj', `/C=DK/O=Nordlys Holding AS/CN=Brevdue old/serialNumber=CVR:${cvr}-FID:1`);
  run('ca', '-config', 'ca.cnf', '-batch', '-notext', '-keyfile', 'ca.key', '-cert', 'ca.pem', '-in', 'expired.csr', '-out', 'expired.pem',
    '-startdate', '20200101000000Z', '-enddate', '20210101000000Z');

  return {
    dir,
    ca: { cert: read('ca.pem'), key: read('ca.key') },
    server: { cert: read('server.pem'), key: read('server.key') },
    client: {
      cert: read('client.pem'), key: read('client.key'), encryptedKey: read('client.enc.key'), passphrase,
      pfxBase64: readFileSync(path.join(dir, 'client.p12')).toString('base64'), legacyPfxBase64,
    },
    stranger: { cert: read('stranger.pem'), key: read('stranger.key'), ca: read('other-ca.pem') },
    expired: { cert: read('expired.pem'), key: read('expired.key') },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
