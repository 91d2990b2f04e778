import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../src/model.js';
import { ReportWriteError } from '../src/io/atomic-write.js';
import { JUnitReporter, escapeXmlAttr, escapeXmlText, toJUnitXml } from './junit.js';
import { SAMPLE_CHECKS, SAMPLE_SECRET, sampleReport } from './sample-run.js';

const PYTHON = resolve(import.meta.dirname, '..', '.venv', 'bin', 'python');

// Reads the file back with junitparser, the way CI plugins and dashboards read it, and prints a digest.
const READ_BACK = `
import json, sys
from junitparser import JUnitXml, Failure, Error, Skipped, Properties
xml = JUnitXml.fromfile(sys.argv[1])
out = {"name": xml.name, "tests": xml.tests, "failures": xml.failures, "errors": xml.errors,
       "skipped": xml.skipped, "time": xml.time, "suites": []}
for suite in xml:
    s = {"name": suite.name, "tests": suite.tests, "failures": suite.failures, "errors": suite.errors,
         "skipped": suite.skipped, "props": {p.name: p.value for p in suite.properties()}, "cases": []}
    for case in suite:
        props = case.child(Properties)
        s["cases"].append({
            "name": case.name, "classname": case.classname, "time": case.time,
            "result": [{"kind": type(r).__name__, "message": r.message, "type": r.type, "text": r.text} for r in case.result],
            "props": {p.name: p.value for p in props} if props is not None else {},
            "system_out": case.system_out,
        })
    out["suites"].append(s)
print(json.dumps(out))
`;
import { tempDir } from '../test/tmp.js';

interface CaseDigest {
  name: string;
  classname: string;
  time: number;
  result: { kind: string; message: string | null; type: string | null; text: string | null }[];
  props: Record<string, string>;
  system_out: string | null;
}
interface Digest {
  name: string;
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
  time: number;
  suites: { name: string; tests: number; failures: number; errors: number; skipped: number; props: Record<string, string>; cases: CaseDigest[] }[];
}

