import { describe, expect, it } from 'vitest';
import { isUriTemplate, parseUriTemplate, UriTemplateError } from '../src/protocol/uri-template.js';

// The variable set RFC 6570 section 3.2 uses for its examples (minus "keys": associative arrays
// are not supported by this implementation).
const rfc: Record<string, string | string[] | undefined> = {
  count: ['one', 'two', 'three'],
  dom: ['example', 'com'],
  dub: 'me/too',
  hello: 'Hello World!',
  half: '50%',
  var: 'value',
  who: 'fred',
  base: 'http://example.com/home/',
  path: '/foo/bar',
  list: ['red', 'green', 'blue'],
  v: '6',
  x: '1024',
  y: '768',
  empty: '',
  empty_keys: [],
  undef: undefined,
};

const expand = (template: string, values = rfc) => parseUriTemplate(template).expand(values);

describe('expand: RFC 6570 section 3.2 examples', () => {
  it.each([
    // 3.2.1 variable expansion
    ['{count}', 'one,two,three'],
    ['{count*}', 'one,two,three'],
    ['{/count}', '/one,two,three'],
    ['{/count*}', '/one/two/three'],
    ['{;count}', ';count=one,two,three'],
    ['{;count*}', ';count=one;count=two;count=three'],
    ['{?count}', '?count=one,two,three'],
    ['{?count*}', '?count=one&count=two&count=three'],
    ['{&count*}', '&count=one&count=two&count=three'],
    // 3.2.2 simple string expansion
    ['{var}', 'value'],
    ['{hello}', 'Hello%20World%21'],
    ['{half}', '50%25'],
    ['O{empty}X', 'OX'],
    ['O{undef}X', 'OX'],
    ['{x,y}', '1024,768'],
    ['{x,hello,y}', '1024,Hello%20World%21,768'],
    ['?{x,empty}', '?1024,'],
    ['?{x,undef}', '?1024'],
    ['?{undef,y}', '?768'],
    ['{var:3}', 'val'],
    ['{var:30}', 'value'],
    ['{list}', 'red,green,blue'],
    ['{list*}', 'red,green,blue'],
    ['{empty_keys}', ''],
    // 3.2.3 reserved expansion
    ['{+var}', 'value'],
    ['{+hello}', 'Hello%20World!'],
    ['{+half}', '50%25'],
    ['{base}index', 'http%3A%2F%2Fexample.com%2Fhome%2Findex'],
    ['{+base}index', 'http://example.com/home/index'],
    ['O{+empty}X', 'OX'],
    ['O{+undef}X', 'OX'],
    ['{+path}/here', '/foo/bar/here'],
    ['here?ref={+path}', 'here?ref=/foo/bar'],
    ['up{+path}{var}/here', 'up/foo/barvalue/here'],
    ['{+x,hello,y}', '1024,Hello%20World!,768'],
    ['{+path,x}/here', '/foo/bar,1024/here'],
    ['{+path:6}/here', '/foo/b/here'],
    ['{+list}', 'red,green,blue'],
    ['{+list*}', 'red,green,blue'],
    // 3.2.4 fragment expansion
    ['{#var}', '#value'],
    ['{#hello}', '#Hello%20World!'],
    ['{#half}', '#50%25'],
    ['foo{#empty}', 'foo#'],
    ['foo{#undef}', 'foo'],
    ['{#x,hello,y}', '#1024,Hello%20World!,768'],
    ['{#path,x}/here', '#/foo/bar,1024/here'],
    ['{#path:6}/here', '#/foo/b/here'],
    ['{#list}', '#red,green,blue'],
    ['{#list*}', '#red,green,blue'],
    // 3.2.5 label expansion with dot-prefix
    ['{.who}', '.fred'],
    ['{.who,who}', '.fred.fred'],
    ['{.half,who}', '.50%25.fred'],
    ['www{.dom*}', 'www.example.com'],
    ['X{.var}', 'X.value'],
    ['X{.empty}', 'X.'],
    ['X{.undef}', 'X'],
    ['X{.var:3}', 'X.val'],
    ['X{.list}', 'X.red,green,blue'],
    ['X{.list*}', 'X.red.green.blue'],
    // 3.2.6 path segment expansion
    ['{/who}', '/fred'],
    ['{/who,who}', '/fred/fred'],
    ['{/half,who}', '/50%25/fred'],
    ['{/who,dub}', '/fred/me%2Ftoo'],
    ['{/var}', '/value'],
    ['{/var,empty}', '/value/'],
    ['{/var,undef}', '/value'],
    ['{/var,x}/here', '/value/1024/here'],
    ['{/var:1,var}', '/v/value'],
    ['{/list}', '/red,green,blue'],
    ['{/list*}', '/red/green/blue'],
    ['{/list*,path:4}', '/red/green/blue/%2Ffoo'],
    // 3.2.7 path-style parameter expansion
    ['{;who}', ';who=fred'],
    ['{;half}', ';half=50%25'],
    ['{;empty}', ';empty'],
    ['{;v,empty,who}', ';v=6;empty;who=fred'],
    ['{;v,bar,who}', ';v=6;who=fred'],
    ['{;x,y}', ';x=1024;y=768'],
    ['{;x,y,empty}', ';x=1024;y=768;empty'],
    ['{;x,y,undef}', ';x=1024;y=768'],
    ['{;hello:5}', ';hello=Hello'],
    ['{;list}', ';list=red,green,blue'],
    ['{;list*}', ';list=red;list=green;list=blue'],
    // 3.2.8 form-style query expansion
    ['{?who}', '?who=fred'],
    ['{?half}', '?half=50%25'],
    ['{?x,y}', '?x=1024&y=768'],
    ['{?x,y,empty}', '?x=1024&y=768&empty='],
    ['{?x,y,undef}', '?x=1024&y=768'],
    ['{?var:3}', '?var=val'],
    ['{?list}', '?list=red,green,blue'],
    ['{?list*}', '?list=red&list=green&list=blue'],
    // 3.2.9 form-style query continuation
    ['{&who}', '&who=fred'],
    ['{&half}', '&half=50%25'],
    ['?fixed=yes{&x}', '?fixed=yes&x=1024'],
    ['{&x,y,empty}', '&x=1024&y=768&empty='],
    ['{&var:3}', '&var=val'],
    ['{&list}', '&list=red,green,blue'],
    ['{&list*}', '&list=red&list=green&list=blue'],
  ])('%s -> %s', (template, expected) => {
    expect(expand(template)).toBe(expected);
  });
});

