import { describe, expect, it } from 'vitest';
import { hostOf, sameSite, siteLabel, siteOf, siteOfHost } from '../../../src/shared/site.js';

describe('the one notion of a site (registrable domain, tldts + the Public Suffix List)', () => {
  it.each([
    ['https://www.Example.com/a', 'example.com'],
    ['https://news.bbc.co.uk/x', 'bbc.co.uk'],
    ['https://www.abc.net.au/news', 'abc.net.au'],
    ['https://edition.cnn.com:8443/a', 'cnn.com'],
    // Private-section suffixes: every blog is its own site.
    ['https://alice.blogspot.com/p', 'alice.blogspot.com'],
    ['https://bob.github.io/', 'bob.github.io'],
    // Names under a TLD the list does not know still have a registrable part (PSL's "*" rule).
    ['https://ledger.example/2026/a', 'ledger.example'],
    // No registrable domain: the host is its own site, port included (local test sites differ by port).
    ['http://127.0.0.1:4100/x', '127.0.0.1:4100'],
    ['http://127.0.0.1/x', '127.0.0.1'],
    ['http://[::1]:8080/', '[::1]:8080'],
    ['http://localhost:3000/', 'localhost:3000'],
    ['not a url', null],
    ['ftp://example.com/', null],
    ['', null],
  ])('siteOf(%s) = %s', (url, site) => {
    expect(siteOf(url)).toBe(site);
  });

  it('siteOfHost takes URL.host values', () => {
    expect(siteOfHost('WWW.Invezz.com')).toBe('invezz.com');
    expect(siteOfHost('invezz.com.')).toBe('invezz.com');
    expect(siteOfHost('127.0.0.1:4100')).toBe('127.0.0.1:4100');
    expect(siteOfHost(null)).toBeNull();
  });

  it('sameSite compares registrable domains', () => {
    expect(sameSite('https://m.example.com/a', 'https://www.example.com/b')).toBe(true);
    expect(sameSite('https://a.blogspot.com/', 'https://b.blogspot.com/')).toBe(false);
    expect(sameSite('https://bbc.co.uk/', 'https://itv.co.uk/')).toBe(false);
    expect(sameSite('http://127.0.0.1:4100/', 'http://127.0.0.1:4200/')).toBe(false);
    expect(sameSite('x', 'x')).toBe(false);
  });

  it('siteLabel is the registrable domain without its suffix', () => {
    expect(siteLabel('www.livescience.com')).toBe('livescience');
    expect(siteLabel('news.bbc.co.uk')).toBe('bbc');
    expect(siteLabel('127.0.0.1:4100')).toBeNull();
    expect(siteLabel('localhost:3000')).toBe('localhost');
  });

  it('hostOf keeps a non-default port and refuses non-http URLs', () => {
    expect(hostOf('https://Example.com:443/a')).toBe('example.com');
    expect(hostOf('http://example.com:8080/a')).toBe('example.com:8080');
    expect(hostOf('mailto:a@example.com')).toBeNull();
  });
});
