import { describe, expect, test } from 'vitest';
import { RecoveryPolicy } from '../../../src/voice/discord/recovery.js';
import { formatVoiceStatus } from '../../../src/commands/voice.js';

function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('RecoveryPolicy (DAVE receive trouble)', () => {
  test('below the threshold nothing happens; the third incident in the window asks to re-initialise DAVE', () => {
    const c = clock();
    const p = new RecoveryPolicy({ now: c.now });
    expect(p.incident()).toBeNull();
    c.advance(1000);
    expect(p.incident()).toBeNull();
    c.advance(1000);
    expect(p.incident()).toBe('dave-reinit');
  });

  test('incidents older than the window do not count', () => {
    const c = clock();
    const p = new RecoveryPolicy({ now: c.now, windowMs: 30_000 });
    p.incident();
    p.incident();
    c.advance(31_000);
    expect(p.incident()).toBeNull();
  });

  test('trouble that goes on after a re-initialisation: cooldown first, then leave and rejoin; bounded per budget', () => {
    const c = clock();
    const p = new RecoveryPolicy({ now: c.now, cooldownMs: 10_000, maxRemedies: 2, budgetMs: 600_000 });
    const burst = () => [p.incident(), p.incident(), p.incident()].find((r) => r !== null) ?? null;
    expect(burst()).toBe('dave-reinit');
    c.advance(5000);
    expect(burst()).toBeNull(); // cooldown
    c.advance(6000);
    expect(burst()).toBe('rejoin');
    c.advance(20_000);
    expect(burst()).toBeNull(); // budget of 2 used up
    c.advance(600_000);
    expect(burst()).toBe('dave-reinit'); // budget renewed, and long after the last remedy
  });

  test('failed packets count as one incident per burst', () => {
    const p = new RecoveryPolicy({ burstPackets: 10, threshold: 2 });
    const results = Array.from({ length: 20 }, () => p.packetFailed());
    expect(results.filter((r) => r !== null)).toEqual(['dave-reinit']);
    expect(results.indexOf('dave-reinit')).toBe(19);
  });

  test('keeps the last 20 recoveries for !voice', () => {
    const p = new RecoveryPolicy();
    for (let i = 0; i < 25; i++) p.record('resubscribe', `n${i}`);
    expect(p.recent).toHaveLength(20);
    expect(p.recent[0]?.detail).toBe('n5');
  });
});

describe('!voice status text', () => {
  const base = { state: 'listening' as const, voiceChannelId: '1', textChannelId: '2' };
  test('DAVE on: version, epoch, grouped privacy code, member names, recent recoveries', () => {
    const text = formatVoiceStatus(
      {
        ...base,
        memberNames: ['Ali', 'Eos'],
        link: {
          connection: 'ready',
          dave: { protocolVersion: 1, epoch: 3, privacyCode: '123451234512345123451234512345', memberIds: ['10', '11'] },
          recoveries: [{ at: 9000, kind: 'dave-reinit', detail: 'receive streams dying' }],
        },
      },
      10_000,
    );
    expect(text).toBe(
      [
        '**Voice** in <#1> (transcripts in <#2>): listening, connection ready',
        'End-to-end encryption (DAVE): protocol v1, epoch 3',
        'Privacy code: `12345 12345 12345 12345 12345 12345` (compare it with the one in your Discord client)',
        'Members: Ali, Eos',
        'Recent recoveries:',
        '• 1 s ago: DAVE re-initialised (receive streams dying)',
      ].join('\n'),
    );
  });

  test('DAVE off or no group yet', () => {
    expect(formatVoiceStatus({ ...base, memberNames: [], link: { connection: 'ready', dave: null, recoveries: [] } })).toContain(
      'End-to-end encryption (DAVE): off',
    );
    const alone = formatVoiceStatus({
      ...base,
      memberNames: [],
      link: { connection: 'ready', dave: { protocolVersion: 1, epoch: null, privacyCode: null, memberIds: [] }, recoveries: [] },
    });
    expect(alone).toContain('epoch none yet (alone or joining)');
    expect(alone).toContain('Members: none yet');
    expect(alone).toContain('Recent recoveries: none');
  });
});
