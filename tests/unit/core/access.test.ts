import { describe, expect, test } from 'vitest';
import { AccessPolicy } from '../../../src/core/access.js';

const base = {
  owners: ['owner'],
  admins: { users: ['adminUser'], roles: ['adminRole'] },
  allow: { users: [] as string[], roles: [] as string[] },
  block: { users: ['blocked'], roles: ['badRole'] },
  allowedChannels: [] as string[],
};
const p = (userId: string, roleIds: string[] = [], guildAdmin = false) => ({ userId, roleIds, guildAdmin });

describe('AccessPolicy', () => {
  test('admins: owners, configured users and roles, guild admins', () => {
    const a = new AccessPolicy(base);
    expect(a.isAdmin(p('owner'))).toBe(true);
    expect(a.isAdmin(p('adminUser'))).toBe(true);
    expect(a.isAdmin(p('x', ['adminRole']))).toBe(true);
    expect(a.isAdmin(p('x', [], true))).toBe(true);
    expect(a.isAdmin(p('x', ['other']))).toBe(false);
  });

  test('block lists win over everything but ownership', () => {
    const a = new AccessPolicy(base);
    expect(a.canUse(p('blocked'))).toMatchObject({ ok: false, identifier: 'blocked' });
    expect(a.canUse(p('x', ['badRole'], true))).toMatchObject({ ok: false, identifier: 'blocked' });
    expect(a.canUse(p('owner', ['badRole']))).toEqual({ ok: true });
  });

  test('a non-empty allow list admits only its users and roles (and admins)', () => {
    const a = new AccessPolicy({ ...base, allow: { users: ['friend'], roles: ['member'] } });
    expect(a.canUse(p('friend'))).toEqual({ ok: true });
    expect(a.canUse(p('x', ['member']))).toEqual({ ok: true });
    expect(a.canUse(p('adminUser'))).toEqual({ ok: true });
    expect(a.canUse(p('stranger'))).toMatchObject({ ok: false, identifier: 'not-allowed' });
  });

  test('allowed channels restrict guild channels, never DMs', () => {
    const a = new AccessPolicy({ ...base, allowedChannels: ['c1'] });
    expect(a.channelAllowed('c1', false)).toBe(true);
    expect(a.channelAllowed('c2', false)).toBe(false);
    expect(a.channelAllowed('dm', true)).toBe(true);
    expect(new AccessPolicy(base).channelAllowed('any', false)).toBe(true);
  });
});
