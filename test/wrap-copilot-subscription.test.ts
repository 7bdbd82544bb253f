// `headroom wrap copilot --subscription`: how the Copilot CLI is pointed at the proxy when the proxy signs in
// to Copilot itself, and the one-line refusals when it cannot.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COPILOT_SUBSCRIPTION_DEFAULT_MODEL } from '../src/agents/copilot.js';
import { findAgent } from '../src/agents/index.js';
import { writeLogin } from '../src/copilot/credential.js';
import { agentPath, runHeadroom, tempDir, wrapEnv } from './helpers/wrap.js';

const PROXY = 'http://127.0.0.1:40123';
const subscription = findAgent('copilot').subscription!;

function loggedInEnv() {
  const env = { HEADROOM_CONFIG_DIR: join(tempDir('copilot-login'), 'config') };
  writeLogin(
    {
      domain: 'github.com',
      token: 'gho_x',
      account: 'octo',
      source: 'device-flow',
      storedAt: new Date().toISOString(),
    },
    env,
  );
  return env;
}

describe('the Copilot CLI in subscription mode', () => {
  it('speaks OpenAI-style to the proxy over HTTP, with a model every Copilot plan serves when none is named', () => {
    const env = loggedInEnv();
    expect(subscription.cannotRoute?.(env, '.', [])).toBeUndefined();
    expect(subscription.launch(PROXY, env, [], '.').env).toEqual({
      COPILOT_PROVIDER_BASE_URL: `${PROXY}/v1`,
      COPILOT_PROVIDER_TYPE: 'openai',
      COPILOT_PROVIDER_TRANSPORT: 'http',
      COPILOT_MODEL: COPILOT_SUBSCRIPTION_DEFAULT_MODEL,
    });
  });

  it('keeps the model the user named, in the environment or with --model', () => {
    const env = { ...loggedInEnv(), COPILOT_MODEL: 'claude-sonnet-4' };
    expect(subscription.launch(PROXY, env, [], '.').env.COPILOT_MODEL).toBeUndefined();
    expect(
      subscription.launch(PROXY, loggedInEnv(), ['--model', 'gpt-5'], '.').env.COPILOT_MODEL,
    ).toBeUndefined();
    expect(subscription.launch(PROXY, loggedInEnv(), ['--model=gpt-5'], '.').args).toEqual(['--model=gpt-5']);
  });

  it('takes no upstream from a BYOK provider the user also set: the login decides where requests go', () => {
    const env = { ...loggedInEnv(), COPILOT_PROVIDER_BASE_URL: 'https://api.openai.com/v1' };
    expect(subscription.adoptUpstreams(env, '.', [])).toEqual({});
  });
});

describe('headroom wrap --subscription refusals', () => {
  it('refuses copilot with no stored login, saying to log in first (exit 2)', async () => {
    const result = await runHeadroom(
      ['wrap', 'copilot', '--subscription'],
      wrapEnv({ path: agentPath('copilot') }),
    );
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim()).toBe(
      'headroom: cannot wrap copilot: no GitHub login is stored for Copilot: run `headroom copilot-auth login` first',
    );
  });

  it('refuses an agent that has no subscription mode (exit 2)', async () => {
    const result = await runHeadroom(
      ['wrap', 'claude', '--subscription'],
      wrapEnv({ path: agentPath('claude') }),
    );
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim()).toBe(
      'headroom: claude has no subscription mode in headroom (--subscription is for copilot)',
    );
  });
});
