// The hostile requests the fuzzer sends to /change_hook/github, each with what a correct master
// must answer and what it may store. Built from a real recorded payload (@octokit/webhooks-examples)
// signed with the master's secret, then forged, cut, altered, replayed or malformed.
import { createHmac, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';

export interface FuzzCase {
  kind: string;
  headers: Record<string, string>;
  body: Buffer;
  /** Whether the request carries a valid signature over its body (a 2xx for an unsigned one is a forgery accepted). */
  signed: boolean;
  /** What may be stored: nothing, a delivery row only (ignored or a foreign repository), or a delivery and its change. */
  stores: 'nothing' | 'delivery' | 'change';
  /** The statuses a correct master may answer. */
  expect: number[];
}

type Payload = Record<string, any>;
const examples = createRequire(import.meta.url)('@octokit/webhooks-examples') as Array<{ name: string; examples: Payload[] }>;
const example = (event: string, action?: string): Payload =>
  structuredClone(examples.find((e) => e.name === event)?.examples.find((e) => action === undefined || e.action === action) as Payload);

/** A small deterministic PRNG (mulberry32), so a run can be repeated from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function createCaseMaker(secret: string, repo: string, seed: number, only?: readonly string[]) {
  const random = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join('');
  const sign = (body: Buffer, algorithm: 'sha256' | 'sha1' = 'sha256') => `${algorithm}=${createHmac(algorithm, secret).update(body).digest('hex')}`;
  let pr = 0;
  const replayable: FuzzCase[] = [];

  function pullRequest(fullName = repo): Buffer {
    pr += 1;
    const p = example('pull_request', 'opened');
    p.number = pr;
    p.pull_request.number = pr;
    p.repository.full_name = fullName;
    p.pull_request.head.repo.full_name = fullName;
    p.pull_request.head.sha = hex(40);
    return Buffer.from(JSON.stringify(p));
  }

  function headers(body: Buffer, extra: Record<string, string | null> = {}): Record<string, string> {
    const all: Record<string, string | null> = {
      'content-type': 'application/json', 'x-github-event': 'pull_request', 'x-github-delivery': randomUUID(),
      'x-hub-signature-256': sign(body), ...extra,
    };
    return Object.fromEntries(Object.entries(all).filter((e): e is [string, string] => e[1] !== null));
  }

  const unsigned = (kind: string, body: Buffer, extra: Record<string, string | null>, expect = [401]): FuzzCase =>
    ({ kind, body, headers: headers(body, extra), signed: false, stores: 'nothing', expect });
  const signedBad = (kind: string, body: Buffer, extra: Record<string, string | null> = {}, expect = [400]): FuzzCase =>
    ({ kind, body, headers: headers(body, extra), signed: true, stores: 'nothing', expect });

  const makers: Record<string, () => FuzzCase> = {
    'forged signature': () => unsigned('forged signature', pullRequest(), { 'x-hub-signature-256': `sha256=${hex(64)}` }),
    'truncated signature': () => {
      const body = pullRequest();
      return unsigned('truncated signature', body, { 'x-hub-signature-256': sign(body).slice(0, 7 + Math.floor(random() * 64)) });
    },
    'wrong algorithm': () => {
      const body = pullRequest();
      const digest = sign(body).slice('sha256='.length);
      return unsigned('wrong algorithm', body, pick<Record<string, string | null>>([
        { 'x-hub-signature-256': `sha512=${digest}` },
        { 'x-hub-signature-256': `SHA256=${digest}` },
        { 'x-hub-signature-256': null, 'x-hub-signature': `sha1=${digest}` },
        { 'x-hub-signature-256': digest },
        { 'x-hub-signature-256': `md5=${createHmac('md5', secret).update(body).digest('hex')}` },
      ]));
    },
    'no signature': () => unsigned('no signature', pullRequest(), { 'x-hub-signature-256': null }),
    'altered bytes': () => {
      const body = pullRequest();
      const signature = sign(body);
      const altered = Buffer.from(body);
      const at = Math.floor(random() * altered.length);
      altered[at] = (altered[at] as number) ^ (1 + Math.floor(random() * 254));
      return unsigned('altered bytes', altered, { 'x-hub-signature-256': signature });
    },
    'signed for another secret': () => {
      const body = pullRequest();
      return unsigned('signed for another secret', body, { 'x-hub-signature-256': `sha256=${createHmac('sha256', `${secret}x`).update(body).digest('hex')}` });
    },
    'malformed JSON': () => {
      const text = pullRequest().toString();
      return signedBad('malformed JSON', Buffer.from(text.slice(0, Math.floor(random() * text.length))));
    },
    'deeply nested JSON': () => {
      const depth = 1000 + Math.floor(random() * 200_000);
      return signedBad('deeply nested JSON', Buffer.from(`${'['.repeat(depth)}${']'.repeat(depth)}`));
    },
    'deeply nested, unsigned': () => {
      const depth = 100_000;
      return unsigned('deeply nested, unsigned', Buffer.from(`{"a":${'['.repeat(depth)}${']'.repeat(depth)}}`), { 'x-hub-signature-256': `sha256=${hex(64)}` });
    },
    'schema violation': () => {
      const p = JSON.parse(pullRequest().toString()) as Payload;
      const damage = pick([
        () => delete p.pull_request.head,
        () => (p.number = 'seven'),
        () => (p.repository = null),
        () => (p.pull_request.labels = 'bug'),
        () => (p.pull_request.head.sha = 42),
      ]);
      damage();
      return signedBad('schema violation', Buffer.from(JSON.stringify(p)));
    },
    'not an object': () => signedBad('not an object', Buffer.from(pick(['null', '42', '"text"', '[]', 'true']))),
    'wrong content type': () => {
      const body = pullRequest();
      return { ...signedBad('wrong content type', body, { 'content-type': pick(['text/plain', 'multipart/form-data; boundary=x', 'application/xml', 'application/octet-stream']) }, [415]), signed: true };
    },
    'missing event header': () => signedBad('missing event header', pullRequest(), { 'x-github-event': null }),
    'missing delivery header': () => signedBad('missing delivery header', pullRequest(), { 'x-github-delivery': null }),
    'foreign repository': () => {
      const body = pullRequest('attacker/elsewhere');
      return { kind: 'foreign repository', body, headers: headers(body), signed: true, stores: 'delivery', expect: [202] };
    },
    'unhandled event': () => {
      const body = Buffer.from(JSON.stringify({ action: 'created', repository: { full_name: repo } }));
      return { kind: 'unhandled event', body, headers: headers(body, { 'x-github-event': pick(['star', 'fork', 'watch', 'gollum']) }), signed: true, stores: 'delivery', expect: [202] };
    },
    valid: () => {
      const body = pullRequest();
      const c: FuzzCase = { kind: 'valid', body, headers: headers(body), signed: true, stores: 'change', expect: [200] };
      replayable.push(c);
      return c;
    },
    replay: () => {
      const original = replayable.length > 0 ? pick(replayable) : undefined;
      if (!original) return makers.valid?.() as FuzzCase;
      return { ...original, kind: 'replay', stores: 'nothing', expect: [200] };
    },
    'replay with a new delivery id and altered body': () => {
      const original = replayable.length > 0 ? pick(replayable) : undefined;
      if (!original) return makers.valid?.() as FuzzCase;
      const body = Buffer.from(original.body.toString().replace('"opened"', '"closed"'));
      return { ...original, kind: 'replay with a new delivery id and altered body', body, headers: { ...original.headers, 'x-github-delivery': randomUUID() }, signed: false, stores: 'nothing', expect: [401] };
    },
  };
  const kinds = Object.keys(makers).filter((k) => !only || only.includes(k));

  return {
    kinds,
    /** The next case: every kind in turn, in a shuffled order per round. */
    next(): FuzzCase {
      return (makers[pick(kinds)] as () => FuzzCase)();
    },
  };
}
