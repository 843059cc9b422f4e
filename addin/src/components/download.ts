// Saving a document under its original file name. The content comes through the API client (so the
// bearer token goes along, which a plain link could not carry), then a temporary object URL is
// "clicked" with the download attribute. (Inside classic Outlook on Windows the web view may refuse
// downloads; see addin/README.md.)
import type { DocumentInfo } from '../../../shared/src/contracts';
import type { ApiClient } from '../api/client';

export async function saveDocument(api: ApiClient, messageId: string, doc: Pick<DocumentInfo, 'id' | 'filename'>): Promise<void> {
  saveBlob(await api.downloadDocument(messageId, doc.id), doc.filename);
}

/** Saves fetched content (a document, a CSV export) under `filename` through a temporary object URL. */
export function saveBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.appendChild(a);
  try {
    a.click();
  } finally {
    a.remove();
    // Long enough for the browser to start reading it.
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }
}
