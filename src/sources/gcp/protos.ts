// @google-cloud/compute's clients each load build/protos/protos.json: every Compute API of v1 and v1beta
// (11.7 MB, ~2,100 v1 types), which protobufjs turns into reflection objects in ~0.6 s of CPU before the
// first call can be made, plus ~40 ms per further client to hash it (measured here; bench/README.md). The
// doctor calls 12 methods. The build cuts from the installed protos what those methods reach (their
// services with only those methods and their http options, the messages and enums their requests and
// responses reach, and everything outside google.cloud.compute as it is) into compute-protos.json beside
// this module, and the worker hands that to the real clients in place of the whole file. The clients, gax,
// the REST transcoding and the wire are unchanged; test/e2e/gcp-compute.test.ts holds the requests and the
// decoded answers of both against each other. A cut made from another version of the package, or for
// other methods, is not used.
import { existsSync, readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { COMPUTE_METHODS, type ComputeMethod } from './methods.js';

/** The cut, beside the built module (dist/src/sources/gcp/), also when this runs from the sources. */
export const CUT_FILE = fileURLToPath(
  import.meta.url.endsWith('.ts') ? new URL('../../../dist/src/sources/gcp/compute-protos.json', import.meta.url) : new URL('./compute-protos.json', import.meta.url),
);

const V1 = 'google.cloud.compute.v1';

export interface CutProtos {
  /** The @google-cloud/compute version it was cut from. */
  readonly compute: string;
  /** The doctor's methods it serves (COMPUTE_METHODS' keys). */
  readonly methods: readonly string[];
  /** protobufjs JSON, as protos.json. */
  readonly root: Record<string, unknown>;
}

/** 'networkEndpointGroups.listNetworkEndpoints' → the service NetworkEndpointGroups, its rpc ListNetworkEndpoints. */
export function rpcOf(method: ComputeMethod): { readonly service: string; readonly rpc: string } {
  const [resource, call] = method.split('.') as [string, string];
  const upper = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  return { service: `${V1}.${upper(resource)}`, rpc: upper(call) };
}

const doctorMethods = (): string[] => Object.keys(COMPUTE_METHODS).sort();

// The slice of protobufjs this needs (gax's copy, the one the clients use).
interface PbObject {
  readonly name: string;
  readonly parent: PbNamespace | null;
}
interface PbNamespace extends PbObject {
  readonly nestedArray: PbObject[];
  remove(o: PbObject): unknown;
  lookup(path: string): PbObject | null;
}
interface PbType extends PbNamespace {
  readonly fieldsArray: { readonly resolvedType: PbObject | null }[];
}
interface PbService extends PbNamespace {
  readonly methodsArray: { readonly name: string; readonly resolvedRequestType: PbObject | null; readonly resolvedResponseType: PbObject | null }[];
}
export interface Protobuf {
  readonly Root: { fromJSON(json: unknown): PbNamespace & { resolveAll(): unknown; toJSON(): Record<string, unknown> } };
  readonly Type: abstract new (...args: never[]) => PbType;
}

/** What `methods` reach in `full` (protos.json), as protobufjs JSON. */
export function cutProtos(protobuf: Protobuf, full: unknown, methods: readonly ComputeMethod[]): Record<string, unknown> {
  const root = protobuf.Root.fromJSON(full);
  root.resolveAll();
  const keep = new Set<PbObject>();
  const reach = (o: PbObject | null): void => {
    if (!o || keep.has(o)) return;
    keep.add(o);
    for (let p = o.parent; p; p = p.parent) keep.add(p);
    if (o instanceof protobuf.Type) {
      for (const f of o.fieldsArray) reach(f.resolvedType);
      for (const n of o.nestedArray) reach(n);
    }
  };
  const wanted = new Map<string, Set<string>>();
  for (const m of methods) {
    const { service, rpc } = rpcOf(m);
    wanted.set(service, (wanted.get(service) ?? new Set()).add(rpc));
  }
  for (const [name, rpcs] of wanted) {
    const service = root.lookup(name) as PbService | null;
    if (!service || !('methodsArray' in service)) throw new Error(`protos.json has no service ${name}`);
    for (const rpc of rpcs) if (!service.methodsArray.some((x) => x.name === rpc)) throw new Error(`protos.json: ${name} has no rpc ${rpc}`);
    for (const x of [...service.methodsArray]) if (!rpcs.has(x.name)) service.remove(x as unknown as PbObject);
    reach(service);
    for (const x of service.methodsArray) {
      reach(x.resolvedRequestType);
      reach(x.resolvedResponseType);
    }
  }
  const v1 = root.lookup(V1) as PbNamespace;
  const compute = v1.parent as PbNamespace;
  // v1beta and the rest of google.cloud.compute: no v1 client reaches them.
  for (const n of [...compute.nestedArray]) if (n !== v1) compute.remove(n);
  for (const n of [...v1.nestedArray]) if (!keep.has(n)) v1.remove(n);
  return root.toJSON();
}

/** Resolves modules as the worker does: from this package's own node_modules. */
const here = createRequire(import.meta.url);

export function installedComputeVersion(req: NodeJS.Require = here): string {
  return (req('@google-cloud/compute/package.json') as { version: string }).version;
}

/** Cuts the installed package's protos for the doctor's methods (the build's step). */
export function makeCut(): CutProtos {
  const protobuf = here('google-gax').protobuf as Protobuf;
  const full = here('@google-cloud/compute/build/protos/protos.json') as unknown;
  const methods = doctorMethods();
  return { compute: installedComputeVersion(), methods, root: cutProtos(protobuf, full, methods as ComputeMethod[]) };
}

/**
 * Puts the cut in the module cache where the clients require protos.json, if it was cut from the installed
 * version for these methods. Call before the first client module loads. Returns why it was not used, or null.
 */
export function useCut(req: NodeJS.Require = here, file: string = CUT_FILE): string | null {
  if (!existsSync(file)) return `no ${file} (npm run build makes it)`;
  let cut: CutProtos;
  try {
    cut = JSON.parse(readFileSync(file, 'utf8')) as CutProtos;
  } catch (err) {
    return `${file}: ${err instanceof Error ? err.message : String(err)}`;
  }
  const installed = installedComputeVersion(req);
  if (cut.compute !== installed) return `cut from @google-cloud/compute ${cut.compute}, installed ${installed}`;
  if (JSON.stringify(cut.methods) !== JSON.stringify(doctorMethods())) return 'cut for other methods';
  const path = req.resolve('@google-cloud/compute/build/protos/protos.json');
  const m = new Module(path);
  m.filename = path;
  m.exports = cut.root;
  m.loaded = true;
  req.cache[path] = m;
  return null;
}
