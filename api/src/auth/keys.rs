//! Keys from files and secrets: PEM and JWKS public keys, the private key
//! `samverkan token` signs with, and the HS256 secret kept beside an SQLite database.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use jsonwebtoken::jwk::{
    AlgorithmParameters, EllipticCurve, Jwk, JwkSet, KeyAlgorithm, PublicKeyUse,
};
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey, EncodingKey};
use rand::RngCore;
use secrecy::SecretString;

/// Add `key` as `kid`, refusing a kid seen before.
pub(super) fn insert_key(
    keys: &mut BTreeMap<String, DecodingKey>,
    kid: String,
    key: DecodingKey,
) -> anyhow::Result<()> {
    if keys.contains_key(&kid) {
        anyhow::bail!("kid {kid:?} names two keys: every key needs a kid of its own");
    }
    keys.insert(kid, key);
    Ok(())
}

/// The public keys of a PEM file: every `-----BEGIN PUBLIC KEY-----` block (or
/// `RSA PUBLIC KEY`) is preceded by a line `# kid: NAME`. Other lines starting with `#`
/// and blank lines are ignored; anything else is an error.
pub(super) fn parse_pem_keys(
    text: &str,
    algorithm: Algorithm,
) -> anyhow::Result<Vec<(String, DecodingKey)>> {
    let mut found = Vec::new();
    let mut kid: Option<(usize, String)> = None;
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, line)| (i + 1, line.trim()));
    while let Some((number, line)) = lines.next() {
        if line.is_empty() {
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            if let Some(name) = comment.trim().strip_prefix("kid:") {
                let name = name.trim();
                if name.is_empty() {
                    anyhow::bail!("line {number}: `# kid:` names no key");
                }
                if let Some((at, previous)) = kid.replace((number, name.to_owned())) {
                    anyhow::bail!("line {at}: kid {previous:?} is not followed by a key");
                }
            }
            continue;
        }
        let Some(label) = line
            .strip_prefix("-----BEGIN ")
            .and_then(|rest| rest.strip_suffix("-----"))
        else {
            anyhow::bail!(
                "line {number}: expected `# kid: NAME` or `-----BEGIN PUBLIC KEY-----` \
                 (comments start with #)"
            );
        };
        let end = format!("-----END {label}-----");
        let mut block = format!("{line}\n");
        let mut closed = false;
        for (_, body) in lines.by_ref() {
            block.push_str(body);
            block.push('\n');
            if body == end {
                closed = true;
                break;
            }
        }
        if !closed {
            anyhow::bail!("line {number}: the {label} has no `{end}` line");
        }
        let Some((_, name)) = kid.take() else {
            anyhow::bail!("line {number}: a key without a `# kid: NAME` line before it");
        };
        if label != "PUBLIC KEY" && label != "RSA PUBLIC KEY" {
            anyhow::bail!(
                "key {name:?} is a {label}: this file holds public keys only \
                 (`openssl pkey -in private.pem -pubout` prints one)"
            );
        }
        let key = match algorithm {
            Algorithm::RS256 => DecodingKey::from_rsa_pem(block.as_bytes()),
            _ => DecodingKey::from_ec_pem(block.as_bytes()),
        }
        .map_err(|err| {
            anyhow::anyhow!("key {name:?} is not an {algorithm:?} public key ({err})")
        })?;
        check_key(&key, algorithm).with_context(|| format!("key {name:?}"))?;
        found.push((name, key));
    }
    if let Some((at, name)) = kid {
        anyhow::bail!("line {at}: kid {name:?} is not followed by a key");
    }
    if found.is_empty() {
        anyhow::bail!("it holds no keys");
    }
    Ok(found)
}

/// The keys of a JWKS file, each named by its `kid` and fit for `algorithm`: a key that
/// is not is an error (the file is the operator's, and every key in it is meant).
pub(super) fn parse_jwks(
    text: &str,
    algorithm: Algorithm,
) -> anyhow::Result<Vec<(String, DecodingKey)>> {
    let set = jwk_set(text)?;
    if set.keys.is_empty() {
        anyhow::bail!("it holds no keys");
    }
    set.keys
        .iter()
        .enumerate()
        .map(|(index, jwk)| jwk_key(index, jwk, algorithm).map_err(anyhow::Error::msg))
        .collect()
}

