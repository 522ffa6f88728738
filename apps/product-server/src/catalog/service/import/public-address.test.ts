import { describe, expect, it } from 'vitest';
import { classifyAddress } from './public-address.ts';

describe('classifyAddress', () => {
  it('finds global unicast IPv4 and IPv6 public, including IPv6 forms that carry a public IPv4 address', () => {
    for (const address of [
      '8.8.8.8',
      '1.1.1.1',
      '93.184.215.14',
      '2606:4700::1111',
      '2a00:1450:4001::200e',
      '::ffff:8.8.8.8',
      '64:ff9b::808:808',
      '::ffff:0:808:808',
    ]) {
      expect(classifyAddress(address), address).toEqual({ public: true });
    }
  });

  it('names the range of every address an import must not reach', () => {
    const cases: Array<[string, string]> = [
      ['127.0.0.1', 'loopback'],
      ['127.255.255.254', 'loopback'],
      ['::1', 'loopback'],
      ['0.0.0.0', 'unspecified'],
      ['0.1.2.3', 'unspecified'],
      ['::', 'unspecified'],
      ['10.1.2.3', 'private'],
      ['172.31.255.255', 'private'],
      ['192.168.1.1', 'private'],
      ['100.64.0.1', 'carrierGradeNat'],
      ['169.254.169.254', 'linkLocal'],
      ['fe80::1', 'linkLocal'],
      ['fe80::1%eth0', 'linkLocal'],
      ['224.0.0.251', 'multicast'],
      ['ff02::1', 'multicast'],
      ['255.255.255.255', 'broadcast'],
      ['192.0.2.1', 'reserved'],
      ['198.51.100.1', 'reserved'],
      ['203.0.113.1', 'reserved'],
      ['198.18.0.1', 'reserved'],
      ['240.0.0.1', 'reserved'],
      ['2001:db8::1', 'reserved'],
      ['fc00::1', 'uniqueLocal'],
      ['fd12:3456::1', 'uniqueLocal'],
      ['fec0::1', 'deprecatedSiteLocal'],
      ['::ffff:127.0.0.1', 'loopback'],
      ['::ffff:10.0.0.1', 'private'],
      ['::ffff:169.254.169.254', 'linkLocal'],
      ['::ffff:0:7f00:1', 'loopback'],
      ['::127.0.0.1', 'ipv4Compatible'],
      ['::8.8.8.8', 'ipv4Compatible'],
      ['64:ff9b::7f00:1', 'loopback'],
      ['64:ff9b::a9fe:a9fe', 'linkLocal'],
      ['64:ff9b:1::808:808', 'nat64Local'],
      ['2002:7f00:1::', '6to4'],
      ['2002:808:808::', '6to4'],
      ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'teredo'],
      ['localhost', 'invalid'],
      ['127.1', 'invalid'],
      ['2130706433', 'invalid'],
    ];
    for (const [address, range] of cases) expect(classifyAddress(address), address).toEqual({ public: false, range });
  });
});
