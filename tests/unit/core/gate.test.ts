import { describe, expect, test } from 'vitest';
import { AccessPolicy } from '../../../src/core/access.js';
import { AdmissionGate, OPTED_OUT_NOTICE, type Actor } from '../../../src/core/gate.js';
import { UserRateLimiter } from '../../../src/conversation/rate-limit.js';

const cfg = {
  owners: ['owner'],
  admins: { users: ['admin'], roles: [] },
  allow: { users: [], roles: [] },
  block: { users: ['blocked'], roles: ['muted-role'] },
  allowedChannels: ['open'],
};
function gate(count = 3, optedOut: string[] = []) {
  let now = 0;
  const access = new AccessPolicy(cfg);
  const limiter = new UserRateLimiter(
    { count, perSeconds: 60 },
    () => now,
    (id) => access.isOwner(id),
  );
  return { gate: new AdmissionGate(access, limiter, { optedOut: (u) => optedOut.includes(u) }), tick: (ms: number) => (now += ms) };
}
const actor = (userId: string, extra: Partial<Actor> = {}): Actor => ({
  userId,
  roleIds: [],
  guildAdmin: false,
  guildId: 'g',
  channelId: 'open',
  isDM: false,
  ...extra,
});

describe('AdmissionGate', () => {
  test('blocked users and roles are refused in every flow; owners never', () => {
    const { gate: g } = gate();
    for (const flow of ['command', 'message', 'component', 'reaction', 'menu', 'modal', 'voice', 'voice-message'] as const) {
      expect(g.admit(actor('blocked'), flow)).toMatchObject({ ok: false, reason: 'blocked' });
      expect(g.admit(actor('x', { roleIds: ['muted-role'] }), flow)).toMatchObject({ ok: false, reason: 'blocked' });
      expect(g.admit(actor('owner', { roleIds: ['muted-role'] }), flow).ok).toBe(true);
    }
  });

  test('allowed channels: admins may still run commands there, but chat flows stay closed', () => {
    const { gate: g } = gate();
    expect(g.admit(actor('u', { channelId: 'closed' }), 'command')).toMatchObject({ ok: false, reason: 'channel' });
    expect(g.admit(actor('admin', { channelId: 'closed' }), 'command').ok).toBe(true);
    expect(g.admit(actor('admin', { channelId: 'closed' }), 'message')).toMatchObject({ ok: false, reason: 'channel' });
    expect(g.admit(actor('u', { channelId: 'dm', isDM: true }), 'message').ok).toBe(true);
  });

  test('opting out closes chat flows only (commands still work)', () => {
    const { gate: g } = gate(3, ['quiet']);
    for (const flow of ['message', 'voice', 'voice-message'] as const)
      expect(g.admit(actor('quiet'), flow)).toMatchObject({ ok: false, reason: 'opted-out', message: OPTED_OUT_NOTICE });
    expect(g.admit(actor('quiet'), 'command').ok).toBe(true);
    expect(g.visible(actor('quiet'))).toBe(false);
    expect(g.visible(actor('blocked'))).toBe(false);
    expect(g.visible(actor('u'))).toBe(true);
  });

  test('commands, voice turns and spend() draw on one per-user budget; one notice per window; owners exempt', () => {
    const { gate: g, tick } = gate(3);
    expect(g.admit(actor('u'), 'command').ok).toBe(true);
    expect(g.admit(actor('u'), 'voice').ok).toBe(true);
    expect(g.admit(actor('u'), 'message').ok).toBe(true); // chat messages cost nothing at the gate (the reply is charged)
    expect(g.spend(actor('u'), 1).ok).toBe(true);
    expect(g.admit(actor('u'), 'command')).toMatchObject({ ok: false, reason: 'rate', notify: true });
    expect(g.admit(actor('u'), 'command')).toMatchObject({ ok: false, reason: 'rate', notify: false });
    expect(g.admit(actor('other'), 'command').ok).toBe(true);
    for (let i = 0; i < 20; i++) expect(g.admit(actor('owner'), 'command').ok).toBe(true);
    tick(61_000);
    expect(g.admit(actor('u'), 'command').ok).toBe(true);
  });

  test('a cost larger than what is left is refused whole (a 4-case !test with 3 units left runs nothing)', () => {
    const { gate: g } = gate(3);
    expect(g.spend(actor('u'), 4)).toMatchObject({ ok: false, reason: 'rate' });
    expect(g.spend(actor('u'), 3).ok).toBe(true);
    expect(g.spend(actor('u'), 1).ok).toBe(false);
  });
});
