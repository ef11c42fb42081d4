//! Content digests, and chart versions that follow content: shared by the chart writer (which
//! compares what it generated with what it generated last time) and the packager and
//! publishers (which name archives by digest).

use sha2::{Digest, Sha256};

/// The SHA-256 of `bytes` as lowercase hex, as Helm and OCI registries write digests.
pub fn sha256_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(64);
    for b in Sha256::digest(bytes) {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    out
}

/// The next patch version after `v`, without pre-release or build metadata.
pub(crate) fn next_patch(v: &semver::Version) -> semver::Version {
    semver::Version::new(v.major, v.minor, v.patch + 1)
}

/// The next minor version after `v`, for a change that needs a migration step.
pub(crate) fn next_minor(v: &semver::Version) -> semver::Version {
    semver::Version::new(v.major, v.minor + 1, 0)
}
