//! Password hashing with argon2id, off the async runtime's threads and at most one per core at a
//! time.

use crate::error::AppError;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::LazyLock;
use tokio::sync::Semaphore;

/// One of OWASP's equivalent argon2id settings: 7 MiB, five passes, one lane. It costs an
/// attacker as much as the 19 MiB, two-pass one, and holds less memory for each sign-in.
/// Hashes made with other settings carry them, and still verify.
fn argon2() -> Argon2<'static> {
    let params = Params::new(7 * 1024, 5, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashing keeps a core busy for its whole run, so more hashes at once than there are cores
/// would finish none sooner; a burst of sign-ins waits here instead of holding a hash's memory
/// each.
static HASHING: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(crate::state::cores()));

async fn off_the_runtime<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    let _turn = HASHING.acquire().await.map_err(AppError::internal)?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(AppError::internal)
}

/// Verified against when the account does not exist, so that an unknown username costs the
/// same time as a wrong password.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_blocking("hindsight-timing-equaliser").expect("hashing a constant"));

fn hash_blocking(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(AppError::internal)
}

fn verify_blocking(password: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Whether `hash` was made with other settings than today's: worth making again the next time
/// its password is at hand, so that older accounts get today's strength and memory use.
pub fn outdated(hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return true;
    };
    let Ok(made_with) = Params::try_from(&parsed) else {
        return true;
    };
    let today = argon2();
    let now = today.params();
    parsed.algorithm != Algorithm::Argon2id.ident()
        || parsed.version != Some(Version::V0x13.into())
        || (made_with.m_cost(), made_with.t_cost(), made_with.p_cost())
            != (now.m_cost(), now.t_cost(), now.p_cost())
}

#[tracing::instrument(skip_all)]
pub async fn hash(password: String) -> Result<String, AppError> {
    off_the_runtime(move || hash_blocking(&password)).await?
}

/// Checks a password against a stored hash; with no hash, checks against a dummy one and fails.
#[tracing::instrument(skip_all)]
pub async fn verify(password: String, hash: Option<String>) -> Result<bool, AppError> {
    off_the_runtime(move || match hash {
        Some(hash) => verify_blocking(&password, &hash),
        None => {
            verify_blocking(&password, &DUMMY_HASH);
            false
        }
    })
    .await
}

/// Prepares the dummy hash so that the first failed sign-in is not measurably slower.
pub fn warm_up() {
    LazyLock::force(&DUMMY_HASH);
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn assert_verifies_only(password: &str, stored: String) {
        assert!(verify(password.into(), Some(stored.clone())).await.unwrap());
        let mistyped = format!("{password}z");
        assert!(!verify(mistyped, Some(stored)).await.unwrap());
    }

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let stored = hash("correct horse battery".into()).await.unwrap();
        assert!(
            stored.starts_with("$argon2id$v=19$m=7168,t=5,p=1$"),
            "{stored}"
        );
        assert_verifies_only("correct horse battery", stored.clone()).await;
        assert!(!verify("anything".into(), None).await.unwrap());
        assert!(!outdated(&stored));
    }

    #[tokio::test]
    async fn a_hash_made_with_the_earlier_settings_still_verifies() {
        let earlier = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(19 * 1024, 2, 1, None).unwrap(),
        );
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        let stored = earlier
            .hash_password(b"correct horse battery", &salt)
            .unwrap()
            .to_string();
        assert!(
            stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{stored}"
        );
        assert!(outdated(&stored), "made again at the next sign-in");
        assert_verifies_only("correct horse battery", stored).await;
    }
}