function readBack(file: string): Digest {
  const r = spawnSync(PYTHON, ['-c', READ_BACK, file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`junitparser failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Digest;
}

async function writeSample(checks: readonly CheckResult[] = SAMPLE_CHECKS) {
  const dir = tempDir('junit-');
  const file = join(dir, 'reports', 'junit.xml');
  await new JUnitReporter({ file, secrets: [SAMPLE_SECRET] }).onEnd(sampleReport(checks));
  return { dir, file, xml: await readFile(file, 'utf8') };
}

describe('JUnitReporter', () => {
  it.runIf(existsSync(PYTHON))('is read back by junitparser with the right counts, names and results', async () => {
    const { file } = await writeSample();
    const d = readBack(file);
    expect(d).toMatchObject({ name: 'milvus-l7-doctor', tests: 7, failures: 1, errors: 1, skipped: 2, time: 1.234 });
    expect(d.suites.map((s) => s.name)).toEqual(['dns', 'tls', 'http2', 'grpc', 'milvus', 'k8s', 'aws', 'gcp'].filter((a) => SAMPLE_CHECKS.some((c) => c.area === a)));
    const cases = new Map(d.suites.flatMap((s) => s.cases.map((c) => [c.name, c] as const)));
    expect([...cases.keys()].sort()).toEqual(SAMPLE_CHECKS.map((c) => c.id).sort());
    for (const c of SAMPLE_CHECKS) {
      expect(cases.get(c.id)?.classname).toBe(c.area);
      expect(cases.get(c.id)?.props).toMatchObject({ id: c.id, title: c.title, severity: c.severity, verdict: c.verdict });
    }
    expect(cases.get('http2.authority-routed')?.time).toBe(0.112);

    const kinds = Object.fromEntries([...cases].map(([id, c]) => [id, c.result.map((r) => r.kind)]));
    expect(kinds).toEqual({
      'dns.resolves': [],
      'tls.expiry': [],
      'http2.authority-routed': ['Failure'],
      'grpc.get-version': ['Skipped'],
      'aws.target-group-grpc': ['Skipped'],
      'gcp.backend-http2': ['Error'],
      'k8s.ingress-class': [],
    });

    const failure = cases.get('http2.authority-routed');
    expect(failure?.result[0]).toMatchObject({ type: 'critical' });
    // Markup characters and control characters survive the trip, escaped or made visible.
    expect(failure?.props.observed).toBe(':status 404 text/html from the default backend <h1>Not Found</h1> & "quotes" \'apos\'\\x07bell');
    expect(failure?.result[0].message).toContain('observed :status 404 text/html from the default backend <h1>Not Found</h1> & "quotes"');
    expect(failure?.result[0].text).toContain('expected: :status 200 with content-type application/grpc\nobserved: :status 404');
    expect(failure?.result[0].text).toContain('fix:\n  kubectl -n milvus patch ingress milvus --type=json \\\n    -p');
    expect(failure?.props['evidence.status']).toBe('404');
    expect(failure?.props['evidence.authorization']).toBe('Bearer [REDACTED]');

    expect(cases.get('grpc.get-version')?.result[0].message).toBe('blocked by http2.authority-routed: requests do not reach Milvus');
    expect(cases.get('grpc.get-version')?.props.blockedBy).toBe('http2.authority-routed');
    expect(cases.get('aws.target-group-grpc')?.result[0].message).toBe('provider is gcp');
    expect(cases.get('gcp.backend-http2')?.result[0]).toMatchObject({ type: 'could-not-run' });
    expect(cases.get('gcp.backend-http2')?.result[0].message).toContain('403 PERMISSION_DENIED');

    const warn = cases.get('tls.expiry');
    expect(warn?.props.warning).toBe('expected notAfter ≥ 14 days from now; observed expires in 9 days (2025-12-01T00:00:00Z)');
    expect(warn?.system_out).toContain('WARN tls.expiry: the certificate is valid for at least 14 more days\nexpected: notAfter');
    expect(warn?.props['evidence.issuer']).toBe('CN=Example Intermediate');

    const tls = d.suites.find((s) => s.name === 'tls');
    expect(tls?.props).toMatchObject({ 'doctor.version': '0.1.0', 'target.host': 'milvus.example.com', 'target.port': '443' });
    const http2 = d.suites.find((s) => s.name === 'http2');
    expect(http2).toMatchObject({ tests: 1, failures: 1, errors: 0, skipped: 0 });
  });

  it('is well-formed XML with the expected structure and no secret', async () => {
    const { xml, dir } = await writeSample();
    expect(xml).not.toContain(SAMPLE_SECRET);
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name) }).parse(xml);
    const root = doc.testsuites;
    expect(root).toMatchObject({ '@name': 'milvus-l7-doctor', '@tests': '7', '@failures': '1', '@errors': '1', '@skipped': '2', '@time': '1.234', '@timestamp': '2025-11-22T00:00:00.000Z' });
    const suites: { '@name': string; testcase: { '@name': string; '@classname': string; '@time': string }[] }[] = root.testsuite;
    for (const s of suites) for (const c of s.testcase) expect(c['@classname']).toBe(s['@name']);
    expect(await readdir(join(dir, 'reports'))).toEqual(['junit.xml']);
  });

  it('escapes markup and makes control characters visible in attributes and text', () => {
    const nasty = 'a<b>&"c\'\u0000\u0008\u000b\u001f\tend\nline2\ud800';
    const check: CheckResult = {
      id: 'x.<&>',
      area: 'security',
      title: 'nasty "title"',
      severity: 'info',
      verdict: 'fail',
      durationMs: 1,
      expected: nasty,
      observed: nasty,
      evidence: { 'k"&<': nasty },
    };
    const xml = toJUnitXml(sampleReport([check]));
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', processEntities: true, htmlEntities: true, isArray: (n) => n === 'property' }).parse(xml);
    const tc = doc.testsuites.testsuite.testcase;
    expect(tc['@name']).toBe('x.<&>');
    const observed = tc.properties.property.find((p: { '@name': string }) => p['@name'] === 'observed');
    expect(observed['@value']).toBe('a<b>&"c\'\\x00\\x08\\x0b\\x1f\tend\nline2\\ud800');
    expect(escapeXmlText('<&>')).toBe('&lt;&amp;&gt;');
    if (existsSync(PYTHON)) {
      const dir = tempDir('junit-');
      writeFileSync(join(dir, 'j.xml'), xml);
      const back = readBack(join(dir, 'j.xml')).suites[0].cases[0];
      expect(back.name).toBe('x.<&>');
      expect(back.props.observed).toBe('a<b>&"c\'\\x00\\x08\\x0b\\x1f\tend\nline2\\ud800');
      expect(back.props['evidence.k"&<']).toBe(back.props.observed);
      expect(back.result[0].text).toContain('observed: a<b>&"c\'\\x00');
    }
    expect(escapeXmlAttr('"\'\n')).toBe('&quot;&apos;&#10;');
  });

  it('fails with a typed error naming the file when it cannot write', async () => {
    const dir = tempDir('junit-');
    await writeFile(join(dir, 'file'), '');
    const err = await new JUnitReporter({ file: join(dir, 'file', 'junit.xml') }).onEnd(sampleReport()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ReportWriteError);
    expect(String(err)).toContain(`could not write JUnit report to ${join(dir, 'file', 'junit.xml')}`);
  });

  it('keeps areas and verdicts intact when a secret equals one of their names', () => {
    const xml = toJUnitXml(sampleReport(), (t) => t.replaceAll('tls', '[REDACTED]').replaceAll('fail', '[REDACTED]'));
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).toContain('<testsuite name="tls"');
    expect(xml).toContain('<property name="verdict" value="fail"/>');
  });
});
