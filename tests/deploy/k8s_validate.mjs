// Validates Kubernetes objects against the Kubernetes OpenAPI schema with npm's
// kubernetes-models (each kind's class and its validate(), generated from the
// upstream OpenAPI document; pinned in package-lock.json) — a validator
// independent of memsecret's code, of Helm and of kustomize.
//
// Input (stdin): JSON {"documents": [{"where": "<file or source>", "object": {...}}, ...]}
// Output (stdout): JSON {"validated": [...], "skipped": [...], "errors": [...]}
// Exit status: 0 when every object is valid, 1 otherwise, 2 on bad input.
//
// Fields the schema does not declare fail too (unknown fields, as kubectl's
// strict field validation reports them), and so do fields the API documents as
// "Deprecated:" and alpha/beta API versions.
// Kinds kubernetes-models does not know fail, except the Prometheus Operator's
// (monitoring.coreos.com/v1: PodMonitor, PrometheusRule; validated with
// @kubernetes-models/prometheus-operator, their CRDs' schema, unknown fields
// included) and those listed in SKIPPED below (custom resources of other
// projects), which are reported as skipped.
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

// Custom resources memsecret's manifests use whose schema is not Kubernetes':
// cert-manager's (a CRD; validated by cert-manager's own webhook in a cluster).
export const SKIPPED = new Map([
  ['cert-manager.io/v1/Issuer', 'cert-manager CRD, not part of the Kubernetes API'],
  ['cert-manager.io/v1/Certificate', 'cert-manager CRD, not part of the Kubernetes API'],
]);

// ---- unknown fields ---------------------------------------------------------
// The schema's validate() accepts fields it does not know (the OpenAPI
// document does not forbid them); the apiserver drops them, with a warning or
// an error under strict field validation, so a typo there would silently lose
// a setting. The field names of every type come from the models' declarations
// (`export interface IContainer { "args"?: Array<string>; ... }` and
// `export type { IContainer as IIoK8sApiCoreV1Container, ... }`).
const TYPES = new Map(); // IIoK8s... alias -> Map(field -> type text)
const ROOTS = new Map(); // file path (without .d.ts) -> fields of its interface

function packageDir(name) {
  return dirname(createRequire(import.meta.url).resolve(name + '/package.json'));
}

function* declarationFiles(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* declarationFiles(p);
    else if (e.name.endsWith('.d.ts')) yield p;
  }
}

function loadTypes() {
  for (const pkg of ['kubernetes-models', '@kubernetes-models/apimachinery']) {
    const root = packageDir(pkg);
    for (const file of declarationFiles(root)) {
      const raw = readFileSync(file, 'utf8');
      const text = raw.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^[ \t]*\n/gm, '');
      const m = /^export interface (I\w+)(?: extends [\w, ]+)? \{\n([\s\S]*?)\n\}/m.exec(text);
      if (!m) continue;
      // Fields the API marks "Deprecated:" in their documentation (the Kubernetes convention).
      const rawBody = new RegExp(`^export interface ${m[1]}\\b[^{]*\\{\\n([\\s\\S]*?)\\n\\}`, 'm').exec(raw)[1];
      const deprecated = new Set();
      const doc = /\/\*\*([\s\S]*?)\*\/\s*\n {4}"([^"]+)"/g;
      let d;
      while ((d = doc.exec(rawBody))) if (/\bDeprecated:/.test(d[1])) deprecated.add(d[2]);
      const fields = new Map();
      fields.deprecated = deprecated;
      // Fields sit at 4 spaces; a field's type runs to the next field.
      const re = /^ {4}"([^"]+)"\??: ([\s\S]*?);\n(?= {4}"|$)/gm;
      let f;
      while ((f = re.exec(m[2] + '\n'))) fields.set(f[1], f[2].replace(/\s+/g, ' '));
      ROOTS.set(file.slice(0, -'.d.ts'.length), fields);
      const alias = new RegExp(`export type \\{ ${m[1]} as (IIoK8s\\w+)`).exec(text);
      if (alias) TYPES.set(alias[1], fields);
    }
  }
}

function unknownFields(value, type, path, out) {
  if (value === null || value === undefined) return;
  type = type.trim();
  let a;
  if ((a = /^Array<(.*)>$/.exec(type))) {
    if (Array.isArray(value)) value.forEach((v, i) => unknownFields(v, a[1], `${path}/${i}`, out));
    return;
  }
  if ((a = /^\{ \[key: string\]: (.*); \}$/.exec(type))) {
    if (typeof value === 'object') for (const [k, v] of Object.entries(value)) unknownFields(v, a[1], `${path}/${k}`, out);
    return;
  }
  const fields = TYPES.get(type);
  if (!fields || typeof value !== 'object' || Array.isArray(value)) return; // scalars, free-form JSON
  walkFields(value, fields, path, out);
}

function walkFields(obj, fields, path, out) {
  for (const [k, v] of Object.entries(obj)) {
    if (!fields.has(k)) out.push(`${path}/${k}: unknown field "${k}"`);
    else {
      if (fields.deprecated && fields.deprecated.has(k)) out.push(`${path}/${k}: deprecated field "${k}"`);
      unknownFields(v, fields.get(k), `${path}/${k}`, out);
    }
  }
}

// The package that models an API group: the Prometheus Operator's CRDs, or Kubernetes.
const CRD_PACKAGES = new Map([['monitoring.coreos.com', '@kubernetes-models/prometheus-operator']]);