/// The keys of an identity provider's JWKS that verify `algorithm` signatures; the
/// others (encryption keys, other algorithms, keys without a `kid`) are left out —
/// a provider publishes keys for many purposes.
pub(super) fn usable_jwks_keys(
    text: &str,
    algorithm: Algorithm,
) -> anyhow::Result<Vec<(String, DecodingKey)>> {
    let set = jwk_set(text)?;
    let mut found = Vec::new();
    for (index, jwk) in set.keys.iter().enumerate() {
        match jwk_key(index, jwk, algorithm) {
            Ok(key) => found.push(key),
            Err(why) => tracing::debug!(%why, "a key of the identity provider's JWKS is left out"),
        }
    }
    Ok(found)
}

fn jwk_set(text: &str) -> anyhow::Result<JwkSet> {
    serde_json::from_str(text)
        .map_err(|err| anyhow::anyhow!("not a JWKS document ({{\"keys\": [...]}}): {err}"))
}

/// One key of a JWKS, if it has a `kid` and fits `algorithm`; else why not.
fn jwk_key(index: usize, jwk: &Jwk, algorithm: Algorithm) -> Result<(String, DecodingKey), String> {
    let Some(kid) = jwk.common.key_id.clone() else {
        return Err(format!("key {index} has no kid"));
    };
    if let Some(alg) = jwk.common.key_algorithm
        && alg != KeyAlgorithm::from(algorithm)
    {
        return Err(format!(
            "key {kid:?} is for {alg}, but SAMVERKAN_JWT_ALGORITHM is {algorithm:?}"
        ));
    }
    if jwk
        .common
        .public_key_use
        .as_ref()
        .is_some_and(|usage| *usage != PublicKeyUse::Signature)
    {
        return Err(format!(
            "key {kid:?} is not for signatures (its `use` is not \"sig\")"
        ));
    }
    let kty = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => "RSA",
        AlgorithmParameters::EllipticCurve(params) => match params.curve {
            EllipticCurve::P256 => "EC P-256",
            _ => "EC (not P-256)",
        },
        AlgorithmParameters::OctetKey(_) => "oct",
        AlgorithmParameters::OctetKeyPair(_) => "OKP",
        _ => "unknown",
    };
    let fits = match algorithm {
        Algorithm::RS256 => kty == "RSA",
        _ => kty == "EC P-256",
    };
    if !fits {
        return Err(format!(
            "key {kid:?} is an {kty} key, which does not fit {algorithm:?}"
        ));
    }
    let key = DecodingKey::from_jwk(jwk)
        .map_err(|err| format!("key {kid:?} is not a valid key ({err})"))?;
    check_key(&key, algorithm).map_err(|err| format!("key {kid:?}: {err}"))?;
    Ok((kid, key))
}

/// What can be checked of a public key before a token arrives: its family, and for
/// ES256 that it is a point on a 256-bit curve.
pub(super) fn check_key(key: &DecodingKey, algorithm: Algorithm) -> anyhow::Result<()> {
    let (family, name) = match algorithm {
        Algorithm::RS256 => (AlgorithmFamily::Rsa, "RSA"),
        _ => (AlgorithmFamily::Ec, "EC"),
    };
    if key.family() != family {
        anyhow::bail!("not an {name} key");
    }
    if family == AlgorithmFamily::Ec {
        let point = key.try_get_as_bytes()?;
        let p256 = matches!(
            (point.len(), point.first()),
            (65, Some(0x04)) | (33, Some(0x02 | 0x03))
        );
        if !p256 {
            anyhow::bail!("not a P-256 key (ES256 needs the P-256 curve)");
        }
    }
    Ok(())
}

/// The private key of a PEM file, for `algorithm`.
pub(super) fn load_private_key(path: &Path, algorithm: Algorithm) -> anyhow::Result<EncodingKey> {
    let pem = std::fs::read(path)
        .with_context(|| format!("cannot read SAMVERKAN_JWT_PRIVATE_KEY {}", path.display()))?;
    let what = format!("SAMVERKAN_JWT_PRIVATE_KEY {}", path.display());
    if !String::from_utf8_lossy(&pem).contains("PRIVATE KEY-----") {
        anyhow::bail!("{what} holds no PEM private key");
    }
    match algorithm {
        Algorithm::RS256 => EncodingKey::from_rsa_pem(&pem)
            .map_err(|err| anyhow::anyhow!("{what} is not an RSA private key ({err})")),
        _ => EncodingKey::from_ec_pem(&pem).map_err(|err| {
            anyhow::anyhow!(
                "{what} is not a PKCS#8 EC private key (`-----BEGIN PRIVATE KEY-----`; \
                 `openssl pkcs8 -topk8 -nocrypt` converts an `EC PRIVATE KEY`): {err}"
            )
        }),
    }
}

