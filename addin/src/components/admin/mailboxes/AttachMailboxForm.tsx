// Admin › mailboxes, in a CVR number's card: attach a Digital Post, e-Boks or mit.dk mailbox (admins
// without limits; POST /api/admin/cvrs/:cvr/mailboxes). Only providers the CVR number has no mailbox
// at are offered; Digital Post is pulled or pushes. The settings come with the schemas' defaults and
// an address the organisation already uses (never credentials); the credentials are the shared
// CredentialFields. The form's own check runs first; the server's problems (an address this
// installation does not allow, a certificate that does not open, …) are shown at their fields.
import {
  Button, Caption1, Checkbox, Field, Input, Label, MessageBar, MessageBarBody, MessageBarTitle, Radio, RadioGroup, Spinner, Text, makeStyles, mergeClasses,
} from '@fluentui/react-components';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { CvrView, MailboxView, Provider } from '../../../../../shared/src/contracts';
import { useApi } from '../../../api/context';
import type { Translate } from '../../../codes';
import { useAdminStyles } from '../common';
import { placeProblems, useServerProblems } from '../field-problems';
import {
  MODES, SETTING_FIELDS, attachBody, attachProblems, baseUrlSuggestions, initialSettings, mailboxForm, type SettingField,
} from './attach';
import { CredentialFields } from './CredentialFields';
import type { CertChoice, Values } from './credentials';

/** The label (and hint) key of a setting; the mailbox id means something else at each provider. */
const settingKey = (provider: Provider, key: string) => (key === 'mailboxId' ? `${provider}MailboxId` : key);
/** Settings with a hint (admin.mailboxes.attach.hint.*). */
const HINTED = new Set(['baseUrl', 'systemUsername', 'ngdpMailboxId', 'deviceId', 'eboksMailboxId', 'archiveFolder', 'dataSources']);

// Long addresses in a message (the allowed ones) wrap anywhere rather than widen the pane.
const useStyles = makeStyles({ form: { overflowWrap: 'anywhere', minWidth: 0 }, group: { display: 'flex', flexDirection: 'column' } });