describe('expand: beyond the RFC table', () => {
  it('encodes non-ASCII as UTF-8 and counts prefixes in code points', () => {
    expect(expand('{x}', { x: 'café €' })).toBe('caf%C3%A9%20%E2%82%AC');
    expect(expand('{x:2}', { x: '😀😁😂' })).toBe('%F0%9F%98%80%F0%9F%98%81');
  });

  it('keeps existing %XX triplets and reserved characters only in reserved expansion', () => {
    expect(expand('{+x}', { x: 'a%20b[c]' })).toBe('a%20b[c]');
    expect(expand('{x}', { x: 'a%20b[c]' })).toBe('a%2520b%5Bc%5D');
  });

  it('replaces lone surrogates instead of throwing', () => {
    expect(expand('{x}', { x: 'a\uD800b' })).toBe('a%EF%BF%BDb');
  });

  it('percent-encodes literal characters that are not allowed in a URI', () => {
    expect(expand('file:///my docs/{name}', { name: 'a' })).toBe('file:///my%20docs/a');
  });

  it('ignores inherited properties such as constructor', () => {
    expect(expand('{constructor}{?toString}', {})).toBe('');
  });
});

describe('match: MCP resource templates', () => {
  it.each<[string, string, Record<string, string | string[]>]>([
    ['test://template/{id}/data', 'test://template/42/data', { id: '42' }],
    ['file:///{+path}', 'file:///home/me/notes.txt', { path: 'home/me/notes.txt' }],
    ['users://{userId}/posts/{postId}', 'users://u1/posts/p2', { userId: 'u1', postId: 'p2' }],
    ['search://q{?query,limit}', 'search://q?query=cats&limit=5', { query: 'cats', limit: '5' }],
    ['search://q{?query,limit}', 'search://q?limit=5&query=cats', { query: 'cats', limit: '5' }],
    ['search://q{?query,limit}', 'search://q?query=cats', { query: 'cats' }],
    ['search://q{?query,limit}', 'search://q', {}],
    ['search://q{?query,limit}', 'search://q?page=2&query=cats&x', { query: 'cats' }],
    ['search://q{?query}', 'search://q?query=a&query=b', { query: ['a', 'b'] }],
    ['search://q{?query}', 'search://q?query', { query: '' }],
    [
      'repo://{owner}/{repo}/tree{/path*}',
      'repo://o/r/tree/src/index.ts',
      { owner: 'o', repo: 'r', path: ['src', 'index.ts'] },
    ],
    [
      'repo://{owner}/{repo}/tree{/path*}',
      'repo://o/r/tree/README',
      { owner: 'o', repo: 'r', path: 'README' },
    ],
    ['x://{a}{&b}', 'x://1&b=2', { a: '1', b: '2' }],
    ['x://s?fixed=yes{&c,d}', 'x://s?fixed=yes&d=4&c=3', { c: '3', d: '4' }],
    ['x://s{?a}{&b}', 'x://s?b=2&a=1', { a: '1', b: '2' }],
    ['x://s?q={q}{&page}', 'x://s?q=hi&page=3', { q: 'hi', page: '3' }],
    ['x://{a,b}', 'x://1,2', { a: '1', b: '2' }],
    ['x://{a,b}', 'x://1', { a: '1' }],
    ['x://{list*}', 'x://red,green', { list: ['red', 'green'] }],
    ['x://doc{.ext}', 'x://doc.tar.gz', { ext: 'tar.gz' }],
    ['x://www{.dom*}', 'x://www.example.com', { dom: ['example', 'com'] }],
    ['x://m{;a,b}/end', 'x://m;b=2;a=1;z=9/end', { a: '1', b: '2' }],
    ['x://p{#frag}', 'x://p#a/b,c', { frag: 'a/b,c' }],
    ['x://{var:3}/{var}', 'x://val/value', { var: 'value' }],
    // Built with fromEntries: an object literal's __proto__ key would set the prototype instead.
    ['x://{__proto__}', 'x://p', Object.fromEntries([['__proto__', 'p']])],
    ['x://a.b/{id}', 'x://a.b/1', { id: '1' }],
  ])('%s matches %s', (template, uri, expected) => {
    const result = parseUriTemplate(template).match(uri);
    expect(result).toEqual(expected);
    expect(Object.keys(result ?? {}).sort()).toEqual(Object.keys(expected).sort());
  });

  it.each([
    ['test://template/{id}/data', 'test://template/42/data/extra', 'extra segment'],
    ['test://template/{id}/data', 'test://template/42', 'missing literal tail'],
    ['test://template/{id}/data', 'test://template//data', 'empty variable'],
    ['test://template/{id}/data', 'test://template/a/b/data', 'slash inside a simple variable'],
    ['test://template/{id}/data', 'other://template/42/data', 'wrong scheme'],
    ['test://template/{id}/data', 'xtest://template/42/data', 'unanchored start'],
    ['users://{userId}/posts/{postId}', 'users://u1/posts/', 'missing last variable'],
    ['users://{userId}/posts/{postId}', 'users://u1/posts/p2?x=1', 'unexpected query'],
    ['repo://{owner}/{repo}/tree{/path*}', 'repo://o/r/tree', 'exploded path needs a segment'],
    ['search://q{?query}', 'search://qq?query=x', 'literal differs'],
    ['x://a.b/{id}', 'x://aXb/1', 'regex metacharacters are escaped'],
    ['x://{id}', 'x://a?b', 'simple variable stops at ?'],
    ['x://{id}', 'x://a#b', 'simple variable stops at #'],
    ['x://{id}', 'x://a,b', 'simple variable stops at ,'],
  ])('%s does not match %s (%s)', (template, uri) => {
    expect(parseUriTemplate(template).match(uri)).toBeNull();
  });
});

