/** The voice server's UDP socket on 127.0.0.1: IP discovery, keepalive echoes, and RTP handed to a callback. */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { discoveryResponse, isDiscoveryRequest } from './rtp.js';

export interface UdpPeer {
  address: string;
  port: number;
}

export interface UdpHandlers {
  /** An RTP packet (anything that is neither discovery nor an 8-byte keepalive). */
  onRtp: (msg: Buffer, from: UdpPeer) => void;
  onDiscovery?: (ssrc: number, from: UdpPeer) => void;
}

export class VoiceUdp {
  private readonly socket: Socket = createSocket('udp4');
  private closed = false;
  port = 0;
  keepalives = 0;

  constructor(private readonly handlers: UdpHandlers) {
    this.socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
    this.socket.on('error', () => undefined);
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.socket.once('error', reject);
      this.socket.bind(0, '127.0.0.1', () => {
        this.socket.off('error', reject);
        resolve();
      });
    });
    this.port = this.socket.address().port;
  }

  send(buf: Buffer, to: UdpPeer): void {
    if (!this.closed) this.socket.send(buf, to.port, to.address);
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private onMessage(msg: Buffer, rinfo: RemoteInfo): void {
    const from = { address: rinfo.address, port: rinfo.port };
    if (isDiscoveryRequest(msg)) {
      const ssrc = msg.readUInt32BE(4);
      this.send(discoveryResponse(ssrc, rinfo.address, rinfo.port), from);
      this.handlers.onDiscovery?.(ssrc, from);
      return;
    }
    if (msg.length === 8) {
      this.keepalives++;
      this.send(msg, from);
      return;
    }
    this.handlers.onRtp(msg, from);
  }
}
