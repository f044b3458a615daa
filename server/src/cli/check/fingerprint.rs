//! Stable finding fingerprints, for reports that track findings across runs (GitLab
//! Code Quality compares them between a merge request and its target branch).
//!
//! A fingerprint hashes what identifies a finding to a reader: the file, the code, the
//! message and the text of its first line (trimmed), not its line number, so a finding
//! keeps its fingerprint when lines are added above it. Findings equal in all of these
//! (the same call twice in one file) are told apart by their order among themselves.

use rustc_hash::FxHashMap;

use super::finding::Finding;

/// One fingerprint per finding, in order: stable across runs and distinct across the
/// findings of one report.
pub fn fingerprints(findings: &[Finding]) -> Vec<String> {
    let mut seen: FxHashMap<u128, u32> = FxHashMap::default();
    findings
        .iter()
        .map(|finding| {
            let line = finding
                .source
                .first()
                .map(|line| line.text.trim())
                .unwrap_or_default();
            let identity = fnv1a_128(&[
                finding.relative_path().as_bytes(),
                finding.code.as_bytes(),
                finding.message.as_bytes(),
                line.as_bytes(),
            ]);
            let occurrence = seen.entry(identity).or_insert(0);
            *occurrence += 1;
            let fingerprint = fnv1a_128(&[&identity.to_le_bytes(), &occurrence.to_le_bytes()]);
            format!("{fingerprint:032x}")
        })
        .collect()
}

/// FNV-1a, 128 bits: fixed by its specification, so fingerprints do not change with the
/// Rust version or the build (std's hashers promise neither). Fields are separated by a
/// byte no field holds (NUL), so `("ab", "c")` and `("a", "bc")` differ.
fn fnv1a_128(fields: &[&[u8]]) -> u128 {
    fields.iter().fold(OFFSET_BASIS, |hash, field| {
        fnv1a_step(fnv1a_step(hash, field), &[0])
    })
}

const OFFSET_BASIS: u128 = 0x6c62272e07bb014262b821756295c58d;
const PRIME: u128 = 0x0000000001000000000000000000013B;

fn fnv1a_step(hash: u128, bytes: &[u8]) -> u128 {
    bytes.iter().fold(hash, |hash, &byte| {
        (hash ^ u128::from(byte)).wrapping_mul(PRIME)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_its_published_test_vector() {
        assert_eq!(
            fnv1a_step(OFFSET_BASIS, b"a"),
            0xd228cb696f1a8caf78912b704e4a8964
        );
        assert_ne!(fnv1a_128(&[b"ab", b"c"]), fnv1a_128(&[b"a", b"bc"]));
    }
}
