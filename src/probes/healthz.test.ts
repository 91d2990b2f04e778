import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCounts, parseJson, probeHealthz } from './healthz.js';
import { closeServer, codeOf, listen, probeCtx, refusedPort, startTarpit } from '../../test/kits/testkit.js';

const ctx = (timeoutMs = 1_000) => probeCtx(timeoutMs);


describe('probeHealthz', () => {
  const server = createServer((req, res) => {
    if (req.url === '/ok') return void res.end('OK');
    res.statusCode = 500;
    if (req.headers['content-type'] === 'application/json') {
      res.setHeader('content-type', 'application/json');
      return void res.end(JSON.stringify({ state: 'Not all components are healthy, 3/5', detail: [
        { name: 'proxy', code: 1 }, { name: 'querynode', code: 2 }, { name: 'datanode', code: 'Abnormal' }, { name: 'rootcoord', code: 3 }, { name: 'indexnode', code: 'Healthy' },
      ] }));
    }
    res.end('Not all components are healthy, 3/5');
  });
  let port = 0;
  beforeAll(async () => {
    port = await listen(server);
  });
  afterAll(async () => {
    server.closeAllConnections();
    await closeServer(server);
  });

  it('reads 200 OK', async () => {
    const fact = await probeHealthz(`http://127.0.0.1:${port}/ok`, { ca: null }, ctx());
    expect(fact).toMatchObject({ status: 200, body: 'OK', ready: null, total: null, unhealthyComponents: [] });
  });

  it('parses the 500 text counts and names the components from the JSON form', async () => {
    const fact = await probeHealthz(`http://127.0.0.1:${port}/healthz`, { ca: null }, ctx());
    expect(fact).toMatchObject({ status: 500, ready: 3, total: 5, unhealthyComponents: ['querynode', 'datanode'] });
  });

  it.each([
    ['Not all components are healthy, 3/5', { ready: 3, total: 5 }],
    ['Not all components are registered, 1/4', { ready: 1, total: 4 }],
    ['OK', null],
  ])('parseCounts(%j)', (text, expected) => {
    expect(parseCounts(text)).toEqual(expected);
  });

  it('counts components from JSON without a state line', () => {
    expect(parseJson('{"detail":[{"name":"a","code":1},{"name":"b","code":0}]}')).toEqual({ ready: 1, total: 2, unhealthy: ['b'] });
    expect(parseJson('not json')).toBeNull();
  });

  it('names bad URLs, refused ports and timeouts', async () => {
    expect(await codeOf(probeHealthz('not a url', { ca: null }, ctx()))).toBe('HEALTHZ_BAD_URL');
    expect(await codeOf(probeHealthz('ftp://127.0.0.1/healthz', { ca: null }, ctx()))).toBe('HEALTHZ_BAD_URL');
    expect(await codeOf(probeHealthz(`http://127.0.0.1:${await refusedPort()}/healthz`, { ca: null }, ctx()))).toBe('HEALTHZ_REFUSED');
    const tarpit = await startTarpit();
    try {
      expect(await codeOf(probeHealthz(`http://127.0.0.1:${tarpit.port}/healthz`, { ca: null }, ctx(300)))).toBe('HEALTHZ_TIMEOUT');
    } finally {
      await tarpit.close();
    }
  });
});
