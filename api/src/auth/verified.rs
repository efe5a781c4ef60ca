//! Tokens already verified, kept until they expire.
//!
//! A frontend or a script sends the same bearer token with every request for as long as
//! it lives, and checking it — decoding the header and the claims, the signature, the
//! registered claims, the claim mapping — was ~5 % of the server's CPU on a small read
//! (the one-commitment workload of `bench/peer.py`, issue 17). A token that passed every
//! check is kept here with what the check found: the caller, its `exp`, the `kid` its
//! header names and the key that verified it. A later request with the same token is
//! answered from here when, at that moment:
//!
//! - the token has not expired: `exp` is checked again on every use, with the same leeway
//!   as the full check (`nbf` needs no second look: a token once valid under it stays so);
//! - the key its `kid` names now is the very key that verified it (`Arc::ptr_eq`): a key
//!   removed or replaced at the identity provider (`remote`'s refresh), so that the kid
//!   names no key or another one, sends the token through the full check again, which
//!   refuses it or verifies it anew.
//!
//! Anything else goes through the full check, and a token that fails it is never kept
//! (each failure is checked, and answered with its reason, every time). The store holds
//! at most [`VerifiedTokens::MAX_TOKENS`] tokens of at most
//! [`VerifiedTokens::MAX_LENGTH`] bytes; when full, it starts afresh. The tokens live in
//! the server's memory only, as they do while a request is served; they are never
//! written anywhere.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use jsonwebtoken::DecodingKey;

use super::Caller;

/// What the full check of one token found.
#[derive(Clone)]
pub(super) struct Verified {
    /// Who the token says the caller is.
    pub caller: Caller,
    /// The token's `exp` (seconds since the epoch).
    pub exp: u64,
    /// The `kid` of the token's header.
    pub kid: Option<String>,
    /// The key that verified the signature.
    pub key: Arc<DecodingKey>,
}

/// Tokens that passed the full check, by their text.
#[derive(Default)]
pub(super) struct VerifiedTokens {
    tokens: Mutex<HashMap<String, Verified>>,
}

impl std::fmt::Debug for VerifiedTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kept = self.tokens.lock().map_or(0, |t| t.len());
        f.debug_struct("VerifiedTokens")
            .field("kept", &kept)
            .finish()
    }
}

impl VerifiedTokens {
    /// Tokens kept at most.
    pub const MAX_TOKENS: usize = 4096;
    /// Longest token kept, in bytes.
    pub const MAX_LENGTH: usize = 8 * 1024;

    /// What the full check found for `token`, if it was kept and has not expired at
    /// `now` (seconds since the epoch) with `leeway` seconds. The caller still compares
    /// the key (see the module's documentation).
    pub fn get(&self, token: &str, now: u64, leeway: u64) -> Option<Verified> {
        let mut tokens = self.tokens.lock().ok()?;
        let found = tokens.get(token)?;
        if found.exp.saturating_add(leeway) < now {
            tokens.remove(token);
            return None;
        }
        Some(found.clone())
    }

    /// Keep what the full check of `token` found.
    pub fn insert(&self, token: &str, verified: Verified) {
        if token.len() > Self::MAX_LENGTH {
            return;
        }
        if let Ok(mut tokens) = self.tokens.lock() {
            if tokens.len() >= Self::MAX_TOKENS {
                tokens.clear();
            }
            tokens.insert(token.to_owned(), verified);
        }
    }

    /// Forget `token` (its key changed).
    pub fn remove(&self, token: &str) {
        if let Ok(mut tokens) = self.tokens.lock() {
            tokens.remove(token);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verified(exp: u64) -> Verified {
        Verified {
            caller: Caller {
                sub: "anna".into(),
                org: "lpo-farsta".into(),
                roles: Vec::new(),
                districts: Vec::new(),
                municipalities: Vec::new(),
                groups: Vec::new(),
            },
            exp,
            kid: None,
            key: Arc::new(DecodingKey::from_secret(
                b"0123456789abcdef0123456789abcdef",
            )),
        }
    }

    #[test]
    fn a_kept_token_is_answered_until_it_expires_with_the_leeway() {
        let kept = VerifiedTokens::default();
        kept.insert("t", verified(1000));
        assert!(kept.get("t", 1000, 30).is_some());
        assert!(kept.get("t", 1030, 30).is_some());
        assert!(kept.get("t", 1031, 30).is_none());
        // Expired: gone for good, also for an earlier clock.
        assert!(kept.get("t", 1000, 30).is_none());
    }

    #[test]
    fn the_store_is_bounded() {
        let kept = VerifiedTokens::default();
        for i in 0..=VerifiedTokens::MAX_TOKENS {
            kept.insert(&i.to_string(), verified(1000));
        }
        let len = kept.tokens.lock().map_or(usize::MAX, |t| t.len());
        assert_eq!(len, 1);
        kept.insert(&"x".repeat(VerifiedTokens::MAX_LENGTH + 1), verified(1000));
        assert!(
            kept.get(&"x".repeat(VerifiedTokens::MAX_LENGTH + 1), 0, 0)
                .is_none()
        );
    }
}
