// provision end to end: plan (default), --apply (dry run of everything first, then Helm, ACM, and one
// server-side apply per object in the renderer's order, stopping cleanly on Ctrl-C between objects),
// --remove, then --wait and the check (src/provision/wait.ts). Exit: 0 nothing pending, 1 pending or
// blocked, 3 could not read or write (ProvisionError, thrown to the CLI).
import { mkdir, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import type { Io } from '../cli/run-check.js';
import type { CheckRunner } from './wait.js';
import { EXIT } from '../model.js';
import { openCluster } from '../platform/k8s/live.js';
import type { K8sObject } from '../render/object.js';
import { guideNames } from '../render/params.js';
import { acmApi, type AcmApi } from './acm.js';
import type { Certificate } from './certs.js';
import type { ProvisionConfig } from './config.js';
import { helmOnPath, runHelm, writeValuesFile } from './helm.js';
import { FIELD_MANAGER, MANAGED_BY, describeRef, kubeClient, refOf, type KubeClient } from './kube.js';
import { renderJson, renderText, renderYaml } from './output.js';
import { computePlan, pendingArn, type PlanResult } from './plan.js';
import { pending, ProvisionError, type Plan, type Step } from './types.js';

export interface ProvisionDeps {
  readonly kube: KubeClient;
  readonly acm: AcmApi | null;
}

export async function connect(cfg: ProvisionConfig, signal: AbortSignal): Promise<ProvisionDeps> {
  const cluster = openCluster(cfg.kubeconfig, cfg.context, cfg.namespace);
  const kube = kubeClient(cluster, cfg.timeoutMs, signal);
  const acm = cfg.provider === 'aws' && cfg.region ? await acmApi({ region: cfg.region, gather: cfg.check.gather, timeoutMs: cfg.timeoutMs, signal }) : null;
  return { kube, acm };
}

function print(cfg: ProvisionConfig, io: Io, result: PlanResult, mode: 'plan' | 'applied'): void {
  if (cfg.output === 'json') io.stdout.write(renderJson(result.plan));
  else if (cfg.output === 'yaml') io.stdout.write(renderYaml(result, cfg.includeSecrets));
  else io.stdout.write(renderText(result.plan, mode));
}

const say = (io: Io, line: string) => io.stderr.write(`milvus-l7-doctor provision: ${line}\n`);

/** The self-signed CA, next to the run, for the check's --ca (and the user's clients). */
export function caFilePath(cfg: Pick<ProvisionConfig, 'outDir' | 'namespace' | 'release'>): string {
  return join(cfg.outDir, `milvus-l7-${cfg.namespace}-${cfg.release}-ca.crt`);
}

async function writeCa(cfg: ProvisionConfig, io: Io, cert: Certificate | null): Promise<string | null> {
  if (cfg.cert.mode !== 'self-signed' || !cert?.caPem) return null;
  const file = caFilePath(cfg);
  await mkdir(cfg.outDir, { recursive: true });
  await writeFile(file, cert.caPem, { mode: 0o644 });
  say(io, `the self-signed CA is in ${file}: clients (and the check) trust it with --ca ${file}`);
  return file;
}

function blocked(plan: Plan): Step[] {
  return plan.steps.filter((s) => s.state === 'blocked');
}

async function applyAll(cfg: ProvisionConfig, deps: ProvisionDeps, io: Io, signal: AbortSignal, first: PlanResult): Promise<{ code: number; final: PlanResult }> {
  if (blocked(first.plan).length > 0) {
    say(io, `nothing applied: ${blocked(first.plan).map((s) => s.id).join(', ')} cannot be done (see the plan)`);
    return { code: EXIT.failed, final: first };
  }
  let current = first;
  const generated = first.certificate;
  if (first.helm) {
    await writeValuesFile(first.helm);
    const helm = cfg.helm ? helmOnPath(io.env) : null;
    if (!helm) {
      say(io, `stopped before any change: Helm owns part of this; run ${first.helm.command}${cfg.helm ? ' (helm is not on PATH)' : ', or add --helm to let provision run it'}, then provision again`);
      return { code: EXIT.failed, final: first };
    }
    say(io, `running ${first.helm.command}`);
    await runHelm(helm, cfg, first.helm, io.env, signal);
  }
  let importedArn: string | null = null;
  if (first.acmImport && deps.acm) {
    const arn = await deps.acm.importCertificate(first.acmImport, cfg.host);
    importedArn = arn;
    say(io, `imported the certificate for ${cfg.host} into ACM: ${arn}`);
    await writeCa(cfg, io, first.acmImport);
  }
  if (first.helm || first.acmImport) {
    current = await computePlan({ cfg, ...deps, generated, importedArn });
    if (blocked(current.plan).length > 0) return { code: EXIT.failed, final: current };
  }
  for (const { object } of current.objects) {
    // The placeholder of a plan is never written: the Ingress must name the certificate that exists.
    if (JSON.stringify(object).includes(pendingArn(cfg.region ?? ''))) throw new ProvisionError(`${describeRef(refOf(object))} still names no imported certificate: nothing applied`);
    if (signal.aborted) {
      say(io, 'interrupted between objects: each object is applied or untouched; provision again shows what is left');
      return { code: EXIT.incomplete, final: current };
    }
    const answer = await deps.kube.apply(object, { dryRun: false, force: cfg.forceConflicts });
    if (!answer.ok) {
      say(io, `${describeRef(refOf(object))} refused (HTTP ${answer.code}): ${answer.message}`);
      return { code: EXIT.failed, final: await computePlan({ cfg, ...deps, generated, importedArn }) };
    }
    say(io, `applied ${describeRef(refOf(object))}`);
  }
  await writeCa(cfg, io, cfg.provider === 'gcp' ? current.certificate : null);
  const final = await computePlan({ cfg, ...deps, generated, importedArn });
  return { code: pending(final.plan).length === 0 ? EXIT.ok : EXIT.failed, final };
}

/** How long --remove waits for the ALB to let go of an ACM certificate without --wait, and how often it asks. */
const REMOVE_WAIT_MS = 120_000;
const REMOVE_RETRY_MS = 2_000;

/** What --remove deletes, in the order it deletes it (the Ingress first: it uses the rest). */
const REMOVABLE: readonly { readonly apiVersion: string; readonly kind: string; readonly provider?: 'aws' | 'gcp' }[] = [
  { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' },
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'cloud.google.com/v1', kind: 'BackendConfig', provider: 'gcp' },
  { apiVersion: 'networking.gke.io/v1', kind: 'ManagedCertificate', provider: 'gcp' },
  { apiVersion: 'v1', kind: 'Secret' },
  { apiVersion: 'v1', kind: 'ConfigMap' },
];

/** Created by provision: its label AND a server-side apply by its field manager (a copied label is not enough). */
export function createdByProvision(o: K8sObject): boolean {
  const managed = Array.isArray(o.metadata.managedFields) ? (o.metadata.managedFields as unknown[]) : [];
  return (
    o.metadata.labels?.[MANAGED_BY] === FIELD_MANAGER &&
    managed.some((m) => typeof m === 'object' && m !== null && 'manager' in m && m.manager === FIELD_MANAGER && 'operation' in m && m.operation === 'Apply')
  );
}

async function removalPlan(cfg: ProvisionConfig, deps: ProvisionDeps): Promise<{ plan: Plan; objects: K8sObject[]; certificates: string[] }> {
  const objects: K8sObject[] = [];
  for (const r of REMOVABLE.filter((x) => !x.provider || x.provider === cfg.provider)) {
    objects.push(...(await deps.kube.list(r.apiVersion, r.kind, cfg.namespace, `${MANAGED_BY}=${FIELD_MANAGER}`)).filter(createdByProvision));
  }
  const certificates = deps.acm ? await deps.acm.listImported(cfg.host) : [];
  const steps: Step[] = [
    ...objects.map((o): Step => ({
      id: `remove ${o.kind}/${o.metadata.name}`,
      title: `${describeRef(refOf(o))}, created by provision, is deleted`,
      layer: 'k8s',
      state: 'wrong',
      expected: 'deleted',
      observed: `present, labelled ${MANAGED_BY}=${FIELD_MANAGER} and applied by ${FIELD_MANAGER}`,
      fix: 'milvus-l7-doctor provision … --remove --apply',
      changes: [{ action: 'delete', target: describeRef(refOf(o)), diff: [] }],
    })),
    ...certificates.map((arn): Step => ({
      id: `remove acm ${arn}`,
      title: `the ACM certificate provision imported for ${cfg.host} is deleted`,
      layer: 'aws',
      state: 'wrong',
      expected: 'deleted',
      observed: `present, tagged ${MANAGED_BY}=${FIELD_MANAGER}`,
      fix: 'milvus-l7-doctor provision … --remove --apply',
      changes: [{ action: 'acm-delete', target: arn, diff: [] }],
    })),
  ];
  if (steps.length === 0) {
    steps.push({ id: 'remove', title: 'nothing provision created is left', layer: 'k8s', state: 'done', expected: 'nothing', observed: 'nothing', fix: null, changes: [] });
  }
  return { plan: { provider: cfg.provider, namespace: cfg.namespace, release: cfg.release, host: cfg.host, steps }, objects, certificates };
}

/** Deletes an imported certificate, asking again every REMOVE_RETRY_MS while a listener still uses it, until `until`. */
async function deleteOnceReleased(acm: AcmApi, arn: string, until: number, budgetMs: number, namespace: string, io: Io, signal: AbortSignal): Promise<'deleted' | 'in-use' | 'interrupted'> {
  for (let attempt = 1; ; attempt++) {
    if (signal.aborted) return 'interrupted';
    if ((await acm.delete(arn)) === 'deleted') {
      say(io, `deleted ACM certificate ${arn}`);
      return 'deleted';
    }
    if (Date.now() >= until) {
      say(io, `ACM certificate ${arn} is still in use by a load balancer after ${Math.round(budgetMs / 1000)} s: the ALB controller has not deleted the ALB of the removed Ingress (kubectl -n ${namespace} describe ingress, the controller's log); run --remove --apply again once it has`);
      return 'in-use';
    }
    if (attempt === 1) say(io, `ACM certificate ${arn} is in use by the ALB the controller deletes after the Ingress: retrying every ${REMOVE_RETRY_MS / 1000} s for up to ${Math.round(budgetMs / 1000)} s (--wait to change)`);
    try {
      await sleep(Math.min(REMOVE_RETRY_MS, Math.max(0, until - Date.now())), undefined, { signal });
    } catch {
      return 'interrupted';
    }
  }
}

async function remove(cfg: ProvisionConfig, deps: ProvisionDeps, io: Io, signal: AbortSignal): Promise<number> {
  const r = await removalPlan(cfg, deps);
  const result: PlanResult = { plan: r.plan, objects: [], helm: null, acmImport: null, certificate: null };
  if (!cfg.apply) {
    print(cfg, io, result, 'plan');
    return pending(r.plan).length === 0 ? EXIT.ok : EXIT.failed;
  }
  for (const o of r.objects) {
    if (signal.aborted) return EXIT.incomplete;
    await deps.kube.delete(refOf(o));
    say(io, `deleted ${describeRef(refOf(o))}`);
  }
  if (deps.acm && r.certificates.length > 0) {
    // ACM refuses while the ALB's listener uses the certificate, and the controller deletes the ALB only
    // after the Ingress is gone (seconds to a minute): wait for that, as long as --wait says.
    const budgetMs = cfg.waitMs ?? REMOVE_WAIT_MS;
    const until = Date.now() + budgetMs;
    for (const arn of r.certificates) {
      if ((await deleteOnceReleased(deps.acm, arn, until, budgetMs, cfg.namespace, io, signal)) === 'interrupted') return EXIT.incomplete;
    }
  }
  const after = await removalPlan(cfg, deps);
  print(cfg, io, { ...result, plan: after.plan }, 'applied');
  return pending(after.plan).length === 0 ? EXIT.ok : EXIT.failed;
}

export async function runProvision(cfg: ProvisionConfig, io: Io, signal: AbortSignal, runCheck: CheckRunner, deps?: ProvisionDeps): Promise<number> {
  const d = deps ?? (await connect(cfg, signal));
  if (cfg.remove) return remove(cfg, d, io, signal);
  const first = await computePlan({ cfg, ...d });
  if (!cfg.apply) {
    if (first.helm) await writeValuesFile(first.helm);
    print(cfg, io, first, 'plan');
    return pending(first.plan).length === 0 ? EXIT.ok : EXIT.failed;
  }
  const { code, final } = await applyAll(cfg, d, io, signal, first);
  print(cfg, io, final, code === EXIT.ok ? 'applied' : 'plan');
  if (code !== EXIT.ok || cfg.waitMs === null) return code;
  // AWS: the final plan finds the import in ACM and no longer holds the certificate this run generated.
  const certificate = final.certificate ?? first.certificate;
  const caFile = cfg.cert.mode === 'self-signed' && certificate?.caPem ? caFilePath(cfg) : null;
  return waitThenCheck(cfg, io, signal, runCheck, caFile, caFile ? (certificate?.caPem ?? null) : null);
}

async function waitThenCheck(cfg: ProvisionConfig, io: Io, signal: AbortSignal, runCheck: CheckRunner, caFile: string | null, caPem: string | null): Promise<number> {
  const n = guideNames({ release: cfg.release, names: cfg.names });
  // A self-signed CA the user did not pass is what the check must trust.
  const ca = cfg.check.gather.ca ?? (caPem ? (caPem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []) : null);
  const config = { ...cfg.check, gather: { ...cfg.check.gather, ca, caFile: cfg.check.gather.caFile ?? caFile } };
  const { waitAndCheck } = await import('./wait.js');
  return waitAndCheck({ provider: cfg.provider, namespace: cfg.namespace, ingress: n.ingress, host: cfg.host, deadlineMs: cfg.waitMs ?? 0, config, runCheck }, io, signal);
}

