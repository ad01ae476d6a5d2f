// A stand-in for an S3-compatible service (IBM COS, AWS S3) on 127.0.0.1: path-style PUT, GET, HEAD
// and DELETE of objects in one bucket, each request's AWS Signature Version 4 checked here with
// node:crypto (independently of the SDK under test): a wrong key, secret, region or a body that does
// not match its signed hash gets 403, like the real service. Objects live in memory.
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface S3StandIn {
  url: string;
  objects: Map<string, Buffer>;
  /** Every request: method, key and the status answered. */
  requests: Array<{ method: string; key: string; status: number }>;
  /** Answer the next n requests with 503 (a service outage). */
  failNext(n: number): void;
  close(): Promise<void>;
}

export interface S3StandInOptions {
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  region?: string;
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/** RFC 3986 encoding, as SigV4 wants it (S3: the path's slashes kept). */
function encode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function checkSignature(req: IncomingMessage, body: Buffer, options: S3StandInOptions): string | undefined {
  const auth = req.headers.authorization ?? '';
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) return 'no SigV4 Authorization header';
  const [, keyId, date, region, signedHeaders, signature] = m as unknown as [string, string, string, string, string, string];
  if (keyId !== options.accessKeyId) return 'InvalidAccessKeyId';
  if (region !== (options.region ?? 'us-east-1')) return `wrong region ${region}`;
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  if (!amzDate.startsWith(date)) return 'x-amz-date does not match the credential scope';
  const payloadHash = String(req.headers['x-amz-content-sha256'] ?? '');
  if (payloadHash !== 'UNSIGNED-PAYLOAD' && payloadHash !== sha256(body)) return 'XAmzContentSHA256Mismatch';
  const url = new URL(req.url ?? '/', 'http://stand-in');
  const canonicalUri = url.pathname.split('/').map((seg) => encode(decodeURIComponent(seg))).join('/');
  const canonicalQuery = [...url.searchParams.entries()]
    .map(([k, v]) => `${encode(k)}=${encode(v)}`)
    .sort()
    .join('&');
  const names = signedHeaders.split(';');
  if (!names.includes('host') || !names.includes('x-amz-date')) return 'host and x-amz-date must be signed';
  const canonicalHeaders = names.map((n) => `${n}:${String(req.headers[n] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const canonicalRequest = [req.method, canonicalUri, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash].join('\n');
  const scope = `${date}/${region}/s3/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${options.secretAccessKey}`, date), region), 's3'), 'aws4_request');
  return createHmac('sha256', key).update(stringToSign).digest('hex') === signature ? undefined : 'SignatureDoesNotMatch';
}

export async function startS3StandIn(options: S3StandInOptions): Promise<S3StandIn> {
  const objects = new Map<string, Buffer>();
  const requests: S3StandIn['requests'] = [];
  let failing = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://stand-in').pathname);
      const [, bucket = '', ...rest] = path.split('/');
      const key = rest.join('/');
      const answer = (status: number, code?: string, payload?: Buffer) => {
        requests.push({ method: req.method ?? '', key, status });
        if (code) {
          res.writeHead(status, { 'content-type': 'application/xml' });
          return res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code}</Message></Error>`);
        }
        res.writeHead(status, payload ? { 'content-type': 'application/octet-stream', 'content-length': payload.length } : {});
        res.end(req.method === 'HEAD' ? undefined : payload);
      };
      if (failing > 0) {
        failing--;
        return answer(503, 'ServiceUnavailable');
      }
      const wrong = checkSignature(req, body, options);
      if (wrong) return answer(403, wrong.includes(' ') ? 'AccessDenied' : wrong);
      if (bucket !== options.bucket) return answer(404, 'NoSuchBucket');
      if (!key) return answer(400, 'InvalidRequest');
      if (req.method === 'PUT') {
        objects.set(key, body);
        res.setHeader('etag', `"${createHash('md5').update(body).digest('hex')}"`);
        return answer(200);
      }
      if (req.method === 'GET' || req.method === 'HEAD') {
        const object = objects.get(key);
        return object ? answer(200, undefined, object) : answer(404, 'NoSuchKey');
      }
      if (req.method === 'DELETE') {
        objects.delete(key);
        return answer(204);
      }
      return answer(405, 'MethodNotAllowed');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    objects,
    requests,
    failNext: (n) => void (failing = n),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
