import { describe, expect, it } from '@jest/globals';
import { addressRefusal, hostRefusal } from './callback-destination.js';

const strict = { allowPrivateNetworks: false };
const testing = { allowPrivateNetworks: true };

describe('callback destinations', () => {
  it('refuses every address that is not public unicast, IPv4 inside IPv6 included', () => {
    const refused = [
      '127.0.0.1', '127.255.0.9', '0.0.0.0', '10.1.2.3', '172.16.0.1', '172.31.255.254', '192.168.1.1', '169.254.169.254',
      '100.64.0.1', '100.100.100.200', '224.0.0.1', '239.255.255.250', '255.255.255.255', '192.0.2.1', '198.18.0.1', '240.0.0.1',
      '::1', '::', 'fe80::1', 'fd00:ec2::254', 'fc00::1', 'ff02::1', 'fec0::1',
      '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '::ffff:169.254.169.254',
      '64:ff9b::a00:1', '64:ff9b::8.8.8.8', '2002:7f00:1::1', '2001:0:4136:e378:8000:63bf:3fff:fdd2', '::127.0.0.1', '2001:db8::1', '100::1',
    ];
    for (const address of refused) expect([address, addressRefusal(address, strict)]).toEqual([address, expect.stringContaining('not a public internet address')]);
  });

  it('allows public unicast addresses', () => {
    for (const address of ['93.184.215.14', '8.8.8.8', '211.249.220.24', '2606:4700:4700::1111', '2001:4860:4860::8888', '::ffff:8.8.8.8']) {
      expect([address, addressRefusal(address, strict)]).toEqual([address, null]);
    }
  });

  it('with private networks allowed (tests only) lets loopback and private ranges through, never metadata or link-local', () => {
    for (const address of ['127.0.0.1', '10.0.0.1', '192.168.0.10', '::1', 'fd12:3456::1', '::ffff:127.0.0.1']) expect(addressRefusal(address, testing)).toBeNull();
    for (const address of ['169.254.169.254', 'fd00:ec2::254', 'fe80::1', '100.100.100.200', '224.0.0.1', '0.0.0.0']) {
      expect([address, addressRefusal(address, testing)]).toEqual([address, expect.any(String)]);
    }
  });

  it('checks IP literals as URLs carry them, brackets included', () => {
    expect(hostRefusal('[::1]', strict)).toContain('::1 is not a public internet address');
    expect(hostRefusal('[::ffff:7f00:1]', strict)).toContain('not a public internet address');
    expect(hostRefusal('127.0.0.1', strict)).toContain('loopback');
    expect(hostRefusal('[2606:4700:4700::1111]', strict)).toBeNull();
    expect(hostRefusal('8.8.8.8', strict)).toBeNull();
  });

  it('refuses names of this machine, internal and metadata hosts, and names without a domain', () => {
    const refused = ['localhost', 'localhost.', 'api.localhost', 'metadata.google.internal', 'metadata.google.internal.', 'instance-data.ec2.internal', 'printer.local', 'nas.home.arpa', 'metadata', 'db', 'router.lan'];
    for (const host of refused) expect([host, hostRefusal(host, strict)]).toEqual([host, expect.any(String)]);
    expect(hostRefusal('localhost', testing)).toEqual(expect.any(String));
    for (const host of ['pos.example.com', 'callbacks.baemin-pos.co.kr', 'xn--9n2bp8q.kr']) expect([host, hostRefusal(host, strict)]).toEqual([host, null]);
  });
});
