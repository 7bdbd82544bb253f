// The headers GitHub's Copilot services expect from an editor integration: who is calling (editor and plugin
// versions, the integration id the API authorises) on the token exchange and on every model request.

import type { Provider } from '../formats/types.js';

const EDITOR_VERSION = 'vscode/1.99.3';
const PLUGIN_VERSION = 'copilot-chat/0.26.7';
const USER_AGENT = 'GitHubCopilotChat/0.26.7';
const API_VERSION = '2025-04-01';

/** Headers for GitHub's API (the token exchange, `/user`), after `authorization: token <GitHub token>`. */
export function githubApiHeaders(githubToken: string): Record<string, string> {
  return {
    authorization: `token ${githubToken}`,
    accept: 'application/json',
    'editor-version': EDITOR_VERSION,
    'editor-plugin-version': PLUGIN_VERSION,
    'user-agent': USER_AGENT,
    'x-github-api-version': API_VERSION,
  };
}

/** Headers for one model request to the Copilot API, signed with the short-lived Copilot token. */
export function copilotApiHeaders(copilotToken: string, provider: Provider): [string, string][] {
  const headers: [string, string][] = [
    ['authorization', `Bearer ${copilotToken}`],
    ['copilot-integration-id', 'vscode-chat'],
    ['editor-version', EDITOR_VERSION],
    ['editor-plugin-version', PLUGIN_VERSION],
    ['user-agent', USER_AGENT],
    ['x-github-api-version', API_VERSION],
  ];
  // The OpenAI-style endpoints ask what the conversation is for; an agent's turn is the chat panel's kind.
  if (provider === 'openai') headers.push(['openai-intent', 'conversation-panel']);
  return headers;
}

/** The client's own credentials, which never go to the Copilot API (the proxy signs in itself). */
export const CLIENT_CREDENTIAL_HEADERS = ['authorization', 'x-api-key'] as const;
