/**
 * Keeps a voice protocol error inside its connection. @discordjs/voice 0.19.2 handles each voice gateway message
 * synchronously inside the `ws` socket's message callback, without try/catch around DAVE ops: an op 27 Add for a user
 * not announced by op 11, op 27 before op 25, or a malformed binary frame (under 3 bytes, op 29 without its transition
 * id) throws there, and such a throw is an uncaught exception that kills the process. This guard wraps exactly that
 * callback (VoiceWebSocket.onMessage, per socket of this connection) in a try/catch and reports the error; nothing
 * global is patched. It also listens to the connection's DAVE session (`debug` events, the library's only signal) to
 * count packets that failed DAVE decryption and the session's own re-initialisations.
 */
import { VoiceConnectionStatus, type VoiceConnection, type VoiceConnectionState } from '@discordjs/voice';
import type { EventEmitter } from 'node:events';

export interface DaveGuardHandlers {
  /** A voice gateway message threw inside the library; it was dropped. */
  onProtocolError(err: Error): void;
  /** One received packet failed DAVE decryption (the library dropped it). */
  onDecryptFailure(): void;
  /** The library's DAVE session invalidated a transition and re-initialised (op 31 + a new key package). */
  onDaveReinit(detail: string): void;
}

/** The library's DAVE session as it is reachable from the connection (read-only use plus `recoverFromInvalidTransition`). */
export interface LibraryDave extends EventEmitter {
  protocolVersion: number;
  lastTransitionId?: number;
  /** Between an invalidated transition and the next commit/Welcome (no group keys yet). */
  reinitializing?: boolean;
  readonly voicePrivacyCode: string | null;
  session?: { epoch: bigint | null; getUserIds(): string[]; ready: boolean };
  recoverFromInvalidTransition(transitionId: number): void;
}

interface VoiceWs extends EventEmitter {
  ws: { onmessage: ((ev: unknown) => void) | null };
  onMessage(ev: unknown): void;
}

interface NetworkingLike extends EventEmitter {
  state: { ws?: VoiceWs; dave?: LibraryDave };
}

/** The DAVE session of a connection, when it has one. */
export function libraryDave(connection: VoiceConnection): LibraryDave | undefined {
  const networking = (connection.state as { networking?: NetworkingLike }).networking;
  return networking?.state.dave;
}

/** Installs the guard on a connection (for every networking, socket and DAVE session it will have); returns stop(). */
export function guardConnection(connection: VoiceConnection, h: DaveGuardHandlers): () => void {
  const seen = new WeakSet<object>();
  const stops: (() => void)[] = [];
  const onDebug = (msg: string): void => {
    if (msg.startsWith('Failed to decrypt a packet (') && msg.includes('consecutive')) h.onDecryptFailure();
    else if (msg.startsWith('Invalidating transition')) h.onDaveReinit(msg);
  };
  const followNetworkingState = (networking: NetworkingLike): void => {
    const { ws, dave } = networking.state;
    if (ws && !seen.has(ws)) {
      seen.add(ws);
      ws.ws.onmessage = (ev: unknown) => {
        try {
          ws.onMessage(ev);
        } catch (err) {
          h.onProtocolError(err instanceof Error ? err : new Error(String(err)));
        }
      };
    }
    if (dave && !seen.has(dave)) {
      seen.add(dave);
      dave.on('debug', onDebug);
      stops.push(() => dave.off('debug', onDebug));
    }
  };
  const followConnection = (state: VoiceConnectionState): void => {
    const networking = (state as { networking?: NetworkingLike }).networking;
    if (!networking || seen.has(networking)) return;
    seen.add(networking);
    const onState = (): void => followNetworkingState(networking);
    networking.on('stateChange', onState);
    stops.push(() => networking.off('stateChange', onState));
    followNetworkingState(networking);
  };
  const onConnState = (_old: VoiceConnectionState, next: VoiceConnectionState): void => {
    if (next.status !== VoiceConnectionStatus.Destroyed) followConnection(next);
  };
  connection.on('stateChange', onConnState);
  followConnection(connection.state);
  return () => {
    connection.off('stateChange', onConnState);
    for (const stop of stops.splice(0)) stop();
  };
}
