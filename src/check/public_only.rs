//! External link checks that only reach the public internet.
//!
//! Content from a pull request can link to `http://169.254.169.254/` (a cloud's metadata
//! service), `http://localhost:8080/admin` or a router on the CI machine's network; a link
//! checker that requests them does the attacker's probing from inside. In public-only mode
//! the link checker resolves every host itself and connects only to public addresses, on
//! every hop of a redirect too (the resolver is asked again for each), and with no proxy
//! (a proxy would be asked to fetch the private address for us).
//!
//! The resolver plugs into ureq's `unversioned` resolver API: ureq may change it in a
//! minor release, which would show up here at compile time, not at run time.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// The error a link to a non-public host fails with.
#[derive(Debug, thiserror::Error)]
#[error("{host} is not a public address ({address}), and links are checked in public-only mode")]
pub(crate) struct NotPublic {
    pub host: String,
    pub address: IpAddr,
}

/// Resolves like ureq does, then keeps only public addresses.
#[derive(Debug, Default)]
pub(crate) struct PublicOnly {
    inner: DefaultResolver,
}

impl Resolver for PublicOnly {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let resolved = self.inner.resolve(uri, config, timeout)?;
        let mut public = self.empty();
        let mut refused = None;
        for address in resolved.iter() {
            if is_public(address.ip()) {
                public.push(*address);
            } else {
                refused.get_or_insert(address.ip());
            }
        }
        match refused {
            // Every address counts: a host that also resolves to a private address could
            // hand out that one next time.
            Some(address) => Err(ureq::Error::Other(Box::new(NotPublic {
                host: uri.host().unwrap_or_default().to_string(),
                address,
            }))),
            None if public.is_empty() => Err(ureq::Error::HostNotFound),
            None => Ok(public),
        }
    }
}

/// Whether `ip` is an address on the public internet: not loopback, private, link-local,
/// shared (carrier NAT), documentation, benchmarking, multicast, broadcast or reserved,
/// and for IPv6 not unique-local, link-local, or an IPv4 address in disguise that is one
/// of those.
pub(crate) fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        // Shared address space (RFC 6598), IETF protocol assignments, benchmarking,
        // reserved (240/4).
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (b == 18 || b == 19))
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let segments = ip.segments();
    // NAT64 (64:ff9b::/96) and the deprecated IPv4-compatible form (::a.b.c.d) reach an
    // IPv4 address: judge that address.
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] || segments[..6] == [0; 6] {
        let [.., hi, lo] = segments;
        let v4 = Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
        return !ip.is_loopback() && !ip.is_unspecified() && is_public_v4(v4);
    }
    !(ip.is_multicast()
        || ip.is_unique_local()
        || ip.is_unicast_link_local()
        // Documentation (2001:db8::/32) and site-local (fec0::/10, deprecated).
        || (segments[0] == 0x2001 && segments[1] == 0x0db8)
        || (segments[0] & 0xffc0) == 0xfec0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_loopback_and_link_local_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "127.8.8.8",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "0.1.2.3",
            "100.64.0.1",
            "255.255.255.255",
            "224.0.0.1",
            "192.0.2.1",
            "198.18.0.1",
            "240.0.0.1",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "fc00::1",
            "ff02::1",
            "2001:db8::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:10.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "::127.0.0.1",
            "fec0::1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn public_addresses_are_public() {
        for ip in [
            "1.1.1.1",
            "8.8.8.8",
            "93.184.216.34",
            "172.32.0.1",
            "100.128.0.1",
            "2606:4700:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
        ] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }
}
