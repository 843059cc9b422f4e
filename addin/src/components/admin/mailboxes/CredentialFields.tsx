// The credential fields of a provider's mailbox, for "Attach a mailbox" and "Renew credentials":
// secrets as password inputs (never prefilled), and for Digital Post the OCES certificate as PEM
// (pasted, or read from .pem/.crt/.key files in the browser) or as a PKCS#12 file (read in the
// browser, sent as base64) with its passphrase. Remount it (a new `key`) to forget chosen files.
import { Caption1, Field, Input, Radio, RadioGroup, Textarea } from '@fluentui/react-components';
import { useState, type ChangeEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Provider } from '../../../../../shared/src/contracts';
import { useAdminStyles } from '../common';
import { CREDENTIAL_FIELDS, certChoices, isRequired, toBase64, type CertChoice, type CredentialsPurpose, type Values } from './credentials';

const CERT_LABEL: Record<CertChoice, string> = {
  none: 'certNone', remove: 'certRemove', pem: 'certPem', pfx: 'certPfx',
};

export interface CredentialFieldsProps {
  provider: Provider;
  purpose: CredentialsPurpose;
  values: Values;
  onChange: (key: string, value: string) => void;
  cert: CertChoice;
  onCertChange: (cert: CertChoice) => void;
  /** The message to show at each field (the form's own check, or the server's problem). */
  messages: Record<string, string | undefined>;
  busy: boolean;
}

export function CredentialFields({ provider, purpose, values, onChange, cert, onCertChange, messages, busy }: CredentialFieldsProps) {
  const s = useAdminStyles();
  const { t } = useTranslation();
  const [pfxName, setPfxName] = useState('');
  const [readFailed, setReadFailed] = useState<string | null>(null);
  const k = (key: string) => `admin.mailboxes.credentials.${key}` as never;

  /** A PEM file's text into its field (nothing leaves the browser until the form is sent). */
  const readPem = (key: 'certificate' | 'privateKey') => async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    setReadFailed(null);
    if (!file) return;
    try {
      onChange(key, await file.text());
    } catch {
      setReadFailed(key);
    }
  };
  const pickPfx = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    setPfxName(file?.name ?? '');
    setReadFailed(null);
    onChange('pfxBase64', '');
    if (!file) return;
    try {
      onChange('pfxBase64', toBase64(await file.arrayBuffer()));
    } catch {
      setReadFailed('pfxBase64');
    }
  };
  const fileMessage = (key: string) => (readFailed === key ? t(k('fileUnreadable')) : messages[key]);

  const secretInput = (key: string, required: boolean, hint?: string) => (
    <Field key={key} label={t(k(`field.${key}`))} hint={hint} required={required} validationMessage={messages[key]}>
      <Input
        type="password" autoComplete="new-password" value={values[key] ?? ''} onChange={(_, d) => onChange(key, d.value)}
        disabled={busy} data-testid={`credential-${key}`} data-field={key}
      />
    </Field>
  );
  const identityHint = purpose === 'renew' ? t(k('identityHint')) : t(k('identityAttachHint'));

  return (
    <>
      {CREDENTIAL_FIELDS[provider].map((f) => secretInput(f.key, isRequired(f, purpose), f.key === 'identity' ? identityHint : undefined))}
      {provider === 'ngdp' && (
        <>
          <Field
            label={t(k('certificateFormat'))}
            hint={t(purpose === 'attach' ? k('certificateAttachHint') : k('certificateHint'))}
            validationMessage={messages.certificateChoice}
          >
            <RadioGroup
              value={cert} onChange={(_, d) => onCertChange(d.value as CertChoice)} disabled={busy}
              data-testid="credential-certificate-format" data-field="certificateChoice"
            >
              {certChoices(purpose).map((c) => (
                <Radio key={c} value={c} label={t(k(c === 'none' && purpose === 'attach' ? 'certNoneAttach' : CERT_LABEL[c]))} data-testid={`credential-cert-${c}`} />
              ))}
            </RadioGroup>
          </Field>
          {cert === 'pem' && (
            <>
              <Field label={t(k('field.certificate'))} required validationMessage={fileMessage('certificate')}>
                <Textarea
                  value={values.certificate ?? ''} onChange={(_, d) => onChange('certificate', d.value)} rows={4}
                  disabled={busy} spellCheck={false} data-testid="credential-certificate" data-field="certificate"
                />
              </Field>
              <Field label={t(k('certificateFile'))} hint={t(k('pemFileHint'))}>
                {(fp) => <input {...fp} type="file" accept=".pem,.crt,.cer,application/x-pem-file" onChange={readPem('certificate')} disabled={busy} data-testid="credential-certificate-file" />}
              </Field>
              <Field label={t(k('field.privateKey'))} required validationMessage={fileMessage('privateKey')}>
                <Textarea
                  value={values.privateKey ?? ''} onChange={(_, d) => onChange('privateKey', d.value)} rows={4}
                  disabled={busy} spellCheck={false} data-testid="credential-privateKey" data-field="privateKey"
                />
              </Field>
              <Field label={t(k('privateKeyFile'))} hint={t(k('pemFileHint'))}>
                {(fp) => <input {...fp} type="file" accept=".pem,.key,application/x-pem-file" onChange={readPem('privateKey')} disabled={busy} data-testid="credential-privateKey-file" />}
              </Field>
            </>
          )}
          {cert === 'pfx' && (
            <Field label={t(k('field.pfx'))} required validationMessage={fileMessage('pfxBase64')} hint={pfxName || undefined}>
              {(fp) => <input {...fp} type="file" accept=".p12,.pfx,application/x-pkcs12" onChange={pickPfx} disabled={busy} data-testid="credential-pfx" data-field="pfxBase64" />}
            </Field>
          )}
          {(cert === 'pem' || cert === 'pfx') && secretInput('passphrase', false, t(k(cert === 'pem' ? 'passphrasePemHint' : 'passphrasePfxHint')))}
          {cert === 'pem' || cert === 'pfx' ? <Caption1 className={s.meta}>{t(k('certificateStaysHere'))}</Caption1> : null}
        </>
      )}
    </>
  );
}
