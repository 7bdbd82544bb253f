import { describe, expect, it } from 'vitest';
import { githubEndpoints, parseDomain } from './endpoints.js';

describe('GitHub endpoints for a login domain', () => {
  it('puts github.com’s API at api.github.com', () => {
    expect(githubEndpoints('github.com')).toEqual({
      domain: 'github.com',
      web: 'https://github.com',
      api: 'https://api.github.com',
    });
  });

  it('puts a GitHub Enterprise Cloud host’s API at api.<host>, and a GitHub Enterprise Server’s under /api/v3', () => {
    expect(githubEndpoints('acme.ghe.com').api).toBe('https://api.acme.ghe.com');
    expect(githubEndpoints('github.corp.example').api).toBe('https://github.corp.example/api/v3');
    expect(githubEndpoints('github.corp.example').web).toBe('https://github.corp.example');
  });

  it('lets the settings move either base URL, without a trailing slash', () => {
    const moved = githubEndpoints('github.com', {
      githubUrl: 'http://127.0.0.1:9/',
      githubApiUrl: 'http://127.0.0.1:9/api/',
    });
    expect(moved).toMatchObject({ web: 'http://127.0.0.1:9', api: 'http://127.0.0.1:9/api' });
  });

  it('takes a host name in any case, and refuses a URL or a path', () => {
    expect(parseDomain(' GitHub.com ')).toBe('github.com');
    expect(() => parseDomain('https://github.com')).toThrow(/--domain must be a host name/);
    expect(() => parseDomain('github.com/acme')).toThrow(/no https:\/\/, no path/);
  });
});