export function AttachMailboxForm({ cvr, cvrs, available, onAttached, onClose }: {
  cvr: CvrView; cvrs: readonly CvrView[]; available: Provider[]; onAttached: (m: MailboxView) => void; onClose: () => void;
}) {
  const s = useAdminStyles();
  const own = useStyles();
  const { t } = useTranslation();
  const tr = t as unknown as Translate;
  const api = useApi();
  const uid = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const [provider, setProvider] = useState<Provider>(available[0]);
  const [settings, setSettings] = useState<Values>(() => initialSettings(cvrs, available[0]));
  const [credentials, setCredentials] = useState<Values>({});
  const [cert, setCert] = useState<CertChoice>('none');
  const [more, setMore] = useState(false);
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const server = useServerProblems(mailboxForm(provider));
  const [focusFirst, setFocusFirst] = useState(0);
  const k = (key: string) => `admin.mailboxes.attach.${key}` as never;

  const problems = attachProblems(provider, settings, credentials, cert, (key) => t(key as never));
  const fromServer = Object.fromEntries(Object.keys(server.placed?.fields ?? {}).map((key) => [key, server.at(key)]).filter(([, m]) => m));
  const message = (key: string) => (tried ? problems[key] : undefined) ?? fromServer[key];
  const messages = Object.fromEntries([...Object.keys(problems), ...Object.keys(fromServer)].map((key) => [key, message(key)]));
  const fields = SETTING_FIELDS[provider];
  const suggestions = baseUrlSuggestions(cvrs, provider);
  const hidden = new Set(fields.filter((f) => f.more).map((f) => f.key));

  // After a refused submit: the first field with a message gets the focus (opening "More settings" if it is there).
  useEffect(() => {
    if (!focusFirst) return;
    const el = formRef.current?.querySelector<HTMLElement>('[aria-invalid=true]');
    el?.focus();
  }, [focusFirst]);

  const forget = server.edited;
  const setSetting = (key: string, value: string) => { setSettings((cur) => ({ ...cur, [key]: value })); forget(key); };
  const setCredential = (key: string, value: string) => { setCredentials((cur) => ({ ...cur, [key]: value })); forget(key); };
  const chooseProvider = (p: Provider) => {
    setProvider(p);
    // Nothing typed for one provider is sent to another.
    setSettings(initialSettings(cvrs, p));
    setCredentials({});
    setCert('none');
    setTried(false);
    server.clear();
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    const wrong = Object.keys(problems);
    if (wrong.length) {
      if (wrong.some((key) => hidden.has(key))) setMore(true);
      setFocusFirst((n) => n + 1);
      return;
    }
    setBusy(true);
    server.clear();
    try {
      const m = await api.addMailbox(cvr.cvr, attachBody(provider, settings, credentials, cert));
      onAttached(m);
    } catch (err) {
      server.refused(err);
      setBusy(false);
      if (Object.keys(placeProblems(err, mailboxForm(provider), tr)?.fields ?? {}).some((key) => hidden.has(key))) setMore(true);
      setFocusFirst((n) => n + 1);
    }
  };

  // That fields are marked, and what no field says.
  const errorText = server.bar(t(k('fixFields')));

  const settingInput = (f: SettingField) => {
    const lk = settingKey(provider, f.key);
    const label = t(k(`field.${lk}`));
    const hint = HINTED.has(lk) ? t(k(`hint.${lk}`)) : undefined;
    const testId = `attach-${f.key}`;
    if (f.kind === 'choice') {
      return (
        <Field key={f.key} label={label} hint={hint} validationMessage={messages[f.key]}>
          <RadioGroup value={settings[f.key] ?? ''} onChange={(_, d) => setSetting(f.key, d.value)} disabled={busy} data-testid={testId}>
            {f.options!.map((o) => <Radio key={o} value={o} label={t(k(`option.${f.key}.${o}`))} />)}
          </RadioGroup>
        </Field>
      );
    }
    if (f.kind === 'sources') {
      // Checkboxes under a group label, not inside a Field (each checkbox would take the Field's id and label).
      const chosen = (settings[f.key] ?? '').split(',').filter(Boolean);
      const toggle = (o: string, on: boolean) => setSetting(f.key, f.options!.filter((x) => (x === o ? on : chosen.includes(x))).join(','));
      const gid = `${uid}-${f.key}`;
      const problem = messages[f.key];
      return (
        <div
          key={f.key} role="group" aria-labelledby={`${gid}-label`} aria-describedby={[problem ? `${gid}-problem` : '', hint ? `${gid}-hint` : ''].filter(Boolean).join(' ') || undefined}
          className={own.group} data-testid={testId}
        >
          <Label id={`${gid}-label`}>{label}</Label>
          {f.options!.map((o) => (
            <Checkbox key={o} label={t(k(`option.${f.key}.${o}`))} checked={chosen.includes(o)} onChange={(_, d) => toggle(o, d.checked === true)} disabled={busy} />
          ))}
          {problem && <Caption1 id={`${gid}-problem`} role="alert" className={s.problem}>{problem}</Caption1>}
          {hint && <Caption1 id={`${gid}-hint`} className={s.meta}>{hint}</Caption1>}
        </div>
      );
    }
    return (
      <Field key={f.key} label={label} hint={hint} required={f.required} validationMessage={messages[f.key]}>
        <Input
          type={f.kind === 'url' ? 'url' : 'text'} inputMode={f.kind === 'url' ? 'url' : undefined}
          list={f.kind === 'url' ? `${uid}-urls` : undefined} autoComplete="off" spellCheck={false}
          value={settings[f.key] ?? ''} onChange={(_, d) => setSetting(f.key, d.value)} disabled={busy} data-testid={testId}
        />
      </Field>
    );
  };

  const modes = MODES[provider];
  const mode = settings.mode === 'push' ? 'push' : 'pull';
  return (
    <form ref={formRef} className={mergeClasses(s.card, s.form, own.form)} onSubmit={submit} noValidate aria-labelledby={`${uid}-title`} data-testid="attach-form">
      <Text weight="semibold" id={`${uid}-title`}>{t(k('title'), { name: cvr.name, cvr: cvr.cvr })}</Text>
      <Field label={t(k('provider'))}>
        <RadioGroup value={provider} onChange={(_, d) => chooseProvider(d.value as Provider)} disabled={busy} data-testid="attach-provider">
          {available.map((p) => <Radio key={p} value={p} label={t(`provider.${p}`)} data-testid={`attach-provider-${p}`} />)}
        </RadioGroup>
      </Field>
      <Caption1 className={s.meta} data-testid="attach-requirements">{t(k(`intro.${provider}`))}</Caption1>
      {modes.length > 1 && (
        <Field label={t(k('mode'))} hint={t(k(`modeHint.${mode}`), { cvr: cvr.cvr })} validationMessage={messages.mode}>
          <RadioGroup value={mode} onChange={(_, d) => setSetting('mode', d.value)} disabled={busy} data-testid="attach-mode">
            {modes.map((m) => <Radio key={m} value={m} label={t(k(`modeOption.${m}`))} data-testid={`attach-mode-${m}`} />)}
          </RadioGroup>
        </Field>
      )}
      {fields.filter((f) => !f.more).map(settingInput)}
      <datalist id={`${uid}-urls`}>{suggestions.map((u) => <option key={u} value={u} />)}</datalist>
      <CredentialFields
        provider={provider} purpose="attach" values={credentials} onChange={setCredential}
        cert={cert} onCertChange={(c) => { setCert(c); forget('certificateChoice'); }} messages={messages} busy={busy}
      />
      {hidden.size > 0 && (
        <div>
          <Button
            type="button" appearance="transparent" size="small" onClick={() => setMore((v) => !v)} aria-expanded={more} data-testid="attach-more"
          >
            {t(k(more ? 'fewerSettings' : 'moreSettings'))}
          </Button>
        </div>
      )}
      {more && <div className={s.form}>{fields.filter((f) => f.more).map(settingInput)}</div>}
      {errorText != null && (
        <MessageBar intent="error" layout="multiline" role="alert" data-testid="form-error">
          <MessageBarBody>
            <MessageBarTitle>{t(k('failed'))}</MessageBarTitle>
            <span data-testid="form-error-text">{errorText}</span>
          </MessageBarBody>
        </MessageBar>
      )}
      <div className={s.actions}>
        <Button appearance="primary" type="submit" disabled={busy} icon={busy ? <Spinner size="tiny" /> : undefined} data-testid="attach-submit">
          {busy ? t(k('submitting')) : t(k('submit'))}
        </Button>
        <Button type="button" onClick={onClose} disabled={busy} data-testid="attach-cancel">{t(k('cancel'))}</Button>
      </div>
    </form>
  );
}