describe('match: percent-decoding', () => {
  const users = parseUriTemplate('users://{name}{?tag}');

  it('decodes path and query values', () => {
    expect(users.match('users://J%C3%BCrgen%20M?tag=a%26b%3Dc')).toEqual({ name: 'Jürgen M', tag: 'a&b=c' });
    expect(parseUriTemplate('x://{/path*}').match('x:///a%2Fb/c')).toEqual({ path: ['a/b', 'c'] });
  });

  it('does not treat + as a space', () => {
    expect(users.match('users://a+b')).toEqual({ name: 'a+b' });
  });

  it.each(['users://%E2%82', 'users://%zz', 'users://ok?tag=%'])('rejects malformed escapes in %s', (uri) => {
    expect(users.match(uri)).toBeNull();
  });
});

describe('round trips: expand then match', () => {
  it.each<[string, Record<string, string | string[]>]>([
    ['test://template/{id}/data', { id: 'a b/c?d#e,f&g' }],
    ['file:///{+path}', { path: 'home/me/a b.txt' }],
    ['users://{userId}/posts/{postId}', { userId: 'ü', postId: '😀' }],
    ['search://q{?query,limit}', { query: 'a&b=c d', limit: '10' }],
    ['search://q{?query,limit}', { limit: '10' }],
    ['repo://{owner}/{repo}/tree{/path*}', { owner: 'o', repo: 'r', path: ['a b', 'c/d', 'e'] }],
    ['x://{/a,b}{;c}{?d*}{&e}{#f}', { a: '1', b: '2', c: '3', d: ['4', '5'], e: '6', f: '7/8' }],
    ['x://host{.dom*}/file{.ext}', { dom: ['example', 'com'], ext: 'tar.gz' }],
    ['file:///my docs/{name}', { name: 'n' }],
  ])('%s', (template, values) => {
    const parsed = parseUriTemplate(template);
    expect(parsed.match(parsed.expand(values))).toEqual(values);
  });
});

