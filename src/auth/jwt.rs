//! Staff access tokens: HS256 JWTs with the claims `sub, role, outlet_id, ver, iat, exp`.

use std::{io::Write, path::Path, time::Duration};

use base64::Engine;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Role;

const SECRET_FILE: &str = "jwt-secret";

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: Uuid,
    pub role: String,
    pub outlet_id: Option<Uuid>,
    /// The account's `token_version` at issue; the token dies when it moves on.
    pub ver: i64,
    /// The enrolled device a PIN sign-in happened on: revoking it ends the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dev: Option<Uuid>,
    pub iat: i64,
    pub exp: i64,
}

#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    pub ttl: Duration,
}

/// A freshly issued token.
pub struct IssuedToken {
    pub token: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

impl JwtKeys {
    pub fn new(secret: &[u8], ttl: Duration) -> Self {
        // Pinned to HS256: `alg: none` and algorithm swaps are refused.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_required_spec_claims(&["exp", "iat", "sub"]);
        validation.leeway = 5;
        JwtKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl,
        }
    }

    /// The configured secret, or the one generated into the data folder on first start (so
    /// tokens survive a restart).
    pub fn load(configured: Option<&str>, data_dir: &Path, ttl: Duration) -> std::io::Result<Self> {
        let secret = match configured {
            Some(secret) => secret.as_bytes().to_vec(),
            None => load_or_create_secret(data_dir)?,
        };
        Ok(JwtKeys::new(&secret, ttl))
    }

    /// Issues a token under the account's current `token_version`.
    pub fn issue(
        &self,
        user_id: Uuid,
        role: Role,
        outlet_id: Option<Uuid>,
        token_version: i64,
        device_id: Option<Uuid>,
    ) -> Result<IssuedToken, jsonwebtoken::errors::Error> {
        let now = chrono::Utc::now();
        let expires_at = now + self.ttl;
        let claims = Claims {
            sub: user_id,
            role: role.as_str().to_owned(),
            outlet_id,
            ver: token_version,
            dev: device_id,
            iat: now.timestamp(),
            exp: expires_at.timestamp(),
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?;
        Ok(IssuedToken { token, expires_at })
    }

    /// Checks signature, algorithm and expiry.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        decode::<Claims>(token, &self.decoding, &self.validation)
            .ok()
            .map(|data| data.claims)
    }
}

fn load_or_create_secret(data_dir: &Path) -> std::io::Result<Vec<u8>> {
    let path = data_dir.join(SECRET_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) if text.trim().len() >= 32 => return Ok(text.trim().as_bytes().to_vec()),
        Ok(_) => {
            return Err(std::io::Error::other(format!(
                "{} is shorter than 32 characters; delete it to generate a new one",
                path.display()
            )))
        }
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
        Err(err) => return Err(err),
    }
    crate::files::private_dir(data_dir)?;
    let mut bytes = [0u8; 48];
    getrandom::fill(&mut bytes).map_err(std::io::Error::other)?;
    let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);

    match crate::files::create_private_file(&path) {
        Ok(mut file) => {
            file.write_all(secret.as_bytes())?;
            file.sync_all()?;
            tracing::warn!(
                path = %path.display(),
                "generated a JWT secret; instances that share a database must share one secret (set KEDAI_JWT_SECRET)"
            );
            Ok(secret.into_bytes())
        }
        // Another process created it first: use theirs.
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
            load_or_create_secret(data_dir)
        }
        Err(err) => Err(err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> JwtKeys {
        JwtKeys::new(
            b"0123456789abcdef0123456789abcdef",
            Duration::from_secs(3600),
        )
    }

    #[test]
    fn issued_tokens_verify() {
        let id = Uuid::now_v7();
        let token = keys().issue(id, Role::Kasir, None, 3, None).unwrap().token;
        let claims = keys().verify(&token).unwrap();
        assert_eq!(claims.sub, id);
        assert_eq!((claims.role.as_str(), claims.ver), ("KASIR", 3));
    }

    #[test]
    fn other_secrets_and_tampering_fail() {
        let token = keys()
            .issue(Uuid::now_v7(), Role::Owner, None, 0, None)
            .unwrap()
            .token;
        let other = JwtKeys::new(
            b"another secret another secret 123",
            Duration::from_secs(60),
        );
        assert!(other.verify(&token).is_none());
        let mut tampered = token.clone();
        tampered.pop();
        assert!(keys().verify(&tampered).is_none());
    }

    #[test]
    fn secret_file_is_created_once_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let first = load_or_create_secret(dir.path()).unwrap();
        let second = load_or_create_secret(dir.path()).unwrap();
        assert_eq!(first, second);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(SECRET_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
