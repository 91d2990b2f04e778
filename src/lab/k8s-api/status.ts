// The apiserver's Status objects and JSON responses: every error the lab's API answers is one of these,
// worded as the real apiserver words it, because clients and the doctor's readers parse them.

import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { qualifiedResource, type ApiResource } from './resources.js';

export interface Status {
  readonly code: number;
  readonly reason: string;
  readonly message: string;
  readonly details?: Record<string, unknown>;
}

/** Thrown anywhere in a handler; the router turns it into the Status response. */
export class StatusError extends Error {
  constructor(readonly status: Status) {
    super(status.message);
  }
}

export const HTTP_REASON: Readonly<Record<number, string>> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error' };

export const NOT_FOUND_PATH: Status = { code: 404, reason: 'NotFound', message: 'the server could not find the requested resource', details: {} };
export const UNAUTHORIZED: Status = { code: 401, reason: 'Unauthorized', message: 'Unauthorized' };

export function statusBody(s: Status): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: s.message, reason: s.reason, ...(s.details ? { details: s.details } : {}), code: s.code };
}

function resourceDetails(res: ApiResource, name?: string): Record<string, unknown> {
  return { ...(name !== undefined ? { name } : {}), ...(res.group ? { group: res.group } : {}), kind: res.resource };
}

export function notFoundObject(res: ApiResource, name: string): StatusError {
  return new StatusError({ code: 404, reason: 'NotFound', message: `${qualifiedResource(res)} "${name}" not found`, details: resourceDetails(res, name) });
}

export function alreadyExists(res: ApiResource, name: string): StatusError {
  return new StatusError({ code: 409, reason: 'AlreadyExists', message: `${qualifiedResource(res)} "${name}" already exists`, details: resourceDetails(res, name) });
}

export function badRequest(message: string): StatusError {
  return new StatusError({ code: 400, reason: 'BadRequest', message });
}

export function internalError(e: unknown): Status {
  return { code: 500, reason: 'InternalError', message: `Internal error occurred: ${e instanceof Error ? e.message : String(e)}` };
}

export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
    'Audit-Id': randomUUID(),
  });
  res.end(text);
}

export function sendStatus(res: ServerResponse, s: Status): void {
  sendJson(res, s.code, statusBody(s));
}

/** The Success Status a delete answers with. */
export function deletedBody(res: ApiResource, name: string, uid: string | undefined): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { ...resourceDetails(res, name), uid } };
}
