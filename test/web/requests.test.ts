/** Which request targets the server routes, and which it refuses with 400 before routing. */
import { describe, expect, it } from 'vitest';
import { HttpError } from '../../adapters/web/http.js';
import { parserRefusal, parseTarget } from '../../adapters/web/requests.js';

describe('parseTarget', () => {
  it('routes paths and absolute URLs by their path', () => {
    expect(parseTarget('/').pathname).toBe('/');
    expect(parseTarget('/api/inbox?userId=u1').searchParams.get('userId')).toBe('u1');
    expect(parseTarget('/api/chat?q=%20a&list[]=1').pathname).toBe('/api/chat');
    expect(parseTarget('http://example.org/healthz').pathname).toBe('/healthz');
    expect(parseTarget("/a/b;c=d/@x:y/!$&'()*+,=~").pathname).toBe("/a/b;c=d/@x:y/!$&'()*+,=~");
  });

  it.each([
    ['//[', 'a path that reads as a host'],
    ['//a:99999/', 'a path that reads as a host with a bad port'],
    ['http://[/', 'an unclosed IPv6 bracket'],
    ['http://a:99999/', 'a port out of range'],
    ['/api/chat%zz', 'a bad %-escape'],
    ['/api/chat?x=%', 'a lone %'],
    ['/api/cha\u00e9t', 'non-ASCII'],
    ['/api/[chat]', 'brackets in the path'],
    ['/api/chat#top', 'a fragment'],
    ['*', 'the asterisk form'],
    ['', 'nothing'],
    [undefined, 'no target'],
  ] as const)('refuses %j (%s) with 400', (target, _why) => {
    let thrown: unknown;
    try {
      parseTarget(target);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(HttpError);
    expect((thrown as HttpError).status).toBe(400);
  });
});

describe('parserRefusal', () => {
  it("maps Node's parser errors to statuses", () => {
    expect(parserRefusal('HPE_HEADER_OVERFLOW').status).toBe(431);
    expect(parserRefusal('ERR_HTTP_REQUEST_TIMEOUT').status).toBe(408);
    expect(parserRefusal('HPE_CHUNK_EXTENSIONS_OVERFLOW').status).toBe(413);
    expect(parserRefusal('HPE_INVALID_METHOD').status).toBe(400);
    expect(parserRefusal(undefined).status).toBe(400);
  });
});
