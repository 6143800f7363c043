/**
 * Azure OpenAI's v1 API in front of the fake OpenAI server. Azure serves the OpenAI routes under
 * https://<resource>.openai.azure.com/openai/v1/ and authenticates with an `api-key` header (Microsoft Learn,
 * "Azure OpenAI in Azure AI Foundry Models v1 REST API"; `api-version` is optional on v1 and required on the older
 * dated API). This proxy demands exactly that — path prefix /openai/v1, `api-key`, no `Authorization`, the
 * configured `api-version` — then forwards to the fake at /v1 with its Bearer key. Refusals are Azure-shaped.
 */
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AzureProxy {
  /** https://<resource>.openai.azure.com/openai/v1 equivalent. */
  baseURL: string;
  apiKey: string;
  /** Requests refused, with why. */
  refused: string[];
  forwarded: number;
  /** The next `count` requests get a 503 from the gateway (Azure's "server busy"). */
  failRequests(count: number): void;
  close(): Promise<void>;
}

export async function startAzureProxy(
  target: { baseURL: string; apiKey: string },
  opts: { apiKey?: string; apiVersion?: string } = {},
): Promise<AzureProxy> {
  const apiKey = opts.apiKey ?? 'azure-fake-key-0123456789';
  const upstream = new URL(target.baseURL);
  let failing = 0;
  const proxy: AzureProxy = {
    baseURL: '',
    apiKey,
    refused: [],
    forwarded: 0,
    failRequests: (n) => void (failing = n),
    close: () => new Promise((r) => server.close(() => r())),
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://azure.invalid');
    const refuse = (status: number, code: string, message: string) => {
      proxy.refused.push(`${req.method} ${url.pathname}: ${message}`);
      req.resume();
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code, message } }));
    };
    if (failing > 0) {
      failing--;
      req.resume();
      res
        .writeHead(503, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { code: 'ServiceUnavailable', message: 'The server is busy.' } }));
      return;
    }
    if (!url.pathname.startsWith('/openai/v1/')) return refuse(404, 'NotFound', 'Resource not found');
    if (req.headers['api-key'] !== apiKey)
      return refuse(401, '401', 'Access denied due to invalid subscription key or wrong API endpoint.');
    if (req.headers.authorization !== undefined) return refuse(400, 'BadRequest', 'Send either api-key or Authorization, not both.');
    if (opts.apiVersion && url.searchParams.get('api-version') !== opts.apiVersion)
      return refuse(400, 'BadRequest', `api-version ${opts.apiVersion} expected`);
    url.searchParams.delete('api-version');
    const headers: Record<string, string | string[] | undefined> = {
      ...req.headers,
      host: upstream.host,
      authorization: `Bearer ${target.apiKey}`,
    };
    delete headers['api-key'];
    const path = `/v1/${url.pathname.slice('/openai/v1/'.length)}${url.search}`;
    const out = request({ host: upstream.hostname, port: upstream.port, method: req.method, path, headers }, (up) => {
      proxy.forwarded++;
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    out.on('error', () => refuse(502, 'BadGateway', 'upstream unreachable'));
    req.pipe(out);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  proxy.baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/openai/v1`;
  return proxy;
}
