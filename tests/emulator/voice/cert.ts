/**
 * The voice gateway's TLS certificate: @discordjs/voice always connects to wss://ENDPOINT?v=8, so the emulator needs
 * a certificate for IP 127.0.0.1 that the bot process trusts. One self-signed certificate per process (made with the
 * `openssl` CLI into a temp dir) is added once to the process's default CA list with tls.setDefaultCACertificates;
 * child processes can trust the file through NODE_EXTRA_CA_CERTS.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { promisify } from 'node:util';

export interface VoiceCert {
  keyPem: string;
  certPem: string;
  certFile: string;
}

const run = promisify(execFile);

/**
 * Per-process cache (deliberate module state): the default CA list is itself process-global, so a certificate per
 * emulator would grow it without bound; one certificate serves every emulator in the process.
 */
let cached: Promise<VoiceCert> | undefined;

export function voiceCert(): Promise<VoiceCert> {
  cached ??= createCert().catch((err: unknown) => {
    cached = undefined;
    throw err;
  });
  return cached;
}

async function createCert(): Promise<VoiceCert> {
  const dir = mkdtempSync(join(tmpdir(), 'discord-emu-voice-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  // prettier-ignore
  await run('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile,
  ]);
  const cert: VoiceCert = { keyPem: readFileSync(keyFile, 'utf8'), certPem: readFileSync(certFile, 'utf8'), certFile };
  trustInProcess(cert.certPem);
  return cert;
}

function trustInProcess(certPem: string): void {
  const current = tls.getCACertificates('default');
  if (!current.includes(certPem)) tls.setDefaultCACertificates([...current, certPem]);
}