/// Read the secret the server keeps at `path` (beside the SQLite database of
/// `database_url`); when there is none, say where it was looked for and how to find the
/// right one — never make one.
pub(super) fn load_existing_secret(
    path: &Path,
    database_url: &str,
) -> anyhow::Result<SecretString> {
    match std::fs::read_to_string(path) {
        Ok(existing) => Ok(SecretString::from(existing.trim().to_owned())),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
            anyhow::bail!(
                "no token secret at {}\n\
                 A server on the SQLite database {database_url} keeps its secret there \
                 (made on its first start); a token signed with any other secret would be \
                 refused, so none was made.\n\
                 Point this command at the server's database with DATABASE_URL or \
                 --database-url (e.g. DATABASE_URL='sqlite:///srv/samverkan/samverkan.db?mode=rwc'), \
                 run it in the directory the server runs in, or give it the server's \
                 SAMVERKAN_JWT_SECRET.",
                absolute.display()
            )
        }
        Err(err) => anyhow::bail!("cannot read {}: {err}", path.display()),
    }
}

/// Read the secret kept at `path`, or generate one and keep it there (mode 0600).
pub(super) fn load_or_create_secret(path: &Path) -> anyhow::Result<SecretString> {
    match std::fs::read_to_string(path) {
        Ok(existing) => return Ok(SecretString::from(existing.trim().to_owned())),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
        Err(err) => anyhow::bail!("cannot read {}: {err}", path.display()),
    }
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(mut file) => {
            use std::io::Write;
            file.write_all(secret.as_bytes())?;
            tracing::info!(path = %path.display(), "generated a JWT secret for this database");
            Ok(SecretString::from(secret))
        }
        // Another process created it first: use theirs.
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => Ok(SecretString::from(
            std::fs::read_to_string(path)?.trim().to_owned(),
        )),
        Err(err) => anyhow::bail!("cannot write {}: {err}", path.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_keys_need_a_kid_each_and_nothing_else() {
        let public = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
        for (text, expected) in [
            ("# kid: a\n", "not followed by a key"),
            ("# kid: a\n# kid: b\n", "not followed by a key"),
            ("# kid:\n", "names no key"),
            ("stray text\n", "expected `# kid: NAME`"),
            ("# kid: a\n-----BEGIN PUBLIC KEY-----\nAAAA\n", "has no"),
            (public, "without a `# kid: NAME`"),
            ("# only comments\n\n", "holds no keys"),
        ] {
            match parse_pem_keys(text, Algorithm::RS256) {
                Ok(keys) => panic!("{text:?} gave {} keys", keys.len()),
                Err(err) => assert!(err.to_string().contains(expected), "{text:?}: {err}"),
            }
        }
    }

    #[test]
    fn jwks_keys_need_a_kid_and_the_pinned_algorithm() {
        let jwks = |key: &str| format!("{{\"keys\": [{key}]}}");
        let rsa = r#""kty": "RSA", "n": "AQAB", "e": "AQAB""#;
        let cases = [
            (jwks(&format!("{{{rsa}}}")), "has no kid"),
            (
                jwks(&format!(r#"{{{rsa}, "kid": "k", "alg": "RS512"}}"#)),
                "is for RS512",
            ),
            (
                jwks(&format!(r#"{{{rsa}, "kid": "k", "use": "enc"}}"#)),
                "not for signatures",
            ),
            (
                jwks(r#"{"kty": "oct", "k": "c2VjcmV0", "kid": "k"}"#),
                "oct key",
            ),
            ("{\"keys\": []}".to_owned(), "holds no keys"),
            ("[]".to_owned(), "not a JWKS document"),
        ];
        for (text, expected) in cases {
            match parse_jwks(&text, Algorithm::RS256) {
                Ok(keys) => panic!("{text} gave {} keys", keys.len()),
                Err(err) => assert!(err.to_string().contains(expected), "{text}: {err}"),
            }
        }
    }
}
