/** The voice gateway's TLS WebSocket server on 127.0.0.1 (wss://127.0.0.1:PORT/?v=8). */
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { VoiceCert } from './cert.js';

export class VoiceWss {
  private readonly server: Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  port = 0;

  constructor(cert: VoiceCert, onSocket: (ws: WebSocket, url: URL) => void, onTlsError: (err: Error) => void) {
    this.server = createServer({ key: cert.keyPem, cert: cert.certPem }, (_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain' }).end('voice gateway: WebSocket only');
    });
    this.server.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'https://127.0.0.1');
      this.wss.handleUpgrade(req, socket, head, (ws) => onSocket(ws, url));
    });
    this.server.on('tlsClientError', (err) => onTlsError(err));
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
