import { describe, expect, it } from 'vitest';
import { REDACTED, createRedactor, redactDeep, redactSecrets } from './redact.js';

describe('redactSecrets', () => {
  it.each([
    ['plain occurrence', 'token abc123xyz in text', ['abc123xyz'], `token ${REDACTED} in text`],
    ['every occurrence', 'p4ss p4ss', ['p4ss'], `${REDACTED} ${REDACTED}`],
    ['regex metacharacters are literal', 'pw=a.b*c+(d)', ['a.b*c+(d)'], `pw=${REDACTED}`],
    ['the longer of two overlapping secrets wins', 'root:Milvus!', ['root:Milvus!', 'Milvus!'], REDACTED],
    ['percent-encoded form', 'https://h/?t=a%2Fb%3Dc', ['a/b=c'], `https://h/?t=${REDACTED}`],
    ['base64 form (Basic auth)', `Authorization: Basic ${Buffer.from('root:Milvus').toString('base64')}`, ['root:Milvus'], `Authorization: Basic ${REDACTED}`],
    ['JSON-escaped form', JSON.stringify({ p: 'a"b\\c' }), ['a"b\\c'], `{"p":"${REDACTED}"}`],
    ['empty secrets are ignored', 'nothing to hide', ['', ''], 'nothing to hide'],
    ['no secrets', 'nothing to hide', [], 'nothing to hide'],
  ])('%s', (_name, text, secrets, expected) => {
    expect(redactSecrets(text, secrets)).toBe(expected);
  });

  it('tolerates undefined values from optional flags', () => {
    expect(createRedactor([undefined, null, 'x1y2'])('a x1y2 b')).toBe(`a ${REDACTED} b`);
  });

  it('redacts keys and values of nested JSON', () => {
    const r = createRedactor(['hunter2']);
    expect(redactDeep({ a: ['hunter2'], hunter2: { n: 1, s: 'pw hunter2' } }, r)).toEqual({
      a: [REDACTED],
      [REDACTED]: { n: 1, s: `pw ${REDACTED}` },
    });
  });
});