describe('parseUriTemplate', () => {
  it('lists variable names once, in order of appearance', () => {
    expect(parseUriTemplate('x://{b}/{a}{?c,b}{&d*}{#e:3}').variableNames).toEqual(['b', 'a', 'c', 'd', 'e']);
    expect(parseUriTemplate('x://plain').variableNames).toEqual([]);
  });

  it('keeps the template text and reuses one compiled matcher', () => {
    const parsed = parseUriTemplate('test://template/{id}/data');
    expect(parsed.template).toBe('test://template/{id}/data');
    for (let i = 0; i < 3; i++) expect(parsed.match(`test://template/${i}/data`)).toEqual({ id: String(i) });
  });

  it('accepts every RFC varname form', () => {
    expect(parseUriTemplate('{a.b_c9,%41x,Z}').variableNames).toEqual(['a.b_c9', '%41x', 'Z']);
  });

  it.each([
    ['users://{id', 8, '"{" is never closed'],
    ['users://{id/{x}', 8, '"{" is never closed'],
    ['users://id}', 10, '"}" closes no expression'],
    ['users://{}', 8, 'has no variable'],
    ['users://{?}', 8, 'has no variable'],
    ['users://{=id}', 9, 'operator "=" is reserved'],
    ['users://{|id}', 9, 'operator "|" is reserved'],
    ['users://{user-id}', 13, 'unexpected "-"'],
    ['users://{ id}', 9, 'unexpected " "'],
    ['users://{$id}', 9, 'unexpected "$"'],
    ['users://{a.}', 10, 'unexpected "."'],
    ['users://{a..b}', 10, 'unexpected "."'],
    ['users://{.a*b}', 11, 'unexpected "*"'],
    ['users://{a,}', 11, 'empty variable name'],
    ['users://{,a}', 9, 'operator "," is reserved'],
    ['users://{a:0}', 11, 'prefix length "0"'],
    ['users://{a:10000}', 11, 'prefix length "10000"'],
    ['users://{a:}', 11, 'prefix length ""'],
    ['users://{a:3*}', 11, 'prefix length "3*"'],
    ['users://{a:%}', 11, 'prefix length "%"'],
  ])('rejects %s at position %i', (template, position, detail) => {
    let error: unknown;
    try {
      parseUriTemplate(template);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UriTemplateError);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain(`"${template}"`);
    expect(message).toContain(`at position ${position} `);
    expect(message).toContain(detail);
    expect((error as Error).name).toBe('UriTemplateError');
  });
});

describe('isUriTemplate', () => {
  it.each([
    ['test://template/{id}/data', true],
    ['search://q{?query}', true],
    ['file:///static.txt', false],
    ['weird://{}', false],
    ['', false],
  ])('%s -> %s', (value, expected) => {
    expect(isUriTemplate(value)).toBe(expected);
  });
});
