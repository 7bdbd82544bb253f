// The device flow's waits, read off a recording clock against a fake GitHub on loopback: the interval GitHub
// names, five seconds more for each `slow_down` that names none, and an end when the code's lifetime is over
// even if GitHub keeps saying "pending".

import { afterEach, describe, expect, it } from 'vitest';
import { requestDeviceCode, waitForAuthorization } from '../src/copilot/device-flow.js';
import { COPILOT_CLIENT_ID, githubEndpoints } from '../src/copilot/endpoints.js';
import { DeviceCodeExpired } from '../src/copilot/errors.js';
import { type FakeGitHub, GITHUB_TOKEN, type PollAnswer, startFakeGitHub } from './helpers/fake-github.js';

let github: FakeGitHub | undefined;
afterEach(async () => {
  await github?.close();
  github = undefined;
});

/** Run the flow with a clock that moves only when the flow waits; returns the waits and the outcome. */
async function run(polls: PollAnswer[], interval = 1) {
  github = await startFakeGitHub({ polls, interval });
  const endpoints = githubEndpoints('github.com', { githubUrl: github.url, githubApiUrl: github.url });
  const code = await requestDeviceCode(endpoints, COPILOT_CLIENT_ID);
  let now = 0;
  const waits: number[] = [];
  const outcome = await waitForAuthorization(endpoints, COPILOT_CLIENT_ID, code, {
    now: () => now,
    sleep: async (ms) => {
      waits.push(ms);
      now += ms;
    },
  }).catch((error: unknown) => error);
  return { waits, outcome };
}

describe('polling for the device login', () => {
  it('waits the interval GitHub names between polls and returns the token once authorised', async () => {
    const { waits, outcome } = await run(['authorization_pending', 'authorization_pending'], 2);
    expect(outcome).toBe(GITHUB_TOKEN);
    expect(waits).toEqual([2000, 2000, 2000]);
  });

  it('adds five seconds for every slow_down that names no interval, and keeps the longer wait', async () => {
    const { waits, outcome } = await run([
      'authorization_pending',
      { error: 'slow_down' },
      'authorization_pending',
      { error: 'slow_down' },
    ]);
    expect(outcome).toBe(GITHUB_TOKEN);
    expect(waits).toEqual([1000, 1000, 6000, 6000, 11000]);
  });

  it('stops when the code has expired by its own lifetime, without polling past it', async () => {
    const pending = Array.from({ length: 200 }, () => 'authorization_pending' as const);
    const { waits, outcome } = await run(pending, 5);
    expect(outcome).toBeInstanceOf(DeviceCodeExpired);
    // 900 s of code lifetime at 5 s a poll: the 180th wait reaches the end, and no poll follows it.
    expect(waits).toHaveLength(180);
    expect(github!.requests.filter((r) => r.path === '/login/oauth/access_token')).toHaveLength(179);
  });
});
