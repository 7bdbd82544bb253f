// Cursor (editor and cursor-agent) sends model requests from Cursor's own servers and offers no base URL
// for its CLI, so headroom can only serve an OpenAI-compatible endpoint and print the settings to paste.

import { join } from 'node:path';
import { homeOf, type ManualAdapter } from './adapter.js';

export const cursor: ManualAdapter = {
  kind: 'manual',
  name: 'cursor',
  title: 'Cursor',
  install: 'curl https://cursor.com/install -fsS | bash',
  adoptUpstreams: () => ({}),
  upstreamsUsed: () => ['openaiUpstream'],
  sessionLogDirs: (env) => [join(homeOf(env), '.cursor', 'chats')],
  instructions: (proxyUrl) => [
    'cursor-agent cannot be pointed at a custom base URL; headroom is serving an OpenAI-compatible endpoint for Cursor:',
    '  Cursor Settings > Models > API Keys > OpenAI API Key: your key (passed through unchanged)',
    `  Cursor Settings > Models > API Keys > Override OpenAI Base URL: ${proxyUrl}/v1`,
    'Cursor calls that URL from its servers, so it has to be reachable from the internet (for example',
    'through a tunnel, with --host and HEADROOM_API_KEY set). Press Ctrl-C to stop.',
  ],
};