function packageOf(apiVersion) {
  const group = String(apiVersion).includes('/') ? String(apiVersion).split('/')[0] : '';
  return CRD_PACKAGES.get(group) || 'kubernetes-models';
}

function modulePath(apiVersion, kind) {
  // "v1" -> kubernetes-models/v1/Kind; "apps/v1" -> kubernetes-models/apps/v1/Kind
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || !/^[A-Za-z0-9]+$/.test(kind)) return null;
  const parts = apiVersion.split('/');
  if (parts.length > 2 || parts.some((p) => !/^[a-z0-9.-]+$/.test(p))) return null;
  return `${packageOf(apiVersion)}/${apiVersion}/${kind}`;
}

// ---- unknown fields of CRD models ---------------------------------------------
// A CRD model declares its nested types inline (`"spec": { "selector"?: {...}`);
// this reads that declaration into a tree: Map(field -> tree | null), arrays of
// objects marked with .array. Free-form maps ({ [key: string]: ... }) are leaves.
function inlineFields(dts, iface) {
  const m = new RegExp(`^export interface ${iface} \\{\\n([\\s\\S]*?)\\n\\}`, 'm').exec(dts);
  if (!m) return null;
  const root = new Map();
  const stack = [root];
  for (const line of m[1].split('\n')) {
    const top = stack[stack.length - 1];
    const field = /^\s*"([^"]+)"\??: (.*)$/.exec(line);
    if (field) {
      const opens = /(Array<)?\{$/.exec(field[2]);
      const child = opens ? new Map() : null;
      if (child) child.array = Boolean(opens[1]);
      top.set(field[1], child);
      if (child) stack.push(child);
    } else if (/^\s*\[key: string\]/.test(line)) {
      top.freeform = true; // { [key: string]: ... }: any key
      if (/\{$/.test(line)) stack.push(new Map()); // its value type's body: not walked
    } else if (/^\s*\}/.test(line) && stack.length > 1) {
      stack.pop();
      if (/\{$/.test(line)) stack.push(new Map()); // "} | {": another inline body
    }
  }
  return root;
}

function walkInline(value, tree, path, out) {
  if (!tree || tree.freeform || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    if (tree.array) value.forEach((v, i) => walkInline(v, tree, `${path}/${i}`, out));
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    if (!tree.has(k)) out.push(`${path}/${k}: unknown field "${k}"`);
    else walkInline(v, tree.get(k), `${path}/${k}`, out);
  }
}

function describe(o) {
  const md = (o && o.metadata) || {};
  return `${o && o.apiVersion}/${o && o.kind} ${md.namespace ? md.namespace + '/' : ''}${md.name || md.generateName || '?'}`;
}

async function main() {
  let input;
  try {
    input = JSON.parse(readFileSync(0, 'utf8'));
  } catch (e) {
    process.stderr.write(`k8s_validate: bad input: ${e.message}\n`);
    return 2;
  }
  loadTypes();
  if (TYPES.size < 500 || !ROOTS.size) {
    process.stderr.write(`k8s_validate: read only ${TYPES.size} type declarations from kubernetes-models\n`);
    return 2;
  }
  const result = { validated: [], skipped: [], errors: [] };
  for (const { where, object } of input.documents || []) {
    const what = `${where}: ${describe(object)}`;
    const key = `${object && object.apiVersion}/${object && object.kind}`;
    if (SKIPPED.has(key)) {
      result.skipped.push({ what, reason: SKIPPED.get(key) });
      continue;
    }
    // Only GA APIs: alpha and beta versions are deprecated, then removed (v1beta1 PodDisruptionBudget,
    // CronJob, webhook configurations... are gone), although kubernetes-models still models them.
    if (/^v\d+(alpha|beta)\d*$/.test(String(object && object.apiVersion).split('/').pop())) {
      result.errors.push({ what, error: `${object.apiVersion} is not a GA API version (deprecated or removed)` });
      continue;
    }
    const path = modulePath(object && object.apiVersion, object && object.kind);
    let Model;
    try {
      if (!path) throw new Error('no apiVersion/kind');
      Model = (await import(path))[object.kind];
      if (typeof Model !== 'function') throw new Error('no model class');
    } catch (e) {
      result.errors.push({ what, error: `unknown kind ${key} (not in the Kubernetes schema, not in SKIPPED)` });
      continue;
    }
    try {
      new Model(object).validate();
    } catch (e) {
      result.errors.push({ what, error: e.message });
      continue;
    }
    if (packageOf(object.apiVersion) !== 'kubernetes-models') {
      const dts = readFileSync(join(packageDir(packageOf(object.apiVersion)), object.apiVersion, `${object.kind}.d.ts`), 'utf8');
      const tree = inlineFields(dts, `I${object.kind}`);
      if (!tree) {
        result.errors.push({ what, error: `no field declarations for ${key}` });
        continue;
      }
      const unknown = [];
      walkInline(object, tree, 'data', unknown);
      if (unknown.length) result.errors.push({ what, error: unknown.join('; ') });
      else result.validated.push(what);
      continue;
    }
    const rootFields = ROOTS.get(join(packageDir('kubernetes-models'), object.apiVersion, object.kind));
    if (!rootFields) {
      result.errors.push({ what, error: `no field declarations for ${key}` });
      continue;
    }
    const unknown = [];
    walkFields(object, rootFields, 'data', unknown);
    if (unknown.length) result.errors.push({ what, error: unknown.join('; ') });
    else result.validated.push(what);
  }
  process.stdout.write(JSON.stringify(result, null, 1) + '\n');
  return result.errors.length === 0 ? 0 : 1;
}

process.exitCode = await main();
