/**
 * The meeting pack as a Google Doc through the advanced Docs service: the same request list as
 * the Node job (the core's renderer), cut into the same batches, each guarded by the revision
 * it was made for. One document per meeting, rebuilt in place (same id and link).
 */
import type { Document } from '../core/document';
import { docsBatches, renderDocsSteps } from '../core/render-docs';

export function docUrl(id: string): string {
  return `https://docs.google.com/document/d/${id}/edit`;
}

export function docIdOf(link: string): string | undefined {
  return /\/document\/d\/([A-Za-z0-9_-]+)/.exec(link)?.[1];
}

function docs(): GoogleAppsScript.Docs {
  if (!Docs)
    throw new Error('The advanced Docs service is not enabled (appsscript.json: enabledAdvancedServices).');
  return Docs;
}

export function createDocument(title: string): string {
  return docs().Documents!.create({ title }).documentId!;
}

/** Clears the document and writes the pack; returns the number of batchUpdate calls. */
export function writeDocument(documentId: string, doc: Document): number {
  const api = docs().Documents!;
  const got = api.get(documentId);
  const end = Math.max(1, ...(got.body?.content ?? []).map((e) => e.endIndex ?? 1));
  const clear = end > 2 ? [{ deleteContentRange: { range: { startIndex: 1, endIndex: end - 1 } } }] : [];
  let revision = got.revisionId;
  const batches = docsBatches<object>(clear, renderDocsSteps(doc));
  for (const requests of batches) {
    const reply = api.batchUpdate(
      {
        requests,
        ...(revision ? { writeControl: { requiredRevisionId: revision } } : {}),
      } as GoogleAppsScript.Docs.Schema.BatchUpdateDocumentRequest,
      documentId,
    );
    revision = reply.writeControl?.requiredRevisionId ?? undefined;
  }
  return batches.length;
}
